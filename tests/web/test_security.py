"""Sign-in limits, sessions that end, health checks, and logs that never carry a token."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask.testing import FlaskClient

from tests.helpers import csrf_token
from voting.extensions import socketio
from voting.logs import JsonFormatter, redact
from voting.services import auth


def sign_in(client: FlaskClient, password: str) -> Any:
    return client.post("/login", data={"password": password, "csrf_token": csrf_token(client, "/login")})


def test_sign_in_is_limited_after_five_wrong_passwords(client: FlaskClient, password: str) -> None:
    for _ in range(5):
        assert sign_in(client, "wrong password!").status_code == 401
    blocked = sign_in(client, password)  # even the right one, until the wait is over
    assert blocked.status_code == 429
    assert "Too many wrong passwords. Try again in 15 minutes." in blocked.get_data(as_text=True)


def test_changing_the_password_signs_every_console_out(
    app: Any, facilitator: FlaskClient, make_event: Any
) -> None:
    event = make_event()
    assert facilitator.get(f"/events/{event['id']}").status_code == 200
    screen = socketio.test_client(
        app, flask_test_client=facilitator, auth={"audience": "console", "event": event["id"]}
    )
    assert screen.is_connected()
    with app.app_context():
        auth.set_password("a brand new password")
    assert not screen.is_connected(), "the live console is closed"
    assert facilitator.get(f"/events/{event['id']}").headers["Location"].startswith("/login")


def test_signing_out_closes_this_sign_ins_screens(
    app: Any, facilitator: FlaskClient, make_event: Any
) -> None:
    event = make_event()
    screen = socketio.test_client(
        app, flask_test_client=facilitator, auth={"audience": "projector", "event": event["id"]}
    )
    assert screen.is_connected()
    facilitator.post("/logout", data={"csrf_token": csrf_token(facilitator, f"/events/{event['id']}")})
    assert not screen.is_connected()
    assert facilitator.get("/").status_code == 302


def test_health_and_readiness(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["database"] == "ok"
    assert len(ready.headers["X-Request-ID"]) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"


def test_log_lines_are_json_and_never_carry_a_token() -> None:
    record = logging.LogRecord(
        "voting.test", logging.INFO, __file__, 1, "joined via %s", ("/j/SeCrEtToKeN123456",), None
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "joined via /j/[redacted]"
    assert line["level"] == "info" and line["logger"] == "voting.test"
    assert redact("Authorization: Bearer abcdefgh12345678") == "Authorization: Bearer [redacted]"
