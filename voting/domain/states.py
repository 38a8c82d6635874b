"""Named states: a contract's vote, a poll and the event's stage are state machines.

Each state is an enum whose values are the strings (or numbers) already stored, so databases and
API answers do not change. Each move is guarded in one function here, which refuses it with the
sentence a person reads. "Open, unless its countdown has passed" is decided once, in `phase`.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum, IntEnum, StrEnum

from voting.errors import Closed, Conflict, Invalid
from voting.timefmt import clock


class ContractState(StrEnum):
    """Where voting on one contract stands, as stored in contract.status."""

    READY = "ready"  # imported, or reset: not open yet
    OPEN = "open"
    CLOSED = "closed"


class PollState(StrEnum):
    """Where a poll stands, as stored in poll.status."""

    READY = "ready"
    OPEN = "open"
    CLOSED = "closed"


class Stage(IntEnum):
    """The four stages of the event, as stored in event.stage."""

    APPETITE = 1  # Do we have an appetite for collaboration?
    VOTING = 2  # What do we want to collaborate on?
    CONFIRMING = 3  # Are we sure?
    ARRANGING = 4  # So who and how will we make it work?


class Phase(Enum):
    """Whether a vote or poll takes answers at this moment, by the server's clock."""

    NOT_OPENED = "not opened"
    OPEN = "open"
    TIMED_OUT = "timed out"  # still stored as open, but its countdown has passed
    CLOSED = "closed"


def countdown_passed(closes_at: datetime | None, now: datetime) -> bool:
    """A countdown was started and its end has come (the server's clock decides)."""
    return closes_at is not None and closes_at <= now


def phase(state: str, closes_at: datetime | None, now: datetime) -> Phase:
    """The one rule for contracts and polls alike: open, unless the countdown has passed.

    The timer flips the stored state a moment after the countdown ends; until it does, the stored
    "open" is not the last word: the countdown's end is.
    """
    if state == ContractState.READY:
        return Phase.NOT_OPENED
    if state != ContractState.OPEN:
        return Phase.CLOSED
    return Phase.TIMED_OUT if countdown_passed(closes_at, now) else Phase.OPEN


def vote_refusal(
    code: str, state: str, closes_at: datetime | None, closed_at: datetime | None, now: datetime
) -> Closed | None:
    """Why a vote on contract `code` is not taken now (a Closed refusal), or None while it is open."""
    found = phase(state, closes_at, now)
    if found is Phase.NOT_OPENED:
        return Closed(f"Voting on contract {code} has not opened yet.")
    if found is Phase.TIMED_OUT:
        assert closes_at is not None
        return Closed(
            f"Voting on contract {code} closed at {clock(closes_at, seconds=True)}. Your vote was not counted."
        )
    if found is Phase.CLOSED:
        at = f" at {clock(closed_at)}" if closed_at else ""
        return Closed(f"Voting on contract {code} closed{at}. Your vote was not counted.")
    return None


def guard_answer(state: str, closes_at: datetime | None, now: datetime) -> None:
    """Refuse an answer to a poll that is not open now (Closed, with its sentence)."""
    found = phase(state, closes_at, now)
    if found is Phase.NOT_OPENED:
        raise Closed("This poll has not opened yet. Your answer was not counted.")
    if found is Phase.TIMED_OUT:
        raise Closed("This poll has closed. Your answer was not counted.")
    if found is Phase.CLOSED:
        raise Closed("This poll is closed. Your answer was not counted.")


def guard_contract_reset(code: str, state: str) -> None:
    """A contract's votes are removed only while its vote is not open."""
    if state == ContractState.OPEN:
        raise Invalid(f"Close the vote on contract {code} before resetting it.")


def guard_contract_countdown(states: list[str]) -> None:
    """A countdown needs at least one of the chosen contracts open."""
    if ContractState.OPEN not in states:
        raise Invalid("Open the vote before starting a countdown.")


def poll_target(action: str) -> PollState:
    """The state a facilitator's "open" or "closed" asks a poll to move to."""
    if action not in (PollState.OPEN, PollState.CLOSED):
        raise Invalid("Choose open or close.")
    return PollState(action)


def guard_poll_move(state: str, target: PollState, anonymous: bool) -> None:
    """Any poll may open or close, except that an anonymous poll never reopens once closed."""
    if target == PollState.OPEN and anonymous and state == PollState.CLOSED:
        # Its counts were shown when it closed: answers added afterwards could be told apart.
        raise Conflict(
            "An anonymous poll can't be opened again once it has closed: its results were shown, and "
            "answers added afterwards could be told apart. Ask the question again in a new poll.",
        )


def guard_poll_countdown(state: str) -> None:
    """A countdown needs the poll open."""
    if state != PollState.OPEN:
        raise Invalid("Open the poll before starting a countdown.")


def stage_move(current: int, target: object) -> Stage:
    """The stage to move to: the next one, or any earlier one; refused otherwise with the reason."""
    if isinstance(target, bool) or target not in set(Stage):
        raise Invalid("Choose stage 1, 2, 3 or 4.")
    stage = Stage(target)  # type: ignore[arg-type]  # checked above: one of the stages
    if stage == current:
        raise Invalid(f"The event is already at stage {int(stage)}.")
    if stage > current + 1:
        raise Invalid(f"Go through the stages in order: the next is stage {current + 1}.")
    return stage
