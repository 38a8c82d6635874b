"""Live pushes for the stage pipeline: the console's stage, polls and versions; what the projector
must not show; and each CCG's phones in stages 3 and 4."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import wait_for
from tests.realtime.conftest import cell, collect, settle

Factory = Callable[..., Any]


def first(socket: Any, name: str = "state") -> dict[str, Any]:
    """The snapshot sent on connecting: always the first message."""
    received = socket.get_received()
    assert received and received[0]["name"] == name
    return dict(received[0]["args"][0])


def as_delegate(client: FlaskClient, token: str, path: str, body: dict[str, Any]) -> Any:
    response = client.post(f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 300, response.get_json()
    return response.get_json()


def stage3_matrix_cell(state: dict[str, Any], org: str, contract: str) -> str:
    return cell({"matrix": state["stage3"]["matrix"]}, org, contract)


def to_stage3(api: Factory, delegate: Factory, vote: Factory, event_id: int) -> dict[str, str]:
    """Votes: contract 1 Q2 R2; contract 2 R2 S3 (a mismatch); contract 3 Q4 R4 (S no position)."""
    tokens = {org: delegate(event_id, org, f"{org} lead")["token"] for org in ("00Q", "00R", "00S")}
    api("post", f"/events/{event_id}/contracts/2/open")
    for n, (org, code, level) in enumerate(
        [("00Q", "1", 2), ("00R", "1", 2), ("00R", "2", 2), ("00S", "2", 3), ("00Q", "3", 4), ("00R", "3", 4)]
    ):
        vote(tokens[org], code, level, f"stage-vote-{n:02d}")
    for code in ("1", "2", "3"):
        api("post", f"/events/{event_id}/contracts/{code}/close")
    api("post", f"/events/{event_id}/stage", json={"stage": 3})
    return tokens


def test_the_console_hears_the_stage_polls_and_versions(
    app: Flask, api: Factory, connect: Factory, new_event: Factory
) -> None:
    event_id = new_event()
    settle(app)
    console = connect("console", event_id)
    state = first(console)
    assert (state["stage"], state["polls"], state["versions"]) == (2, [], [])  # its votes are open
    assert state["stages"]["3"] == "Are we sure?"
    api("post", f"/events/{event_id}/polls", json={"kind": "yes_no_unsure", "question": "Any appetite?"})
    pushed = wait_for(console, "state", lambda s: len(s["polls"]) == 1)
    assert (pushed["polls"][0]["question"], pushed["polls"][0]["status"]) == ("Any appetite?", "ready")
    assert pushed["seq"] > state["seq"]
    for code in ("1", "3"):
        api("post", f"/events/{event_id}/contracts/{code}/close")
    api("post", f"/events/{event_id}/stage", json={"stage": 3})
    pushed = wait_for(console, "state", lambda s: s["stage"] == 3)
    assert [(v["kind"], v["number"]) for v in pushed["versions"]] == [("indicative", 1)]
    assert pushed["stage3"]["flags_open"] == pushed["stage3"]["flags_total"] == 7  # no positions yet


def test_open_flags_fall_live_as_a_ccg_confirms(
    app: Flask,
    client: FlaskClient,
    api: Factory,
    connect: Factory,
    new_event: Factory,
    delegate: Factory,
    vote: Factory,
) -> None:
    event_id = new_event()
    tokens = to_stage3(api, delegate, vote, event_id)
    settle(app)
    console = connect("console", event_id)
    state = first(console)
    assert (state["stage"], state["stage3"]["flags_open"], state["stage3"]["confirmed"]) == (3, 3, 0)
    as_delegate(client, tokens["00R"], "/confirmations", {"contract": "2", "action": "confirm"})
    pushed = wait_for(console, "state", lambda s: s["stage3"]["flags_open"] == 2)
    assert pushed["stage3"]["confirmed"] == 1
    assert ("00R", "2") not in {(f["organisation"], f["contract"]) for f in pushed["stage3"]["open_flags"]}


def test_the_projector_sees_no_declarations_and_no_hidden_results(
    app: Flask,
    client: FlaskClient,
    api: Factory,
    connect: Factory,
    new_event: Factory,
    delegate: Factory,
    vote: Factory,
) -> None:
    event_id = new_event()
    q, r = delegate(event_id, "00Q", "Dr Quill")["token"], delegate(event_id, "00R", "Dr Rook")["token"]
    vote(q, "1", 2, "hidden-vote-01")
    as_delegate(client, q, "/declarations", {"contract": "1", "interest": "Dr Quill's practice provides it"})
    poll = api("post", f"/events/{event_id}/polls", json={"kind": "yes_no_unsure", "question": "Appetite?"})[
        "id"
    ]
    api("post", f"/events/{event_id}/polls/{poll}/open")
    as_delegate(client, r, f"/polls/{poll}/answer", {"answer": "yes", "vote_id": "hidden-poll-1"})
    api("post", f"/events/{event_id}/polls/{poll}/hide")
    api("post", f"/events/{event_id}/contracts/1/hide")
    settle(app)
    projector, console = connect("projector", event_id), connect("console", event_id)
    shown, full = first(projector), first(console)
    assert "declarations" not in shown and "Dr Quill" not in json.dumps(shown)
    assert full["declarations"][0]["interest"] == "Dr Quill's practice provides it"
    hidden = shown["contracts"][0]
    assert (hidden["counts"], hidden["votes"], hidden["split"], hidden["modal"]) == (None, None, None, "")
    assert shown["contracts"][2]["counts"] == full["contracts"][2]["counts"]
    assert [cell(shown, org, "1") for org in ("00Q", "00R", "00S")] == ["✓", "", "NA"]
    assert cell(full, "00Q", "1") == "2"
    assert shown["polls"][0]["results"] is None and full["polls"][0]["results"]["total"] == 1

    vote(r, "1", 3, "hidden-vote-02")
    pushed = wait_for(projector, "state", lambda s: cell(s, "00R", "1") == "✓")
    assert pushed["contracts"][0]["voted"] == 2 and pushed["contracts"][0]["counts"] is None
    wait_for(console, "state", lambda s: cell(s, "00R", "1") == "3")
    api("post", f"/events/{event_id}/contracts/1/reveal")
    api("post", f"/events/{event_id}/polls/{poll}/reveal")
    # Both reveals may arrive in one coalesced push or two: wait for the state showing both.
    revealed = wait_for(
        projector, "state", lambda s: cell(s, "00R", "1") == "3" and s["polls"][0]["results"] is not None
    )
    assert revealed["contracts"][0]["counts"]["3"] == 1
    assert revealed["polls"][0]["results"]["overall"]["Yes"] == 1


def test_a_hidden_rerun_stays_hidden_in_the_stage3_matrix(
    app: Flask, api: Factory, connect: Factory, new_event: Factory, delegate: Factory, vote: Factory
) -> None:
    event_id = new_event()
    tokens = to_stage3(api, delegate, vote, event_id)
    api("post", f"/events/{event_id}/contracts/1/rerun")
    api("post", f"/events/{event_id}/contracts/1/hide")
    settle(app)
    projector, console = connect("projector", event_id), connect("console", event_id)
    first(projector), first(console)
    vote(tokens["00Q"], "1", 3, "rerun-vote-001")
    full = wait_for(console, "state", lambda s: stage3_matrix_cell(s, "00Q", "1") == "3")
    assert stage3_matrix_cell(full, "00Q", "3") == "4"
    messages = collect(projector, 0.3)
    # Pushes built from the console's snapshot on (same flush, same seq) have the vote; one built just
    # before the vote committed may still be on its way, and rightly shows no vote at all.
    states = [m["args"][0] for m in messages if m["name"] == "state" and m["args"][0]["seq"] >= full["seq"]]
    assert states, "the projector heard the vote"
    for state in states:
        assert stage3_matrix_cell(state, "00Q", "1") == "✓"
        assert stage3_matrix_cell(state, "00R", "1") == ""
        assert stage3_matrix_cell(state, "00Q", "3") == "4"
        assert state["stage3"]["weighted"]["1"] is None


def test_phones_get_their_row_in_stage3_and_their_arrangements_in_stage4(
    app: Flask,
    client: FlaskClient,
    api: Factory,
    connect: Factory,
    new_event: Factory,
    delegate: Factory,
    vote: Factory,
) -> None:
    event_id = new_event()
    tokens = to_stage3(api, delegate, vote, event_id)
    settle(app)
    phone = connect("delegate", join_token=tokens["00Q"])
    ballot = first(phone, "ballot")
    stage3 = ballot["stage3"]
    assert stage3["contracts"] == ["1", "3"]  # Alpha does not hold contract 2
    assert [(row["code"], row["self"]) for row in stage3["rows"]] == [("00Q", True), ("00R", False)]
    assert stage3["rows"][0]["cells"] == ["2", "4"] and stage3["rows"][1]["cells"] == ["2", "4"]
    assert stage3["flags"] == [] and stage3["status"] == {}
    gamma = first(connect("delegate", join_token=tokens["00S"]), "ballot")["stage3"]
    assert [row["code"] for row in gamma["rows"]] == ["00S", "00R"]
    assert {(f["contract"], f["kind"]) for f in gamma["flags"]} == {("2", "mismatch"), ("3", "no_position")}

    as_delegate(client, tokens["00Q"], "/confirmations", {"contract": "1", "action": "confirm"})
    confirmed = wait_for(phone, "ballot", lambda b: b.get("stage3", {}).get("status") == {"1": "confirmed"})
    assert confirmed["seq"] > ballot["seq"]
    api("post", f"/events/{event_id}/stage", json={"stage": 4})
    stage4 = wait_for(phone, "ballot", lambda b: "stage4" in b)["stage4"]
    assert [a["key"] for a in stage4["arrangements"]] == ["1:2:1", "3:4:1"]
    for arrangement in stage4["arrangements"]:
        assert "00Q" in [m["organisation"] for m in arrangement["members"]]
