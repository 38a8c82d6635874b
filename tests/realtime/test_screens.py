"""Projector and console sockets: who may connect, what they are sent, and how often."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.helpers import wait_for
from tests.realtime.conftest import cell, collect, settle
from voting.extensions import db
from voting.models import Event
from voting.services import delegates

Factory = Callable[..., Any]


def first_state(socket: Any) -> dict[str, Any]:
    """The snapshot sent on connecting: always the first message (pushes may follow it)."""
    received = socket.get_received()
    assert received and received[0]["name"] == "state"
    return dict(received[0]["args"][0])


@pytest.mark.parametrize("audience", ["projector", "console"])
def test_screen_gets_an_initial_state_with_seq(connect: Factory, new_event: Factory, audience: str) -> None:
    event_id = new_event()
    socket = connect(audience, event_id)
    assert socket.is_connected()
    state = first_state(socket)
    assert isinstance(state["seq"], int)
    assert state["event"]["id"] == event_id
    assert state["open"] == ["1", "3"]
    assert state["matrix"]["columns"] == ["1", "2", "3"]
    assert cell(state, "00S", "1") == "NA"


def test_vote_pushes_a_newer_state_to_both_screens(
    app: Flask, connect: Factory, new_event: Factory, delegate: Factory, vote: Factory
) -> None:
    event_id = new_event()
    token = delegate(event_id, "00R")["token"]
    settle(app)
    projector, console = connect("projector", event_id), connect("console", event_id)
    before = first_state(projector)
    first_state(console)
    assert before["contracts"][0]["counts"]["2"] == 0
    vote(token, "1", 2, "vote-live-001")
    for socket in (projector, console):
        state = wait_for(socket, "state", lambda s: cell(s, "00R", "1") == "2")
        assert state["seq"] > before["seq"]
        assert state["contracts"][0]["code"] == "1"
        assert state["contracts"][0]["counts"]["2"] == 1
        assert state["contracts"][0]["voted"] == 1
        assert state["contracts"][0]["votes"]["2"] == 1


def test_projector_never_sees_people_the_console_does(
    app: Flask, connect: Factory, new_event: Factory, delegate: Factory, vote: Factory
) -> None:
    event_id = new_event()
    token = delegate(event_id, "00Q", "Dora Delegate")["token"]
    with app.app_context():
        delegates.request_admission(db.session.get(Event, event_id), "00S", "Pat Pending")
    settle(app)
    projector, console = connect("projector", event_id), connect("console", event_id)
    initial = first_state(projector)
    console_initial = first_state(console)
    vote(token, "1", 3, "vote-names-01")
    pushed = wait_for(projector, "state", lambda s: cell(s, "00Q", "1") == "3")
    console_pushed = wait_for(console, "state", lambda s: cell(s, "00Q", "1") == "3")
    for state in (initial, pushed):
        assert not {"pending", "organisations", "splits"} & set(state)
        assert "Pat Pending" not in json.dumps(state)
        assert "Dora Delegate" not in json.dumps(state)
    for state in (console_initial, console_pushed):
        assert state["pending"] == [
            {"id": state["pending"][0]["id"], "name": "Pat Pending", "organisation": "Gamma CCG"}
        ]
        assert [org["delegates"] for org in state["organisations"]] == [1, 0, 0]
    assert console_pushed["organisations"][0]["open_voted"] == 1


def test_projector_of_another_event_hears_nothing(
    app: Flask, connect: Factory, new_event: Factory, delegate: Factory, vote: Factory
) -> None:
    event_a, event_b = new_event("Event A"), new_event("Event B")
    token = delegate(event_a, "00Q")["token"]
    settle(app)
    projector_a, projector_b = connect("projector", event_a), connect("projector", event_b)
    first_state(projector_a)
    b_before = first_state(projector_b)
    vote(token, "1", 5, "vote-a-only-1")
    wait_for(projector_a, "state", lambda s: cell(s, "00Q", "1") == "5")
    for message in collect(projector_b, 0.3):
        state = message["args"][0]
        assert state["event"]["id"] == event_b
        assert state["matrix"] == b_before["matrix"]
    assert cell(b_before, "00Q", "1") == ""


@pytest.mark.parametrize(
    "auth",
    [
        None,
        {},
        {"audience": "projector"},
        {"audience": "projector", "event": "{event}"},
        {"audience": "console", "event": "{event}", "token": "wrong-token"},
        {"audience": "projector", "event": "{event}", "token": 42},
        {"audience": "projector", "event": 999999, "token": "{token}"},
        {"audience": "projector", "event": "1", "token": "{token}"},
        {"audience": "wallboard", "event": "{event}", "token": "{token}"},
        {"audience": "delegate"},
    ],
)
def test_screens_without_valid_credentials_are_refused(
    connect: Factory, new_event: Factory, api_token: str, auth: Any
) -> None:
    event_id = new_event()
    if isinstance(auth, dict):
        auth = {
            k: event_id if v == "{event}" else api_token if v == "{token}" else v for k, v in auth.items()
        }
    socket = connect("projector", auth=auth)
    assert not socket.is_connected()


def test_signed_in_console_session_needs_no_token(app: Flask, new_event: Factory) -> None:
    from voting.extensions import socketio
    from voting.services import auth

    event_id = new_event()
    with app.app_context():
        auth.set_password("a facilitator password")
        signed_in = auth.start_session()
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["facilitator"] = True
        session["facilitator_session"] = signed_in  # as signing in records it
    socket = socketio.test_client(
        app, flask_test_client=browser, auth={"audience": "console", "event": event_id}
    )
    assert socket.is_connected()
    assert "pending" in first_state(socket)
    socket.disconnect()


def test_quick_votes_are_coalesced_and_the_last_push_has_them_all(
    app: Flask, connect: Factory, new_event: Factory, delegate: Factory, vote: Factory
) -> None:
    event_id = new_event()
    orgs = ["00Q"] * 7 + ["00R"] * 7 + ["00S"] * 6
    tokens = [delegate(event_id, org, f"Delegate {i}")["token"] for i, org in enumerate(orgs)]
    app.extensions["voting_publisher"].interval = 0.1  # the production setting
    settle(app)
    projector = connect("projector", event_id)
    initial = first_state(projector)
    level = {"00Q": 1, "00R": 2, "00S": 3}
    for i, (org, token) in enumerate(zip(orgs, tokens, strict=True)):
        vote(token, "3", level[org], f"vote-burst-{i:03d}")
    pushes = [m["args"][0] for m in collect(projector, 1.0) if m["name"] == "state"]
    assert 1 <= len(pushes) < 10
    # In order. On PostgreSQL seq names the read snapshot, and a vote committed before its mark can
    # make two pushes read the same snapshot: equal seq then means the very same state, never a step back.
    assert [p["seq"] for p in pushes] == sorted(p["seq"] for p in pushes)

    def without_clock(push: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in push.items() if key != "now"}  # the server's clock ticks on

    for earlier, later in zip(pushes, pushes[1:], strict=False):
        assert earlier["seq"] < later["seq"] or without_clock(earlier) == without_clock(later)
    assert pushes[0]["seq"] > initial["seq"]
    last = pushes[-1]
    assert last["contracts"][2]["votes"] == {"1": 7, "2": 7, "3": 6, "4": 0, "5": 0}
    assert last["contracts"][2]["counts"] == {"1": 1, "2": 1, "3": 1, "4": 0, "5": 0}
    assert [cell(last, org, "3") for org in ("00Q", "00R", "00S")] == ["1", "2", "3"]
