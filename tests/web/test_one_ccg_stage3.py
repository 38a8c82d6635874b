"""One CCG, one position at Stage 3: two delegates confirming or amending differently make a split."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.web.test_api_pipeline import OK, Call, call, voted  # noqa: F401 (fixtures)
from voting.extensions import db
from voting.models import Delegate, Event
from voting.services import delegates
from voting.services.snapshots import delegate_ballot


def own_cell(app: Flask, event_id: int, org: str, contract: str) -> str:
    """The CCG's own Stage 3 cell as its phones are shown it."""
    with app.app_context():
        event = db.session.get(Event, event_id)
        organisation = next(o for o in event.organisations if o.code == org)
        view = delegate_ballot(event, organisation)["stage3"]
    own = next(row["cells"] for row in view["rows"] if row["self"])
    return str(own[view["contracts"].index(contract)])


def test_two_delegates_answering_differently_make_the_ccg_split_not_the_last_one(
    app: Flask,
    call: Call,  # noqa: F811
    voted: dict[str, Any],  # noqa: F811
    make_delegate: Any,
) -> None:
    """Framework Annex 2, Stage 3: CCG conversations were held "to confirm and re examine the voting
    preferences ... and to amend as appropriate" - the CCG confirms. When R's lead confirms level 2 on
    contract 2 and R's second delegate amends it to 3, R is split 2/3 on the console, the API and the
    phones, and its flag stays open; before, whoever pressed last decided for the CCG."""
    e, t = voted["e"], voted["t"]
    second = make_delegate(voted["id"], "00R", "R second")
    assert call("post", f"{e}/stage", {"stage": 3})[0] == 200
    confirm = {"contract": "2", "action": "confirm"}
    assert call("post", "/confirmations", confirm, token=t["00R"]) == OK
    assert own_cell(app, voted["id"], "00R", "2") == "2"
    amend = {"contract": "2", "action": "amend", "level": 3, "reason": "we prefer a larger cluster"}
    assert call("post", "/confirmations", amend, token=second["token"]) == OK
    status, body = call("get", f"{e}/stage3")
    assert status == 200
    stage3 = body["stage3"]
    row = next(r for r in stage3["matrix"]["rows"] if r["code"] == "00R")
    assert row["cells"][stage3["matrix"]["columns"].index("2")] == "2/3"
    assert stage3["split"] == [{"organisation": "00R", "contract": "2", "levels": "2/3"}]
    assert stage3["confirmed"] == 0 and stage3["amended"] == 0
    assert own_cell(app, voted["id"], "00R", "2") == "2/3"
    # The second delegate is removed: their amendment stops counting, R's confirmation stands.
    with app.app_context():
        delegates.revoke(db.session.get(Delegate, second["id"]))
    stage3 = call("get", f"{e}/stage3")[1]["stage3"]
    assert stage3["split"] == [] and stage3["confirmed"] == 1
    assert own_cell(app, voted["id"], "00R", "2") == "2"
