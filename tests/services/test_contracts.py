"""Opening and closing votes, and settling a CCG's split position."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy import select

from voting.errors import Refusal
from voting.extensions import db
from voting.models import ActionLog, Contract, Event
from voting.services import contracts, events
from voting.services.snapshots import event_matrix, event_state
from voting.services.votes import cast_vote
from voting.web import http_status


def statuses(event: Event) -> dict[str, str]:
    rows = db.session.execute(select(Contract.code, Contract.status).where(Contract.event_id == event.id))
    return dict(rows.all())


def split_alpha_on_1(world: SimpleNamespace) -> None:
    cast_vote(world.ann, "1", 2, "vote-ann-001")
    cast_vote(world.bob, "1", 3, "vote-bob-001")


def test_open_all_opens_every_contract_not_yet_open(world: SimpleNamespace) -> None:
    assert contracts.open_contracts(world.event) == ["2"]
    assert statuses(world.event) == {"1": "open", "2": "open", "3": "open"}
    assert event_state(world.event)["open"] == ["1", "2", "3"]


def test_close_all_closes_only_the_open_ones(world: SimpleNamespace) -> None:
    assert contracts.close_contracts(world.event) == ["1", "3"]
    assert statuses(world.event) == {"1": "closed", "2": "ready", "3": "closed"}
    assert event_state(world.event)["open"] == []


def test_reopening_a_closed_contract_lets_votes_in_again(world: SimpleNamespace) -> None:
    contracts.close_contracts(world.event, ["1"])
    with pytest.raises(Refusal):
        cast_vote(world.ann, "1", 2, "vote-closed-1")
    assert contracts.open_contracts(world.event, ["1"]) == ["1"]
    assert cast_vote(world.ann, "1", 2, "vote-reopen-1").level == 2


def test_opening_an_unknown_contract_is_404_and_changes_nothing(world: SimpleNamespace) -> None:
    with pytest.raises(Refusal) as caught:
        contracts.open_contracts(world.event, ["2", "9"])
    assert http_status(caught.value) == 404
    assert caught.value.message == "There is no contract 9 in this event."
    db.session.rollback()
    assert statuses(world.event)["2"] == "ready"


def test_opening_needs_contracts(app: Flask) -> None:
    with app.app_context():
        event = events.create_event("Empty")
        with pytest.raises(Refusal, match="Import the contracts before opening a vote."):
            contracts.open_contracts(event)


def test_open_and_close_are_logged(world: SimpleNamespace) -> None:
    contracts.close_contracts(world.event, ["3"])
    actions = list(db.session.execute(select(ActionLog.action, ActionLog.detail).order_by(ActionLog.id)))
    assert ("open", "1,3") in actions
    assert actions[-1] == ("close", "3")


def test_resolving_a_split_settles_the_cell(world: SimpleNamespace) -> None:
    split_alpha_on_1(world)
    state = event_state(world.event, for_console=True)
    assert state["splits"] == [{"contract": "1", "organisation": "00Q", "levels": [2, 3]}]
    contracts.resolve_split(world.event, "1", "00Q", "3")
    matrix, positions, _v = event_matrix(world.event)
    assert matrix.cell("00Q", "1") == "3"
    assert positions[("00Q", "1")].resolved
    state = event_state(world.event, for_console=True)
    assert state["splits"] == []
    assert state["contracts"][0]["counts"]["3"] == 1
    assert state["contracts"][0]["split"] == 0


def test_resolving_with_a_level_not_tied_is_refused(world: SimpleNamespace) -> None:
    split_alpha_on_1(world)
    with pytest.raises(Refusal) as caught:
        contracts.resolve_split(world.event, "1", "00Q", 4)
    assert caught.value.message == "Choose one of the tied levels (2 or 3)."
    assert http_status(caught.value) == 422
    matrix, _p, _v = event_matrix(world.event)
    assert matrix.cell("00Q", "1") == "2/3"


def test_resolving_when_not_split_is_refused(world: SimpleNamespace) -> None:
    cast_vote(world.ann, "1", 2, "vote-ann-001")
    with pytest.raises(Refusal, match="Alpha CCG is not split on contract 1; nothing to resolve."):
        contracts.resolve_split(world.event, "1", "00Q", 2)


def test_resolving_unknown_contract_or_organisation_is_404(world: SimpleNamespace) -> None:
    for contract, org in (("9", "00Q"), ("1", "00Z")):
        with pytest.raises(Refusal) as caught:
            contracts.resolve_split(world.event, contract, org, 2)
        assert http_status(caught.value) == 404


def test_a_later_vote_breaking_the_tie_overrides_the_resolution(world: SimpleNamespace) -> None:
    split_alpha_on_1(world)
    contracts.resolve_split(world.event, "1", "00Q", 3)
    cast_vote(world.ann, "1", 3, "vote-ann-002")  # now 3 and 3: settled by votes
    matrix, positions, _v = event_matrix(world.event)
    assert matrix.cell("00Q", "1") == "3"
    assert not positions[("00Q", "1")].resolved
    cast_vote(world.bob, "1", 2, "vote-bob-002")  # 3 vs 2 again: the old resolution names 3
    cast_vote(world.ann, "1", 4, "vote-ann-003")  # 4 vs 2: a new tie, the resolution no longer applies
    matrix, _positions, _v = event_matrix(world.event)
    assert matrix.cell("00Q", "1") == "2/4"
