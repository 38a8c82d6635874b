"""One CCG, one position: a settled split stays settled only for its tie; a removed delegate's votes go."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from voting.extensions import db
from voting.models import ActionLog
from voting.services import contracts, delegates, polls
from voting.services.screens import console_state
from voting.services.snapshots import event_matrix
from voting.services.votes import cast_vote


def alpha_row(state: dict[str, Any]) -> list[str]:
    return next(row["cells"] for row in state["matrix"]["rows"] if row["code"] == "00Q")


def test_a_settled_2_3_tie_shows_again_when_a_third_delegate_votes_4(world: SimpleNamespace) -> None:
    """Framework Annex 2, Stage 2: "The CCG then voted" - the CCG's position is its delegates'.

    A facilitator's settlement of a 2/3 tie is for that tie: a third delegate voting 4 makes a new
    state (2/3/4), which the console shows as a split needing settling again, and the matrix too.
    """
    cast_vote(world.ann, "1", 2, "vote-ann-001")
    cast_vote(world.bob, "1", 3, "vote-bob-001")
    contracts.resolve_split(world.event, "1", "00Q", 3)
    state = console_state(world.event)
    assert alpha_row(state)[0] == "3"
    assert state["splits"] == []
    cal, _token = delegates.create_delegate(world.event, "00Q", "Cal")
    cast_vote(cal, "1", 4, "vote-cal-001")
    state = console_state(world.event)
    assert alpha_row(state)[0] == "2/3/4"
    assert state["splits"] == [{"contract": "1", "organisation": "00Q", "levels": [2, 3, 4]}]
    matrix, positions, _votes = event_matrix(world.event)
    assert matrix.cell("00Q", "1") == "2/3/4" and not positions[("00Q", "1")].resolved


def test_a_settlement_does_not_survive_the_tied_delegates_swapping_levels(world: SimpleNamespace) -> None:
    """The same levels tied again by other votes is a new tie: the old settlement does not decide it."""
    cast_vote(world.ann, "1", 2, "vote-ann-001")
    cast_vote(world.bob, "1", 3, "vote-bob-001")
    contracts.resolve_split(world.event, "1", "00Q", 3)
    cast_vote(world.ann, "1", 3, "vote-ann-002")
    cast_vote(world.bob, "1", 2, "vote-bob-002")
    state = console_state(world.event)
    assert alpha_row(state)[0] == "2/3"
    assert state["splits"][0]["levels"] == [2, 3]


def test_removing_a_delegate_takes_their_votes_out_and_the_log_says_how_many(world: SimpleNamespace) -> None:
    """Bob's two contract votes stop counting when he is removed; the log and the console say so."""
    cast_vote(world.ann, "1", 2, "vote-ann-001")
    cast_vote(world.bob, "1", 3, "vote-bob-001")
    cast_vote(world.bob, "3", 5, "vote-bob-002")
    assert alpha_row(console_state(world.event)) == ["2/3", "NA", "5"]
    sentence = delegates.revoke(world.bob)
    assert sentence.startswith("Bob removed; their 2 contract votes, 0 poll answers,")
    state = console_state(world.event)
    row = alpha_row(state)
    assert row[0] == "2"  # Ann's vote alone
    assert row[2] == ""  # contract 3: Bob's 5 no longer counts
    assert state["splits"] == []
    matrix, _positions, votes = event_matrix(world.event)
    assert matrix.cell("00Q", "1") == "2" and matrix.cell("00Q", "3") == ""
    assert votes["1"] == [2]
    logged = db.session.scalars(select(ActionLog.detail).where(ActionLog.action == "revoke")).all()
    assert logged == [
        f"{world.bob.id} Bob (00Q): their 2 contract votes, 0 poll answers, "
        "0 Stage 3 confirmations, 0 Stage 4 ballots no longer count."
    ]


def test_a_named_poll_shows_each_ccgs_combined_answer_and_a_tie_as_split(world: SimpleNamespace) -> None:
    """Per-CCG poll results follow the contract-vote rule: plurality, a tie shown as split; a removed
    delegate's answer stops counting."""
    poll = polls.create_poll(world.event, "yes_no_unsure", "Appetite?", None, False)
    polls.set_status(poll, "open")
    polls.answer(world.ann, poll.id, "Yes", "poll-ann-0001")
    polls.answer(world.bob, poll.id, "No", "poll-bob-0001")
    polls.answer(world.bea, poll.id, "Yes", "poll-bea-0001")
    results = polls.results(poll)
    assert results["position_by_org"] == {"00Q": "No/Yes", "00R": "Yes"}
    console = console_state(world.event)
    assert (
        next(p for p in console["polls"] if p["id"] == poll.id)["results"]["position_by_org"]["00Q"]
        == "No/Yes"
    )
    delegates.revoke(world.bob)
    results = polls.results(poll)
    assert results["position_by_org"] == {"00Q": "Yes", "00R": "Yes"}
    assert results["overall"] == {"Yes": 2, "No": 0, "Unsure": 0}
