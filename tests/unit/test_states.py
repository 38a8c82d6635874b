"""The named states: every move of a contract's vote, a poll and the event's stage, allowed or refused
with its sentence, and the one rule "open, unless the countdown has passed"."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from voting.domain.states import (
    ContractState,
    Phase,
    PollState,
    Stage,
    countdown_passed,
    guard_answer,
    guard_contract_countdown,
    guard_contract_reset,
    guard_poll_countdown,
    guard_poll_move,
    phase,
    poll_target,
    stage_move,
    vote_refusal,
)
from voting.errors import Closed, Conflict, Invalid
from voting.timefmt import clock

NOW = datetime(2026, 3, 5, 10, 42, 0)
PAST, LATER = NOW - timedelta(seconds=1), NOW + timedelta(seconds=1)


def test_the_stored_strings_and_numbers_stay_what_they_were() -> None:
    """Existing databases and API answers keep their values: ready/open/closed and stages 1 to 4."""
    assert [s.value for s in ContractState] == ["ready", "open", "closed"]
    assert [s.value for s in PollState] == ["ready", "open", "closed"]
    assert [int(s) for s in Stage] == [1, 2, 3, 4]
    assert ContractState.OPEN == "open" and Stage.ARRANGING == 4


@pytest.mark.parametrize(
    ("state", "closes_at", "expected"),
    [
        ("ready", None, Phase.NOT_OPENED),
        ("ready", PAST, Phase.NOT_OPENED),
        ("open", None, Phase.OPEN),
        ("open", LATER, Phase.OPEN),
        ("open", NOW, Phase.TIMED_OUT),  # the countdown's last second has come: no longer open
        ("open", PAST, Phase.TIMED_OUT),
        ("closed", None, Phase.CLOSED),
        ("closed", LATER, Phase.CLOSED),
    ],
)
def test_open_unless_the_countdown_has_passed(
    state: str, closes_at: datetime | None, expected: Phase
) -> None:
    """One rule for contracts and polls: the stored state, overruled by a countdown that has ended."""
    assert phase(state, closes_at, NOW) is expected
    assert countdown_passed(closes_at, NOW) is (closes_at is not None and closes_at <= NOW)


def test_a_vote_is_taken_only_while_open() -> None:
    assert vote_refusal("7", "open", None, None, NOW) is None
    assert vote_refusal("7", "open", LATER, None, NOW) is None


@pytest.mark.parametrize(
    ("state", "closes_at", "closed_at", "sentence"),
    [
        ("ready", None, None, "Voting on contract 7 has not opened yet."),
        (
            "open",
            PAST,
            None,
            f"Voting on contract 7 closed at {clock(PAST, seconds=True)}. Your vote was not counted.",
        ),
        ("closed", None, PAST, f"Voting on contract 7 closed at {clock(PAST)}. Your vote was not counted."),
        ("closed", None, None, "Voting on contract 7 closed. Your vote was not counted."),
    ],
)
def test_a_vote_refused_says_why(
    state: str, closes_at: datetime | None, closed_at: datetime | None, sentence: str
) -> None:
    refusal = vote_refusal("7", state, closes_at, closed_at, NOW)
    assert isinstance(refusal, Closed) and refusal.message == sentence


@pytest.mark.parametrize(
    ("state", "closes_at", "sentence"),
    [
        ("ready", None, "This poll has not opened yet. Your answer was not counted."),
        ("open", PAST, "This poll has closed. Your answer was not counted."),
        ("closed", None, "This poll is closed. Your answer was not counted."),
    ],
)
def test_a_poll_answer_refused_says_why(state: str, closes_at: datetime | None, sentence: str) -> None:
    with pytest.raises(Closed) as refused:
        guard_answer(state, closes_at, NOW)
    assert refused.value.message == sentence


def test_a_poll_answer_is_taken_while_open() -> None:
    guard_answer("open", None, NOW)
    guard_answer("open", LATER, NOW)


def test_a_contract_is_reset_only_while_not_open() -> None:
    guard_contract_reset("7", "ready")
    guard_contract_reset("7", "closed")
    with pytest.raises(Invalid, match=r"^Close the vote on contract 7 before resetting it\.$"):
        guard_contract_reset("7", "open")


def test_a_countdown_needs_an_open_vote_or_poll() -> None:
    guard_contract_countdown(["closed", "open"])
    with pytest.raises(Invalid, match=r"^Open the vote before starting a countdown\.$"):
        guard_contract_countdown(["ready", "closed"])
    guard_poll_countdown("open")
    for state in ("ready", "closed"):
        with pytest.raises(Invalid, match=r"^Open the poll before starting a countdown\.$"):
            guard_poll_countdown(state)


def test_a_poll_opens_and_closes_but_an_anonymous_one_never_reopens() -> None:
    assert poll_target("open") is PollState.OPEN and poll_target("closed") is PollState.CLOSED
    with pytest.raises(Invalid, match=r"^Choose open or close\.$"):
        poll_target("ready")
    for state in ("ready", "open", "closed"):
        guard_poll_move(state, PollState.CLOSED, anonymous=True)
        guard_poll_move(state, PollState.OPEN, anonymous=False)
    guard_poll_move("ready", PollState.OPEN, anonymous=True)
    with pytest.raises(Conflict, match=r"^An anonymous poll can't be opened again once it has closed"):
        guard_poll_move("closed", PollState.OPEN, anonymous=True)


@pytest.mark.parametrize(("current", "target"), [(1, 2), (2, 3), (3, 4), (4, 1), (4, 3), (3, 2), (2, 1)])
def test_the_stage_moves_to_the_next_or_back(current: int, target: int) -> None:
    assert stage_move(current, target) == target


@pytest.mark.parametrize(
    ("current", "target", "sentence"),
    [
        (2, 2, "The event is already at stage 2."),
        (1, 3, "Go through the stages in order: the next is stage 2."),
        (2, 4, "Go through the stages in order: the next is stage 3."),
        (2, 5, "Choose stage 1, 2, 3 or 4."),
        (2, 0, "Choose stage 1, 2, 3 or 4."),
        (2, "3", "Choose stage 1, 2, 3 or 4."),
        (2, None, "Choose stage 1, 2, 3 or 4."),
        (2, True, "Choose stage 1, 2, 3 or 4."),  # JSON true is not stage 1
    ],
)
def test_a_stage_move_refused_says_why(current: int, target: object, sentence: str) -> None:
    with pytest.raises(Invalid) as refused:
        stage_move(current, target)
    assert refused.value.message == sentence
