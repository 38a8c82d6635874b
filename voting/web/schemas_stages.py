"""Request and response bodies of the stage pipeline's API routes (see voting/web/schemas.py)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field

from voting.domain.costs import METHODS as COST_METHODS
from voting.domain.governance import BALLOTS
from voting.domain.governance import KINDS as RULE_KINDS
from voting.domain.suggestions import MODELS
from voting.web.schemas import LEVEL_NUMBER, Body

STAGE = Annotated[int, Field(ge=1, le=4)]


class StageBody(Body):
    """The stage to move to."""

    sentences: ClassVar[dict[str, str]] = {
        "stage": "Give the stage as a number from 1 to 4.",
        "stage:greater_than_equal": "Choose stage 1, 2, 3 or 4.",
        "stage:less_than_equal": "Choose stage 1, 2, 3 or 4.",
    }

    stage: STAGE


class Version(BaseModel):
    """A frozen version: an indicative or confirmed matrix, or the arrangements."""

    id: int
    kind: Literal["indicative", "confirmed", "arrangements"]
    number: int
    frozen_at: str


class StageMoved(BaseModel):
    """The stage now, and the version frozen on the way (if any)."""

    stage: STAGE
    frozen: Version | None


class DeclarationBody(Body):
    """A delegate's declared interest (fields in the order the service checks them)."""

    sentences: ClassVar[dict[str, str]] = {
        "interest": "Say briefly what the interest is, for example 'my practice provides this service'.",
        "contract": "Choose the contract the interest is in.",
    }

    interest: str = Field(default="", description="Up to 500 characters.")
    contract: str = Field(default="", description='A contract id as loaded, e.g. "7".')


class ConfirmationBody(Body):
    """Stage 3: confirm the CCG's position on a contract, or amend it with a reason."""

    sentences: ClassVar[dict[str, str]] = {
        "contract": "Choose the contract to confirm.",
        "action": "Choose confirm or amend.",
        "level": "Choose one of the five levels, 1 to 5.",
        "reason": "Give a short reason for the change, for example 'no neighbour wants a cluster'.",
    }

    contract: str = Field(description='A contract id as loaded, e.g. "7".')
    action: Literal["confirm", "amend"]
    level: LEVEL_NUMBER | str | None = Field(default=None, description="Amend: the new level, 1 to 5.")
    reason: str = Field(default="", description="Amend: why, up to 500 characters.")


class BallotBody(Body):
    """Stage 4: a member CCG's vote on the proposed co-ordinator or model."""

    sentences: ClassVar[dict[str, str]] = {
        "topic": "Vote on the co-ordinator or the model.",
        "ballot": "Vote yes, no or abstain.",
    }

    topic: Literal["coordinator", "model"]
    ballot: Literal[BALLOTS]  # type: ignore[valid-type]  (the domain's tuple of ballots)


class Decision(BaseModel):
    """The decision under the arrangement's rule, after this ballot."""

    passed: bool
    reason: str


class EditBody(Body):
    """Stage 4: move a CCG (`contract`, `organisation`, `to`), merge (`key`, `other`) or split (`key`, `members`)."""

    sentences: ClassVar[dict[str, str]] = {
        "operation": "Choose move, merge or split.",
        "contract": "Give the contract as text.",
        "organisation": "Give the CCG's code as text.",
        "to": "Give the arrangement to move to as its key, or null for a new one.",
        "key": "Give the arrangement's key as text, for example 1:2:1.",
        "other": "Give the other arrangement's key as text, for example 1:2:2.",
        "members": "Give the CCGs for the new group as a list of codes.",
    }

    operation: Literal["move", "merge", "split"]
    contract: str = ""
    organisation: str = ""
    to: str | None = None
    key: str = ""
    other: str = ""
    members: list[str] = []


RULE_SENTENCE = "That decision rule is not valid: give fractions such as 2/3 and whole numbers."


class ArrangementBody(Body):
    """Stage 4: what is set on an arrangement; a field left out is left as it is."""

    sentences: ClassVar[dict[str, str]] = {
        "coordinator": "The co-ordinator must be a member CCG or a commissioning support service (CSS).",
        "model": "Choose one of the six models of technical appendix 2.",
        "rule_kind": f"That decision rule is not valid: choose {', '.join(RULE_KINDS)}.",
        "rule_threshold": RULE_SENTENCE,
        "quorum": RULE_SENTENCE,
        "rule_at_least": "Say true or false for rule_at_least.",
        "majority_binds_all": "Say true or false for majority_binds_all.",
        "on_disagreement": "Say what happens on disagreement as text.",
        "cost_method": "Split costs by value share, equally, or by custom percentages.",
    }

    coordinator: str = Field(default=None, description="A member's code, CSS, or empty.")
    model: Literal[("", *MODELS)] = Field(default=None)  # type: ignore[valid-type]
    rule_kind: Literal[RULE_KINDS] = Field(default=None)  # type: ignore[valid-type]
    rule_threshold: str = Field(default=None, examples=["1/2", "2/3"])
    rule_at_least: bool = Field(default=None)
    quorum: str = Field(default=None, description="A number of members or a fraction, e.g. 3 or 1/2.")
    majority_binds_all: bool = Field(default=None)
    on_disagreement: str = Field(default=None)
    cost_method: Literal[COST_METHODS] = Field(default=None)  # type: ignore[valid-type]


class ContributionBody(Body):
    """Stage 4: a member's contribution and, for custom splits, its percentage."""

    sentences: ClassVar[dict[str, str]] = {
        "organisation": "Give the member CCG's code as text.",
        "role": "Give the role as text.",
        "days": "Give the days or WTE as text.",
        "notes": "Give the notes as text.",
        "percent": "The percentage must be a number of 0 or more.",
    }

    organisation: str
    role: str = ""
    days: str = ""
    notes: str = ""
    percent: str | int | float = Field(default="", description="0 to 100; custom splits only.")


class Versions(BaseModel):
    """The frozen versions, oldest first."""

    versions: list[Version]


class VersionContent(Version):
    """A frozen version with its content."""

    payload: dict[str, Any]


class Problem(BaseModel):
    """What must be fixed before finalising."""

    contract: str
    message: str


class FinaliseRefused(BaseModel):
    """Finalising refused: the sentence, and each problem."""

    error: str
    problems: list[Problem]
