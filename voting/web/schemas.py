"""Request and response bodies of API v1, declared once: spectree validates requests against them and
writes them into the OpenAPI description (voting/web/declared.py).

Request models are strict (no silent "4" -> 4, no true -> 1) and ignore keys they do not name.
Each says, per field, the sentence a person sees when that field is missing or not valid
(`sentences`, keyed by field, or by "field:pydantic error type" where the sentence differs), and what to say when the body is not a JSON object at all (`unreadable`): no
pydantic message reaches a person. The services still check what only they can (is the contract
open, does the delegate's CCG hold it), with their own sentences.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

VOTE_ID = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="Unique per vote (per tap): a resend with the same id never counts twice.",
    ),
]
LEVEL_NUMBER = Annotated[int, Field(ge=1, le=5, description="A level, 1 to 5.")]


class Body(BaseModel):
    """A JSON request body."""

    model_config = ConfigDict(strict=True, extra="ignore")
    sentences: ClassVar[dict[str, str]] = {}
    unreadable: ClassVar[str] = "Send a JSON object."
    statuses: ClassVar[dict[str, int]] = {}  # a field whose refusal is not a 422 (a 404: no such thing)
    invalid: ClassVar[str] = "The request could not be read. Please check it and try again."


class Error(BaseModel):
    """Every refusal: one sentence."""

    error: str = Field(description="A sentence a person understands.")


class VoteBody(Body):
    """A delegate's vote (fields in the order the service checks them: the first problem is told)."""

    sentences: ClassVar[dict[str, str]] = {
        "vote_id": "The vote could not be read (missing or malformed vote id). Please try again.",
        "level": "Choose one of the five levels, 1 to 5.",
        "round": "The vote could not be read (malformed round). Please try again.",
        "contract": "The vote could not be read (no contract). Please try again.",
    }
    unreadable: ClassVar[str] = "The vote could not be read. Please try again."

    vote_id: VOTE_ID
    level: LEVEL_NUMBER | str = Field(description='A level, 1 to 5 (a number, or its digit as text: "3").')
    round: Annotated[int, Field(ge=1, le=999_999_999)] | str | None = Field(
        default=None,
        description="The contract's round (its `round` in the phone's ballot) when the level was chosen. "
        "A reset starts a new round; a vote from an earlier round is refused (409), never counted.",
    )
    contract: str | int = Field(description='A contract id as loaded, e.g. "7".')


class VoteRecorded(BaseModel):
    """A vote as stored (or as stored before, for a resend)."""

    ok: Literal[True]
    contract: str
    level: LEVEL_NUMBER
    duplicate: bool
    seq: int = Field(
        description="Where the vote's record stands in the event's audit chain: a phone keeps a vote"
        " answered with a higher seq than the `as_of` of a snapshot that arrives later."
    )


class AnswerBody(Body):
    """A delegate's answer to a poll."""

    sentences: ClassVar[dict[str, str]] = {
        "vote_id": "The answer could not be read (missing or malformed vote id). Please try again.",
        "answer": "Choose one of the answers shown.",
    }

    vote_id: VOTE_ID
    answer: str | int = Field(description="An option's text, yes/no/unsure, or a level 1 to 5.")


class Answered(BaseModel):
    """An answer recorded (or a resend of one)."""

    ok: Literal[True]
    duplicate: bool


class EventBody(Body):
    """A new event."""

    sentences: ClassVar[dict[str, str]] = {
        "name": "The event name must be 200 characters or fewer.",
        "name:missing": "Give the event a name.",
        "name:string_type": "Give the event a name.",
    }

    name: str = Field(max_length=200)


class EventCreated(BaseModel):
    """The new event's id and the join code delegates type."""

    id: int
    join_code: str


class ImportProblem(BaseModel):
    """One problem in an imported file."""

    line: int = Field(description="File line (spreadsheet row); 1 is the header, 0 the file.")
    column: str | None = Field(description="The header name, or null for the line.")
    message: str


class ImportErrors(BaseModel):
    """Every problem in the file; nothing was changed."""

    errors: list[ImportProblem]


class Imported(BaseModel):
    """How many rows were imported."""

    imported: int


class Done(BaseModel):
    """Done."""

    ok: Literal[True]


class DelegateBody(Body):
    """A new delegate of one of the event's organisations."""

    sentences: ClassVar[dict[str, str]] = {
        "organisation": "Give the organisation's code as text.",
        "name": "Give the delegate's name as text.",
    }

    organisation: str = ""
    name: str = Field(default="", description="Up to 120 characters.")


class DelegateCreated(BaseModel):
    """The new delegate; the token is shown once."""

    id: int
    token: str = Field(description="Shown once.")
    join_url: str


class SecondsBody(Body):
    """How long until the vote (or poll) closes by itself."""

    sentences: ClassVar[dict[str, str]] = {
        "seconds": "Give the countdown in whole seconds.",
        "seconds:greater_than_equal": "A countdown must be between 5 seconds and an hour.",
        "seconds:less_than_equal": "A countdown must be between 5 seconds and an hour.",
    }

    seconds: Annotated[int, Field(ge=5, le=3600)] | str = Field(description="5 to 3600.")


class SettingsBody(Body):
    """Event settings; a setting left out is left as it is."""

    sentences: ClassVar[dict[str, str]] = {"exclude_declared": "exclude_declared must be true or false."}

    exclude_declared: bool = Field(
        default=None, description="Leave declared delegates' votes out of the results."
    )


class Settings(BaseModel):
    """The event's settings now."""

    exclude_declared: bool
    stage: int


class ContractStatus(BaseModel):
    """A contract's voting status after opening or closing it."""

    contract: str
    status: Literal["ready", "open", "closed"]


class Reset(BaseModel):
    """How many votes a reset removed."""

    contract: str
    removed: int


class Declaration(BaseModel):
    """One declared interest."""

    delegate: str
    organisation: str
    contract: str
    interest: str
    at: str


class Declarations(BaseModel):
    """Every declared interest."""

    declarations: list[Declaration]


class Grouping(BaseModel):
    """A new contract held by the event's CCGs that commission from a provider."""

    contract: str
    organisations: list[str]
    not_in_event: list[str]
