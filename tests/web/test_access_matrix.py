"""Who may do what: every HTTP route x {no credentials, delegate of A, delegate of B, facilitator} x
{event A, event B}. Only the allowed cells succeed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import csrf_token
from voting.extensions import db, socketio
from voting.models import Event
from voting.services import polls

PUBLIC = {
    "facilitator.login",
    "delegate.enter_code",
    "delegate.join",
    "delegate.personal_link",
    "health.healthz",
    "health.readyz",
    "static",
    "delegate.vote",
    "delegate.vote_form",
    "delegate.poll_form",
    "delegate.declare_form",
    "delegate.confirm_form",
    "delegate.arrangement_form",
    "facilitator.logout",
    "api.openapi_json",  # the API's OpenAPI description: public, like the docs it mirrors
    "nhsuk_assets.static",  # the NHS frontend's icons, at /assets
    "nhsuk_assets.organiser_logo",  # the organiser's logo in every page's header
}
DELEGATE_API = {"api.vote", "api.answer_poll", "api.declare", "api.confirm", "api.ballot"}


def audience(endpoint: str, rule: str) -> str:
    if endpoint in PUBLIC:
        return "public"
    if endpoint in DELEGATE_API:
        return "delegate-api"
    return "facilitator-api" if rule.startswith("/api/") else "console"


def url_for_rule(rule: str, event: dict[str, Any]) -> str:
    """Fill a rule's placeholders with values belonging to the given event."""
    values = {
        "event_id": event["id"],
        "poll_id": event["poll"],
        "delegate_id": event["delegate_id"],
        "version_id": 1,
        "contract": "1",
        "key": "1:2:1",
        "token": event["token"],
        "code": event["join_code"],
        "filename": "css/app.css",
    }

    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "", match.group(2)
        if converter.startswith("any("):
            return converter[4:].split(",")[0].strip()
        return str(values.get(name, "x"))

    return re.sub(r"<(?:([^:>]+):)?([^>]+)>", fill, rule)


@pytest.fixture
def world(
    app: Flask, make_event: Any, make_delegate: Any, api_token: str, facilitator: FlaskClient
) -> dict[str, Any]:
    """Events A and B, each with a delegate and a poll; a signed-in facilitator and an API token."""
    events = {}
    for name in ("A", "B"):
        made = make_event(name=f"Event {name}")
        delegate = make_delegate(made["id"], "00Q", f"Delegate {name}")
        with app.app_context():
            poll = polls.create_poll(
                db.session.get(Event, made["id"]), "yes_no_unsure", "Appetite?", None, False
            )
            polls.set_status(poll, "open")
            made.update(poll=poll.id, delegate_id=delegate["id"], token=delegate["token"])
        events[name] = made
    return {"events": events, "api_token": api_token, "facilitator": facilitator}


def delegate_client(app: Flask, token: str) -> FlaskClient:
    client = app.test_client()
    client.get(f"/j/{token}")
    return client


def call(client: FlaskClient, method: str, url: str, csrf: str, bearer: str | None) -> Any:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    if method == "GET":
        return client.get(url, headers=headers)
    if url.startswith("/api/"):
        return client.open(url, method=method, json={}, headers=headers)
    return client.open(url, method=method, data={"csrf_token": csrf}, headers=headers)


def test_every_route_refuses_who_it_should(app: Flask, world: dict[str, Any]) -> None:
    a, b = world["events"]["A"], world["events"]["B"]
    anonymous = app.test_client()
    clients = {
        "nobody": (anonymous, csrf_token(anonymous, "/login"), None),
        "delegate of A": (delegate_client(app, a["token"]), "", a["token"]),
        "delegate of B": (delegate_client(app, b["token"]), "", b["token"]),
    }
    for name in ("delegate of A", "delegate of B"):
        client, _csrf, token = clients[name]
        clients[name] = (client, csrf_token(client, "/vote"), token)
    failures = []
    for rule in app.url_map.iter_rules():
        kind = audience(rule.endpoint, rule.rule)
        if kind == "public":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for event in (a, b):
                url = url_for_rule(rule.rule, event)
                for who, (client, csrf, token) in clients.items():
                    if kind == "delegate-api" and who != "nobody":
                        continue  # delegates' own calls: checked per event below
                    response = call(client, method, url, csrf, token)
                    refused = response.status_code == 401 or (
                        response.status_code == 302 and response.headers["Location"].startswith("/login")
                    )
                    if not refused:
                        failures.append(f"{who}: {method} {url} -> {response.status_code}")
    assert not failures, "\n".join(failures)


def test_the_facilitator_reaches_every_route(app: Flask, world: dict[str, Any]) -> None:
    console, token = world["facilitator"], world["api_token"]
    csrf = csrf_token(console, "/")
    failures = []
    for rule in app.url_map.iter_rules():
        kind = audience(rule.endpoint, rule.rule)
        if kind not in ("console", "facilitator-api"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = url_for_rule(rule.rule, world["events"]["A"])
            response = call(console, method, url, csrf, token if kind == "facilitator-api" else None)
            location = response.headers.get("Location", "")
            if (
                response.status_code in (401, 403)
                or location.startswith("/login")
                or response.status_code >= 500
            ):
                failures.append(f"{method} {url} -> {response.status_code}")
    assert not failures, "\n".join(failures)


def test_a_delegate_cannot_act_on_another_event(app: Flask, world: dict[str, Any]) -> None:
    a, b = world["events"]["A"], world["events"]["B"]
    headers = {"Authorization": f"Bearer {a['token']}"}
    client = app.test_client()
    other_poll = client.post(
        f"/api/v1/polls/{b['poll']}/answer",
        json={"answer": "Yes", "vote_id": "vote-cross-0001"},
        headers=headers,
    )
    assert other_poll.status_code == 404
    own_poll = client.post(
        f"/api/v1/polls/{a['poll']}/answer",
        json={"answer": "Yes", "vote_id": "vote-own-00001"},
        headers=headers,
    )
    assert own_poll.status_code == 200
    # A delegate's phone session cannot open screens of its own event, let alone another's.
    phone = delegate_client(app, a["token"])
    for event in (a, b):
        for screen in ("projector", "console"):
            socket = socketio.test_client(
                app, flask_test_client=phone, auth={"audience": screen, "event": event["id"]}
            )
            assert not socket.is_connected(), (screen, event["id"])
