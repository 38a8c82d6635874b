"""Socket.IO fixtures: an event set up over the API, screens and phones connected to it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import CONTRACTS_CSV, ORGANISATIONS_CSV
from voting.extensions import socketio


def settle(app: Flask) -> None:
    """Let pushes already queued by the set-up go out, so a test only sees its own."""
    time.sleep(app.extensions["voting_publisher"].interval * 5 + 0.05)


def collect(socket: Any, seconds: float) -> list[dict[str, Any]]:
    """Every message the socket receives over `seconds` (plus any already waiting)."""
    received: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        received.extend(socket.get_received())
        time.sleep(0.01)
    received.extend(socket.get_received())
    return received


def cell(state: dict[str, Any], org: str, contract: str) -> str:
    column = state["matrix"]["columns"].index(contract)
    row = next(r for r in state["matrix"]["rows"] if r["code"] == org)
    return str(row["cells"][column])


@pytest.fixture
def api(client: FlaskClient, api_headers: dict[str, str]) -> Callable[..., Any]:
    """Call the facilitator API: api("post", "/events/1/contracts/2/open", json=...)."""

    def call(method: str, path: str, **kwargs: Any) -> Any:
        headers = api_headers | kwargs.pop("headers", {})
        response = getattr(client, method)(f"/api/v1{path}", headers=headers, **kwargs)
        assert response.status_code < 300, response.get_json()
        return response.get_json()

    return call


@pytest.fixture
def new_event(api: Callable[..., Any]) -> Callable[..., int]:
    """An event with the sample organisations and contracts, contracts 1 and 3 open."""

    def make(name: str = "Live event") -> int:
        event_id = int(api("post", "/events", json={"name": name})["id"])
        for kind, body in (("organisations", ORGANISATIONS_CSV), ("contracts", CONTRACTS_CSV)):
            api("put", f"/events/{event_id}/{kind}", data=body, headers={"Content-Type": "text/csv"})
        for code in ("1", "3"):
            api("post", f"/events/{event_id}/contracts/{code}/open")
        return event_id

    return make


@pytest.fixture
def delegate(api: Callable[..., Any]) -> Callable[..., dict[str, Any]]:
    def make(event_id: int, org: str, name: str = "Dee Legate") -> dict[str, Any]:
        return dict(api("post", f"/events/{event_id}/delegates", json={"organisation": org, "name": name}))

    return make


@pytest.fixture
def vote(client: FlaskClient) -> Callable[..., None]:
    def cast(token: str, contract: str, level: int, vote_id: str) -> None:
        body = {"contract": contract, "level": level, "vote_id": vote_id}
        response = client.post("/api/v1/vote", json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.get_json()

    return cast


@pytest.fixture
def connect(app: Flask, api_token: str) -> Iterator[Callable[..., Any]]:
    """Socket.IO test clients, disconnected at the end of the test.

    connect("projector", event_id) / connect("console", event_id) authenticate with the API token;
    connect("delegate", join_token=...) follows the personal link in its own browser first
    (or reuses `browser`, whose session already names the delegate).
    """
    opened: list[Any] = []

    def make(
        audience: str,
        event_id: int | None = None,
        *,
        join_token: str = "",
        auth: Any = "",
        browser: FlaskClient | None = None,
    ) -> Any:
        browser = browser or app.test_client()
        if join_token:
            assert browser.get(f"/j/{join_token}").status_code == 302
        if auth == "":
            auth = {"audience": audience, "event": event_id, "token": api_token}
            if audience == "delegate":
                auth = {"audience": "delegate"}
        socket = socketio.test_client(app, flask_test_client=browser, auth=auth)
        opened.append(socket)
        return socket

    yield make
    for socket in opened:
        if socket.is_connected():
            socket.disconnect()
