"""The four stages on the Annex 2 demo event: freeze, confirm, propose, fix orphans, finalise."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from voting.demo_data import annex2_votes, contracts_csv, organisations_csv
from voting.errors import Refusal
from voting.extensions import db
from voting.models import Event, StageVersion
from voting.services import contracts, delegates, events, imports, stage3, stage4, stages, votes


@pytest.fixture
def annex2(app: Any) -> Iterator[dict[str, Any]]:
    """The demo event with the votes published in Annex 2, at stage 2 with voting closed."""
    with app.app_context():
        event = events.create_event("Annex 2")
        imports.import_organisations(event, organisations_csv())
        imports.import_contracts(event, contracts_csv())
        people = {}
        for org in contracts.organisations_of(event):
            people[org.code] = delegates.create_delegate(event, org.code, f"{org.name} lead")[0]
        contracts.open_contracts(event)
        for org, contract, level in annex2_votes():
            votes.cast_vote(people[org], contract, level, secrets.token_urlsafe(12))
        contracts.close_contracts(event)
        yield {"event": event, "people": people}


def test_the_stages_run_in_order_and_freeze_each_result(annex2: dict[str, Any]) -> None:
    event = annex2["event"]
    assert event.stage == 2  # opening the contract votes moved it on from stage 1
    with pytest.raises(Refusal, match="in order"):
        stages.move_to(event, 4)
    moved = stages.move_to(event, 3)
    assert moved["frozen"]["kind"] == "indicative"
    indicative = json.loads(db.session.get(StageVersion, moved["frozen"]["id"]).payload)
    assert indicative["rows"][0]["cells"][:5] == ["2", "NA", "NA", "NA", "4"]

    extras = stage3.console_extras(event)["stage3"]
    assert extras["flags_open"] == 4  # J and P have no position on contracts 7 and 14
    j = annex2["people"]["J"]
    with pytest.raises(Refusal, match="no single position"):
        stage3.confirm(j, "7", "confirm")
    with pytest.raises(Refusal, match="short reason"):
        stage3.confirm(j, "7", "amend", 1, "")
    stage3.confirm(j, "7", "amend", 1, "J will contract alone as the others do")
    stage3.confirm(annex2["people"]["A"], "1", "confirm")
    extras = stage3.console_extras(event)["stage3"]
    assert extras["flags_open"] == 3
    assert extras["amended"] == 1 and extras["confirmed"] == 1

    moved = stages.move_to(event, 4)
    confirmed = json.loads(db.session.get(StageVersion, moved["frozen"]["id"]).payload)
    assert confirmed["changes"] == [
        {
            "organisation": "J",
            "contract": "7",
            "from": "",
            "to": "1",
            "reason": "J will contract alone as the others do",
        }
    ]
    arrangements = stage4.load(event)
    assert any(a.contract == "1" and a.members == ("A", "B", "C", "D", "E", "O", "U") for a in arrangements)
    gaps = stage4.problems(event)
    assert {(p.contract, p.org) for p in gaps} == {("7", "P"), ("14", "J"), ("14", "P")}
    with pytest.raises(Refusal, match="3 problems must be fixed first"):
        stages.finalise(event)

    for contract, org in (("7", "P"), ("14", "J"), ("14", "P")):
        stage4.edit(event, "move", contract=contract, organisation=org, to=None)  # individual arrangement
    assert stage4.problems(event) == []
    version = stages.finalise(event)
    payload = json.loads(version.payload)
    contract_1 = next(a for a in payload["arrangements"] if a["contract"] == "1")
    assert contract_1["suggested_coordinator"] in {m["organisation"] for m in contract_1["members"]}
    assert abs(sum(m["cost_percent"] for m in contract_1["members"]) - 100) < 1e-9


def test_going_back_keeps_every_frozen_version(annex2: dict[str, Any]) -> None:
    event = annex2["event"]
    assert event.stage == 2  # opening the contract votes moved it on from stage 1
    stages.move_to(event, 3)
    stages.move_to(event, 2)
    assert db.session.get(Event, event.id).stage == 2
    stages.move_to(event, 3)
    numbers = [v.number for v in stages.all_versions(event.id) if v.kind == "indicative"]
    assert numbers == [1, 2]


def test_a_rerun_in_stage_3_replaces_that_contract_only(annex2: dict[str, Any]) -> None:
    event = annex2["event"]
    assert event.stage == 2  # opening the contract votes moved it on from stage 1
    stages.move_to(event, 3)
    stage3.rerun(event, "1")
    votes.cast_vote(annex2["people"]["A"], "1", 3, secrets.token_urlsafe(12))
    contracts.close_contracts(event, ["1"])
    cells = stage3.working(event).cells
    assert cells[("A", "1")] == "3"
    assert cells[("B", "1")] == ""  # B has not voted again yet
    assert cells[("A", "5")] == "4"  # untouched contracts keep the indicative result


def test_members_decide_the_coordinator_under_their_rule(annex2: dict[str, Any]) -> None:
    event = annex2["event"]
    for stage in (3, 4):
        stages.move_to(event, stage)
    key = next(a.key for a in stage4.load(event) if a.contract == "1")
    stage4.update(
        event, key, {"coordinator": "A", "rule_kind": "majority", "rule_threshold": "1/2", "quorum": "4"}
    )
    people = annex2["people"]
    first = stage4.cast_ballot(people["A"], key, "coordinator", "yes")
    assert not first.passed and "quorum" in first.reason
    for org in ("B", "C", "D"):
        decision = stage4.cast_ballot(people[org], key, "coordinator", "yes")
    assert decision.passed
    with pytest.raises(Refusal, match="Only member CCGs"):
        stage4.cast_ballot(people["G"], key, "coordinator", "yes")
