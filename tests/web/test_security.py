"""Sign-in limits, sessions that end, health checks, and logs that never carry a token."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import on_postgresql
from tests.helpers import csrf_token
from voting.extensions import db, socketio
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


@pytest.mark.parametrize("redis_up", [False, True])
def test_readiness_names_a_message_queue_that_does_not_answer(tmp_path: Path, redis_up: bool) -> None:
    """With SOCKETIO_MESSAGE_QUEUE set, a process whose Redis is down cannot reach the other
    processes' phones: it is not ready, and /readyz says which part is down."""
    from tests.e2e.conftest import free_port
    from voting import create_app
    from voting.config import TestingConfig

    port = 6379 if redis_up else free_port()  # nothing listens on a port just released
    config = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'ready.sqlite3'}",
        SECRET_KEY="x",
        INSTANCE_PATH=str(tmp_path / "instance"),
        SOCKETIO_MESSAGE_QUEUE=f"redis://127.0.0.1:{port}/0",
        SOCKETIO_CHANNEL=f"readyz-test-{port}",
    )
    app = create_app(config)
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter())
    logging.getLogger("voting.web.health").addHandler(handler)
    try:
        ready = app.test_client().get("/readyz", headers={"X-Request-ID": "probe-42"})
        if redis_up:
            assert ready.status_code == 200
            assert ready.get_json() == {"status": "ok", "database": "ok", "message_queue": "ok"}
        else:
            assert ready.status_code == 503
            assert ready.get_json() == {
                "status": "unavailable",
                "database": "ok",
                "message_queue": "not answering",
            }
            # The request id the proxy sent is on the log line that explains the 503.
            logged = [json.loads(line) for line in lines.getvalue().splitlines()]
            assert [(e["message"], e["request_id"]) for e in logged] == [
                ("readiness check: the message queue (Redis) did not answer", "probe-42")
            ]
    finally:
        logging.getLogger("voting.web.health").removeHandler(handler)
        app.extensions["voting_publisher"].stop()
        with app.app_context():
            db.engine.dispose()


def test_readiness_is_503_when_the_database_does_not_answer(app: Any, tmp_path: Path) -> None:
    """SQLite: the app fixture's database file lives in tmp_path; take its folder away under the app.
    PostgreSQL: the database stops accepting connections and the app's are ended."""
    import shutil

    from tests.scaleout.conftest import admin_run

    with app.app_context():
        name = db.engine.url.database
        db.engine.dispose()
    moved = tmp_path.with_name(tmp_path.name + "-gone")
    if on_postgresql():
        admin_run(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin_run(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    else:
        shutil.move(tmp_path, moved)
    try:
        ready = app.test_client().get("/readyz")
        assert ready.status_code == 503
        assert ready.get_json() == {"status": "unavailable", "database": "not answering"}
    finally:
        with app.app_context():
            db.engine.dispose()
        if on_postgresql():
            admin_run(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        else:
            shutil.move(moved, tmp_path)


def test_log_lines_are_json_and_never_carry_a_token() -> None:
    record = logging.LogRecord(
        "voting.test", logging.INFO, __file__, 1, "joined via %s", ("/j/SeCrEtToKeN123456",), None
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "joined via /j/[redacted]"
    assert line["level"] == "info" and line["logger"] == "voting.test"
    assert redact("Authorization: Bearer abcdefgh12345678") == "Authorization: Bearer [redacted]"


def test_votes_are_limited_per_delegate_not_per_address(
    app: Any, client: FlaskClient, make_event: Any, make_delegate: Any
) -> None:
    from voting.extensions import db
    from voting.models import Event
    from voting.services import contracts

    event = make_event()
    ann, bo = make_delegate(event["id"], "00Q", "Ann"), make_delegate(event["id"], "00R", "Bo")
    with app.app_context():
        contracts.open_contracts(db.session.get(Event, event["id"]), ["1"])

    def vote(who: dict[str, Any], n: int) -> Any:
        body = {"contract": "1", "level": 2, "vote_id": f"vote-{who['id']}-{n:06d}"}
        return client.post("/api/v1/vote", json=body, headers={"Authorization": f"Bearer {who['token']}"})

    assert all(vote(ann, n).status_code == 200 for n in range(60))
    refused = vote(ann, 61)
    assert refused.status_code == 429
    assert "Too many votes too quickly" in refused.get_json()["error"]
    assert vote(bo, 1).status_code == 200  # same address, another delegate: unaffected


def test_oversized_uploads_are_refused_with_413(
    client: FlaskClient, api_headers: dict[str, str], make_event: Any
) -> None:
    event = make_event()
    response = client.put(
        f"/api/v1/events/{event['id']}/contracts", data=b"x" * (5 * 1024 * 1024 + 1), headers=api_headers
    )
    assert response.status_code == 413
    assert response.get_json()["error"] == "The upload is too large: the limit is 5 MB. Nothing was imported."


def test_api_tokens_can_be_bound_to_one_event_and_revoked(
    app: Any, runner: Any, client: FlaskClient, make_event: Any
) -> None:
    from voting.cli import main

    a, b = make_event(name="A"), make_event(name="B")
    bound = runner.invoke(main, ["api-token", "--event", str(a["id"])]).output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {bound}"}
    assert client.get(f"/api/v1/events/{a['id']}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/events/{b['id']}", headers=headers).status_code == 401
    assert client.post("/api/v1/events", json={"name": "C"}, headers=headers).status_code == 401
    listed = runner.invoke(main, ["api-token", "--list"]).output
    number = listed.split("\t", 1)[0]
    assert f"event {a['id']}" in listed and bound not in listed
    assert runner.invoke(main, ["api-token", "--revoke", number]).exit_code == 0
    assert client.get(f"/api/v1/events/{a['id']}", headers=headers).status_code == 401


def test_cookies_are_secure_and_hsts_sent_only_over_https(tmp_path: Any, monkeypatch: Any) -> None:
    from voting import create_app

    monkeypatch.setenv("PUBLIC_BASE_URL", "https://vote.example.nhs.uk")
    monkeypatch.setenv("TRUST_PROXY", "1")
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'https.sqlite3'}", "SECRET_KEY": "x"}
    )
    client = app.test_client()
    over_https = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in over_https.headers["Set-Cookie"]
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.extensions["voting_publisher"].stop()


def test_a_plain_http_venue_lan_gets_ordinary_cookies(client: FlaskClient) -> None:
    response = client.get("/login")
    assert "Secure" not in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in response.headers
