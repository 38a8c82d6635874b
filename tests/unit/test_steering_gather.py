"""Gathering the steering pack: the Annex 2 event after all four stages, and an event just begun."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask

from tests.unit.test_steering_fixtures import EVENT_NAME, EVIL, EVIL_REASON, J_REASON, finished_event
from voting.exports.steering import gather_pack
from voting.exports.steering.shape import NO_REASON, RERUN, matrix_changes
from voting.extensions import db
from voting.models import Event
from voting.services import stages


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    yield from finished_event(tmp_path_factory.mktemp("steering-gather"))


def test_the_pack_names_the_event_the_versions_and_when_it_was_made(done: SimpleNamespace) -> None:
    pack = done.pack
    assert pack["event"] == {
        "id": done.ids["id"],
        "name": EVENT_NAME,
        "join_code": pack["event"]["join_code"],
        "stage": 4,
        "exclude_declared": False,
    }
    assert len(pack["event"]["join_code"]) >= 6
    generated = datetime.fromisoformat(pack["generated_at"])
    assert generated.utcoffset() == UTC.utcoffset(None)
    assert [(v["kind"], v["number"], v["status"]) for v in pack["versions"]] == [
        ("indicative", 1, "frozen"),
        ("confirmed", 1, "frozen"),
        ("arrangements", 1, "frozen"),
    ]
    assert all(datetime.fromisoformat(v["frozen_at"]) <= generated for v in pack["versions"])
    assert "Annex 2" in pack["method"]["note"] and "Are we sure?" in pack["method"]["note"]
    assert [s["number"] for s in pack["method"]["stages"]] == [1, 2, 3, 4]
    assert pack["notes"] == []


def test_the_matrices_are_the_frozen_versions(done: SimpleNamespace) -> None:
    for kind in ("indicative", "confirmed"):
        matrix, frozen = done.pack[kind], done.frozen[kind]
        assert matrix["columns"] == frozen["columns"]
        assert matrix["rows"] == frozen["rows"]
        assert matrix["version"] == 1
    assert done.pack["confirmed"]["indicative_version"] == 1
    j_row = next(row for row in done.pack["confirmed"]["rows"] if row["code"] == "J")
    assert j_row["cells"][6] == "1"  # contract 7, amended from "no position"


def test_changes_carry_their_reasons(done: SimpleNamespace) -> None:
    assert [
        (c["organisation"], c["contract"], c["from"], c["to"], c["reason"]) for c in done.pack["changes"]
    ] == [
        ("J", "7", "", "1", J_REASON),
        ("P", "7", "", "1", EVIL_REASON),
    ]
    assert all(c["how"] == "Amended by the CCG at stage 3" for c in done.pack["changes"])
    assert done.pack["changes"][0]["contract_name"]


def test_a_rerun_change_is_listed_without_inventing_a_reason() -> None:
    indicative = {
        "columns": [{"code": "1", "name": "Acute"}],
        "rows": [
            {"code": "A", "name": "A CCG", "cells": ["2"]},
            {"code": "B", "name": "B CCG", "cells": ["2"]},
        ],
    }
    confirmed = {
        **indicative,
        "rows": [
            {"code": "A", "name": "A CCG", "cells": ["3"]},
            {"code": "B", "name": "B CCG", "cells": ["2"]},
        ],
        "changes": [],
    }
    [change] = matrix_changes(indicative, confirmed)
    assert (change["organisation"], change["from"], change["to"]) == ("A", "2", "3")
    assert (change["how"], change["reason"]) == (RERUN, NO_REASON)


def test_arrangements_spell_out_who_leads_how_and_who_pays(done: SimpleNamespace) -> None:
    arrangements = done.pack["arrangements"]
    assert (arrangements["version"], arrangements["confirmed_version"]) == (1, 1)
    first = next(a for a in arrangements["items"] if a["key"] == done.ids["key"])
    assert [m["organisation"] for m in first["members"]] == ["A", "B", "C", "D", "E", "O", "U"]
    assert first["members"][0]["name"] == "A CCG"
    assert (first["coordinator"], first["coordinator_label"]) == ("A", "A CCG")
    assert first["model_title"] == "5. Lead CCG as co-ordinator"
    assert first["rule"]["described"] == "majority of at least two thirds needed"
    assert first["rule"]["quorum"] == "4" and first["rule"]["majority_binds_all"] is False
    assert first["rule"]["on_disagreement"].startswith("A CCG may leave")
    assert first["decisions"]["coordinator"]["passed"] is True
    assert first["members"][0]["contribution"] == {
        "role": "Contract lead",
        "days": "2 days a month",
        "notes": "Chairs the oversight board",
    }
    assert first["cost_method_label"] == "Equally"
    assert sum(m["cost_percent"] for m in first["members"]) == pytest.approx(100)
    held = {(a["contract"], m["organisation"]) for a in arrangements["items"] for m in a["members"]}
    assert ("14", "J") in held and ("7", "P") in held  # nothing orphaned


def test_interests_and_polls_are_included(done: SimpleNamespace) -> None:
    [interest] = done.pack["interests"]
    assert (interest["organisation"], interest["contract"], interest["interest"]) == ("C CCG", "4", EVIL)
    named, secret = done.pack["polls"]
    assert named["results"]["overall"] == {"Yes": 2, "No": 0, "Unsure": 1}
    assert named["results"]["by_org"]["A"]["Yes"] == 1
    assert secret["anonymous"] is True
    # Two answers: too few to show how anyone answered an anonymous poll (docs/security.md).
    assert secret["results"]["by_org"] == {} and secret["results"]["answered_by_org"] == {}
    assert secret["results"]["overall"] is None and secret["results"]["total"] == 2
    assert secret["results"]["mean"] is None and "not shown" in secret["results"]["withheld"]


def test_the_audit_log_merges_actions_and_votes_in_time_order(done: SimpleNamespace) -> None:
    audit = done.pack["audit"]
    times = [datetime.fromisoformat(entry["at"]) for entry in audit]
    assert times == sorted(times)
    assert audit[0]["action"] == "create_event"
    assert {"freeze", "stage", "amend", "declare_interest", "vote", "change vote"} <= {
        e["action"] for e in audit
    }
    changes = [e for e in audit if e["action"] == "change vote" and e["actor"] == "A CCG lead (A)"]
    assert [e["detail"] for e in changes] == ["contract 1: 2 -> 3", "contract 1: 3 -> 2"]
    assert all(set(entry) == {"at", "actor", "action", "detail"} for entry in audit)


def test_the_pack_never_carries_a_token(done: SimpleNamespace) -> None:
    text = json.dumps(done.pack)
    assert done.ids["tokens"] and not any(token in text for token in done.ids["tokens"].values())


def test_an_event_just_begun_says_what_is_not_frozen_yet(
    app: Flask, make_event: Callable[..., dict[str, Any]]
) -> None:
    ids = make_event("Early days")
    with app.app_context():
        pack = gather_pack(db.session.get(Event, ids["id"]), now=datetime(2012, 5, 14, 9, 30, tzinfo=UTC))
    assert pack["generated_at"] == "2012-05-14T09:30:00+00:00"
    assert [(v["number"], v["frozen_at"], v["status"]) for v in pack["versions"]] == [
        (None, None, "not frozen yet")
    ] * 3
    assert pack["indicative"] is None and pack["confirmed"] is None and pack["arrangements"] is None
    assert pack["changes"] == [] and pack["polls"] == [] and pack["interests"] == []
    assert [e["action"] for e in pack["audit"]] == [
        "create_event",
        "import_organisations",
        "import_contracts",
    ]


def test_going_back_is_reported_not_hidden(app: Flask, make_event: Callable[..., dict[str, Any]]) -> None:
    ids = make_event("Second thoughts")
    with app.app_context():
        event = db.session.get(Event, ids["id"])
        for stage in (2, 3, 4, 2, 3):
            stages.move_to(event, stage)
        pack = gather_pack(event)
    assert [(v["kind"], v["number"]) for v in pack["versions"]] == [
        ("indicative", 2),
        ("confirmed", 1),
        ("arrangements", None),
    ]
    assert pack["confirmed"]["indicative_version"] == 1
    assert pack["notes"] == [
        "The confirmed matrix v1 was built from indicative matrix v1; indicative matrix v2 was frozen later. "
        "Changes are shown against v1."
    ]
    assert [e["action"] for e in pack["audit"]].count("stage_back") == 1
