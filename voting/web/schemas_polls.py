"""Request and response bodies of the polls and proxy-vote API routes (see voting/web/schemas.py)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from voting.domain.polls import KINDS
from voting.services import MAX_ID
from voting.web.schemas import LEVEL_NUMBER, VOTE_ID, Body

STATUS = Literal["ready", "open", "closed"]


class PollBody(Body):
    """A new poll (fields in the order they are checked)."""

    sentences: ClassVar[dict[str, str]] = {
        "options": "Give the options as a list.",
        "question": "Type the question delegates will see.",
        "question:string_too_long": "Keep the question to 500 characters or fewer.",
        "kind": "Choose yes/no/unsure, a single choice, or a 1 to 5 scale.",
        "anonymous": "Say true or false for anonymous.",
    }

    options: list[str] = Field(default=[], description="Choice polls: 2-10.")
    question: str = Field(max_length=500)
    kind: Literal[KINDS]  # type: ignore[valid-type]  (the domain's tuple of kinds)
    anonymous: bool = False


class PollResults(BaseModel):
    """A poll's results; `overall` is null for an anonymous poll still open or with too few answers."""

    overall: dict[str, int] | None
    total: int
    mean: float | None
    by_org: dict[str, Any]
    position_by_org: dict[str, str]
    answered_by_org: dict[str, int]
    withheld: str


class Poll(BaseModel):
    """A poll with its results."""

    id: int
    kind: Literal[KINDS]  # type: ignore[valid-type]
    question: str
    options: list[str]
    anonymous: bool
    status: STATUS
    results_hidden: bool
    closes_at: str | None = None
    results: PollResults = Field(default=None)


class ProxyVoteBody(Body):
    """A vote the facilitator enters for a delegate without a phone (fields in the order checked)."""

    sentences: ClassVar[dict[str, str]] = {
        "delegate": "That delegate is not part of this event.",
        "vote_id": "The vote could not be read (missing or malformed vote id). Please try again.",
        "level": "Choose one of the five levels, 1 to 5.",
        "contract": "The vote could not be read (no contract). Please try again.",
    }
    statuses: ClassVar[dict[str, int]] = {"delegate": 404}

    delegate: int = Field(ge=1, le=MAX_ID, description="The delegate's id.")
    vote_id: VOTE_ID | None = None
    level: LEVEL_NUMBER | str
    contract: str | int = Field(description='A contract id as loaded, e.g. "7".')
