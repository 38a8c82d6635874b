"""Rounds of a contract's vote: a reset (and so a Stage 3 re-run) starts a new round, and a vote made
before it is refused with a sentence - never answered as saved, never counted - while the same level
cast again counts. Closing and reopening keeps the round and its votes. scripts/test runs these on
SQLite and again on PostgreSQL.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from voting.errors import Refusal
from voting.extensions import db
from voting.models import Delegate, Vote, VoteAudit
from voting.services import contracts, facilitation, stage3, stages
from voting.services.snapshots import delegate_ballot, event_matrix
from voting.services.votes import cast_vote, own_votes
from voting.web import http_status

RESTARTED = (
    "Voting on contract 1 was restarted after you sent this vote, so it was not counted. Please vote again."
)


def refusal(*args: Any, **kwargs: Any) -> Refusal:
    with pytest.raises(Refusal) as caught:
        cast_vote(*args, **kwargs)
    return caught.value


def counted(delegate: Delegate) -> list[int]:
    """The delegate's vote as stored."""
    db.session.expire_all()
    return list(db.session.scalars(select(Vote.level).where(Vote.delegate_id == delegate.id)))


def cell(world: SimpleNamespace, org: str, code: str) -> str:
    matrix, _positions, _votes = event_matrix(world.event)
    return str(matrix.cell(org, code))


def round_on_phone(world: SimpleNamespace, delegate: Delegate, code: str) -> int:
    """The round the phone's ballot (page, snapshot and every push) shows for the contract."""
    ballot = delegate_ballot(world.event, delegate.organisation)
    return int(next(c for c in ballot["contracts"] if c["code"] == code)["round"])


def reset(world: SimpleNamespace, code: str = "1") -> None:
    contracts.close_contracts(world.event, [code])
    facilitation.reset_contract(world.event, code)


def test_a_resend_from_before_a_reset_is_refused_and_counts_nothing(world: SimpleNamespace) -> None:
    assert round_on_phone(world, world.ann, "1") == 1
    cast_vote(world.ann, "1", 2, "vote-before-reset", sent_round=1)
    reset(world)
    assert round_on_phone(world, world.ann, "1") == 2
    # Not yet reopened: the resend is told its vote was restarted, not "saved" and not "not open".
    error = refusal(world.ann, "1", 2, "vote-before-reset")
    assert (http_status(error), error.message) == (409, RESTARTED)
    contracts.open_contracts(world.event, ["1"])
    for sent_round in (None, 1):  # an outbox from before this change sends no round
        error = refusal(world.ann, "1", 2, "vote-before-reset", sent_round=sent_round)
        assert (http_status(error), error.message) == (409, RESTARTED)
    assert counted(world.ann) == []
    assert own_votes(world.ann) == {}
    assert cell(world, "00Q", "1") == ""


def test_a_vote_made_before_a_reset_but_sent_after_it_is_refused(world: SimpleNamespace) -> None:
    """The phone was offline through the reset: its outbox still holds a vote tapped in round 1."""
    reset(world)
    contracts.open_contracts(world.event, ["1"])
    error = refusal(world.ann, "1", 4, "vote-tapped-offline", sent_round=1)
    assert (http_status(error), error.message) == (409, RESTARTED)
    assert counted(world.ann) == []
    assert cell(world, "00Q", "1") == ""
    assert db.session.scalars(select(VoteAudit).where(VoteAudit.vote_id == "vote-tapped-offline")).all() == []


def test_after_a_reset_the_same_level_is_cast_again_and_counts(world: SimpleNamespace) -> None:
    cast_vote(world.ann, "1", 2, "vote-round-one", sent_round=1)
    reset(world)
    contracts.open_contracts(world.event, ["1"])
    again = cast_vote(world.ann, "1", 2, "vote-round-two", sent_round=2)
    assert (again.level, again.duplicate) == (2, False)
    assert counted(world.ann) == [2]
    assert own_votes(world.ann) == {"1": 2}
    assert cell(world, "00Q", "1") == "2"
    # And a resend of the new vote is the duplicate it is: it counts once.
    assert cast_vote(world.ann, "1", 2, "vote-round-two", sent_round=2).duplicate is True
    rows = db.session.execute(
        select(VoteAudit.old_level, VoteAudit.new_level, VoteAudit.vote_round)
        .where(VoteAudit.delegate_id == world.ann.id)
        .order_by(VoteAudit.id)
    ).all()
    assert [tuple(row) for row in rows] == [(None, 2, 1), (2, None, 1), (None, 2, 2)]


def test_the_phone_snapshot_after_a_reset_shows_no_vote(world: SimpleNamespace) -> None:
    cast_vote(world.ann, "1", 3, "vote-snapshot-1", sent_round=1)
    cast_vote(world.ann, "3", 4, "vote-snapshot-3", sent_round=1)
    reset(world)
    assert own_votes(world.ann) == {"3": 4}  # contract 3 was not reset: its vote still stands
    ballot = delegate_ballot(world.event, world.ann.organisation)
    shown = {c["code"]: (c["status"], c["round"]) for c in ballot["contracts"]}
    assert shown == {"1": ("ready", 2), "3": ("open", 1)}


def test_closing_and_reopening_keeps_the_round_and_the_votes(world: SimpleNamespace) -> None:
    """Reopening continues the same vote: what was cast still counts, and a resend is a duplicate."""
    cast_vote(world.ann, "1", 2, "vote-kept-open", sent_round=1)
    contracts.close_contracts(world.event, ["1"])
    contracts.open_contracts(world.event, ["1"])
    assert round_on_phone(world, world.ann, "1") == 1
    assert cast_vote(world.ann, "1", 2, "vote-kept-open", sent_round=1).duplicate is True
    assert own_votes(world.ann) == {"1": 2}
    assert cell(world, "00Q", "1") == "2"
    assert cast_vote(world.ann, "1", 2, "vote-same-again", sent_round=1).duplicate is False
    assert counted(world.ann) == [2]


def test_a_stage_3_rerun_starts_a_new_round(world: SimpleNamespace) -> None:
    cast_vote(world.ann, "1", 2, "vote-before-rerun", sent_round=1)
    contracts.close_contracts(world.event)
    stages.move_to(world.event, 3)
    stage3.rerun(world.event, "1")
    assert round_on_phone(world, world.ann, "1") == 2
    error = refusal(world.ann, "1", 2, "vote-before-rerun")
    assert (http_status(error), error.message) == (409, RESTARTED)
    assert counted(world.ann) == []
    assert cast_vote(world.ann, "1", 2, "vote-in-the-rerun", sent_round=2).duplicate is False
    assert stage3.working(world.event).cells[("00Q", "1")] == "2"


@pytest.mark.parametrize("sent_round", ["one", "-1", True, "1.5"])
def test_a_malformed_round_is_refused_with_a_sentence(world: SimpleNamespace, sent_round: object) -> None:
    error = refusal(world.ann, "1", 2, "vote-bad-round", sent_round=sent_round)
    assert (http_status(error), error.message) == (
        422,
        "The vote could not be read (malformed round). Please try again.",
    )
    assert counted(world.ann) == []
