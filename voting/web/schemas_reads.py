"""Answers of the read-only API routes: the console's state, the matrix, Stage 3 and 4, activity
views (see voting/web/schemas.py). Objects may carry more keys than they name."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from voting.domain.costs import METHODS as COST_METHODS

STATUS = Literal["ready", "open", "closed"]


class EventName(BaseModel):
    """An event's id, name and join code."""

    id: int
    name: str
    join_code: str


class ContractState(BaseModel):
    """One contract as the console shows it."""

    code: str
    name: str
    status: STATUS
    holders: int
    voted: int
    turnout: float
    counts: dict[str, int]
    split: int = Field(default=None)
    modal: str = Field(default=None)
    votes: dict[str, int]
    results_hidden: bool = Field(default=None)
    closes_at: str | None = None


class MatrixRow(BaseModel):
    """One CCG's row of the matrix."""

    code: str
    name: str
    cells: list[str] = Field(description="1..5, NA, empty (no position) or a split such as 2/3.")


class Matrix(BaseModel):
    """The matrix as the console shows it."""

    columns: list[str]
    rows: list[MatrixRow]


class ConsoleState(BaseModel):
    """The whole live state of an event, as the console sees it."""

    event: EventName
    levels: dict[str, str]
    contracts: list[ContractState]
    open: list[str]
    matrix: Matrix
    organisations: list[Any] = Field(default=None)
    pending: list[Any] = Field(default=None)
    splits: list[Any] = Field(default=None)
    stage: int = Field(ge=1, le=4)
    now: str


class Column(BaseModel):
    """A contract's column."""

    id: str
    name: str


class MatrixJson(BaseModel):
    """The matrix in the Annex 2 layout."""

    columns: list[Column]
    rows: list[MatrixRow]
    audit_head: str = Field(
        description="The event's audit chain head when the matrix was read (voting audit verify)."
    )


class Flag(BaseModel):
    """A neighbour flag to talk through at Stage 3."""

    organisation: str
    contract: str
    kind: Literal["isolated", "mismatch", "split", "no_position"]
    message: str


class Ranked(BaseModel):
    """A contract ranked by disagreement."""

    contract: str
    score: float
    explanation: str


class Stage3Body(BaseModel):
    """Open flags, ranking, value-weighted results, the working matrix."""

    indicative_version: int = Field(default=None)
    flags_total: int
    flags_open: int
    open_flags: list[Flag]
    ranking: list[Ranked]
    weighted: dict[str, Any]
    confirmed: int
    amended: int
    matrix: Matrix


class Stage3(BaseModel):
    """Stage 3 at a glance."""

    stage3: Stage3Body


class Arrangement(BaseModel):
    """One proposed arrangement."""

    key: str
    contract: str
    level: int
    members: list[dict[str, Any]]
    suggested_coordinator: str | None = Field(default=None)
    suggested_model: str | None = Field(default=None)
    model_reason: str = Field(default=None)
    coordinator: str
    model: str
    rule: dict[str, Any]
    decisions: dict[str, Any] = Field(default=None)
    cost_method: Literal[COST_METHODS]  # type: ignore[valid-type]
    cost_problem: str = Field(default=None)


class Arrangements(BaseModel):
    """Every arrangement, and the problems that stop finalising."""

    confirmed_version: int
    arrangements: list[Arrangement]
    problems: list[dict[str, Any]]


class Named(BaseModel):
    """A CCG or provider."""

    code: str
    name: str


class ActivityRow(BaseModel):
    """A row of an activity view."""

    kind: Literal["row", "other", "total"]
    cells: list[str]


class Relationship(BaseModel):
    """How a provider stands with the event's CCGs."""

    kind: Literal["core", "linked", "specialist low volume", "none"]
    reason: str


class ActivityView(BaseModel):
    """Main providers for a CCG, or main commissioning CCGs for a provider, with raw numbers."""

    title: str
    ccg: Named = Field(default=None)
    provider: Named = Field(default=None)
    top: int
    headers: list[str]
    rows: list[ActivityRow]
    relationship: Relationship = Field(default=None)


class Pack(BaseModel):
    """The gathered steering pack."""

    model_config = {"extra": "allow"}


class TopQuery(BaseModel):
    """How many rows before Other (default 4 for a CCG, 5 for a provider)."""

    sentences: ClassVar[dict[str, str]] = {
        "top": "'top' must be a whole number from 1 to 1000, for example top=5.",
    }
    statuses: ClassVar[dict[str, int]] = {"top": 400}
    invalid: ClassVar[str] = "'top' must be a whole number from 1 to 1000, for example top=5."

    top: int = Field(default=None, ge=1, le=1000)
