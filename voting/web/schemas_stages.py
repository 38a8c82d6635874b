"""Request and response bodies of the stage pipeline's API routes (see voting/web/schemas.py)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, Field

from voting.domain.governance import BALLOTS
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
