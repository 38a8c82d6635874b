"""Casting votes: what is stored, what is audited, and every refusal's status and sentence."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from voting.errors import Refusal
from voting.extensions import db
from voting.models import Delegate, Vote, VoteAudit
from voting.services import contracts, delegates
from voting.services.snapshots import event_matrix
from voting.services.votes import cast_vote, own_votes
from voting.web import http_status


def audits(delegate: Delegate) -> list[tuple[int | None, int, str]]:
    rows = db.session.scalars(
        select(VoteAudit).where(VoteAudit.delegate_id == delegate.id).order_by(VoteAudit.id)
    )
    return [(row.old_level, row.new_level, row.vote_id) for row in rows]


def current_votes(delegate: Delegate) -> list[int]:
    return list(db.session.scalars(select(Vote.level).where(Vote.delegate_id == delegate.id)))


def refusal(*args: Any) -> Refusal:
    with pytest.raises(Refusal) as caught:
        cast_vote(*args)
    return caught.value


def test_first_vote_stores_the_vote_and_an_audit_row(world: SimpleNamespace) -> None:
    result = cast_vote(world.ann, "1", 2, "vote-0001")
    assert (result.contract, result.level, result.duplicate) == ("1", 2, False)
    assert current_votes(world.ann) == [2]
    assert audits(world.ann) == [(None, 2, "vote-0001")]
    assert own_votes(world.ann) == {"1": 2}
    matrix, _positions, _votes = event_matrix(world.event)
    assert matrix.cell("00Q", "1") == "2"


def test_changing_a_vote_audits_old_and_new_level(world: SimpleNamespace) -> None:
    cast_vote(world.ann, "1", 2, "vote-0001")
    result = cast_vote(world.ann, "1", "4", "vote-0002")
    assert (result.level, result.duplicate) == (4, False)
    assert current_votes(world.ann) == [4]
    assert audits(world.ann) == [(None, 2, "vote-0001"), (2, 4, "vote-0002")]


def test_resent_vote_id_is_a_duplicate_with_one_audit_row(world: SimpleNamespace) -> None:
    cast_vote(world.ann, "1", 3, "vote-resend")
    again = cast_vote(world.ann, "1", 3, "vote-resend")
    assert again.duplicate is True
    assert again.level == 3
    assert len(audits(world.ann)) == 1
    assert current_votes(world.ann) == [3]


def test_resent_vote_id_with_another_level_is_a_conflict(world: SimpleNamespace) -> None:
    cast_vote(world.ann, "1", 3, "vote-resend")
    error = refusal(world.ann, "1", 5, "vote-resend")
    assert http_status(error) == 409
    assert "different choice" in error.message
    assert current_votes(world.ann) == [3]
    assert len(audits(world.ann)) == 1


def test_resent_vote_id_for_another_contract_is_a_conflict(world: SimpleNamespace) -> None:
    cast_vote(world.ann, "1", 3, "vote-resend")
    assert http_status(refusal(world.ann, "3", 3, "vote-resend")) == 409


def test_closed_contract_refuses_with_423(world: SimpleNamespace) -> None:
    contracts.close_contracts(world.event, ["1"])
    error = refusal(world.ann, "1", 2, "vote-late-1")
    assert http_status(error) == 423
    assert "closed" in error.message
    assert "not counted" in error.message
    assert current_votes(world.ann) == []
    assert audits(world.ann) == []


def test_contract_not_yet_open_refuses_with_423(world: SimpleNamespace) -> None:
    error = refusal(world.gus, "2", 2, "vote-early-1")
    assert http_status(error) == 423
    assert "has not opened yet" in error.message
    assert current_votes(world.gus) == []


def test_contract_not_held_refuses_with_422(world: SimpleNamespace) -> None:
    error = refusal(world.gus, "1", 2, "vote-nothold")
    assert http_status(error) == 422
    assert "does not hold contract 1" in error.message
    assert current_votes(world.gus) == []


def test_unknown_contract_refuses_with_422(world: SimpleNamespace) -> None:
    error = refusal(world.ann, "99", 2, "vote-unknown")
    assert http_status(error) == 422
    assert "no contract 99" in error.message


@pytest.mark.parametrize("level", [0, 6, "x", None, True, 2.5, "2.5"])
def test_bad_level_refuses_with_422(world: SimpleNamespace, level: object) -> None:
    error = refusal(world.ann, "1", level, "vote-badlevel")
    assert http_status(error) == 422
    assert "1 to 5" in error.message
    assert audits(world.ann) == []


@pytest.mark.parametrize(
    "vote_id", [None, "", "short", "has space in it", "x" * 65, 12345678, "ünïcödé-id", "vote-0001\n"]
)
def test_malformed_vote_id_refuses_with_422(world: SimpleNamespace, vote_id: object) -> None:
    error = refusal(world.ann, "1", 2, vote_id)
    assert http_status(error) == 422
    assert "vote id" in error.message
    assert current_votes(world.ann) == []


def test_pending_delegate_is_refused_with_403(world: SimpleNamespace) -> None:
    waiting, _token = delegates.request_admission(world.event, "00Q", "Walk-in")
    error = refusal(waiting, "1", 2, "vote-pending")
    assert http_status(error) == 403
    assert "not admitted you yet" in error.message
    delegates.admit(waiting)
    assert cast_vote(waiting, "1", 2, "vote-pending").duplicate is False


def test_revoked_delegate_is_refused_with_403(world: SimpleNamespace) -> None:
    cast_vote(world.ann, "1", 2, "vote-before")
    delegates.revoke(world.ann)
    error = refusal(world.ann, "1", 4, "vote-after1")
    assert http_status(error) == 403
    assert "withdrawn" in error.message
    assert current_votes(world.ann) == [2]


def test_two_delegates_tied_show_a_split(world: SimpleNamespace) -> None:
    cast_vote(world.ann, "1", 2, "vote-ann-01")
    cast_vote(world.bob, "1", 3, "vote-bob-01")
    matrix, _positions, _votes = event_matrix(world.event)
    assert matrix.cell("00Q", "1") == "2/3"
    assert matrix.cell("00R", "1") == ""
    assert matrix.cell("00S", "1") == "NA"


def test_concurrent_copies_of_one_vote_count_once(app: Flask, world: SimpleNamespace) -> None:
    delegate_id = world.ann.id
    db.session.rollback()  # release this context's connection so both threads compete fairly
    barrier = threading.Barrier(2)
    results: list[Any] = []
    errors: list[BaseException] = []

    def send() -> None:
        with app.app_context():
            try:
                delegate = db.session.get(Delegate, delegate_id)
                db.session.rollback()
                barrier.wait(timeout=5)
                results.append(cast_vote(delegate, "1", 4, "vote-concurrent"))
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    assert errors == []
    assert len(results) == 2
    assert sorted(result.duplicate for result in results) == [False, True]
    assert all(result.level == 4 for result in results)
    count = db.session.scalar(
        select(func.count()).select_from(VoteAudit).where(VoteAudit.vote_id == "vote-concurrent")
    )
    assert count == 1
    assert current_votes(world.ann) == [4]
