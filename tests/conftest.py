"""Shared fixtures: an app on a temporary database, clients, tokens and event factories.

The app runs on a temporary SQLite file, or, with VOTING_TEST_DATABASE=postgresql, on a fresh
PostgreSQL database of its own (127.0.0.1:5432, dropped after the test): scripts/test runs the
in-process suites both ways, so every write path is tried on both databases. Tests about SQLite
itself are marked `sqlite_only` and left out of the PostgreSQL run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from voting import create_app
from voting.config import TestingConfig
from voting.extensions import db, socketio
from voting.models import Event
from voting.services import auth, delegates, events, imports

PASSWORD = "correct horse battery staple"

ORGANISATIONS_CSV = b"code,name,neighbours\n00Q,Alpha CCG,00R\n00R,Beta CCG,00Q;00S\n00S,Gamma CCG,00R\n"
CONTRACTS_CSV = (
    b"contract,contract_name,organisation,annual_value_gbp,activity\n"
    b"1,Acute - North FT,00Q,25000000,12000\n"
    b"1,Acute - North FT,00R,18000000,9000\n"
    b"2,Mental health - Tyne FT,00R,4000000,800\n"
    b"2,Mental health - Tyne FT,00S,3500000,700\n"
    b"3,NHS 111,00Q,300000,\n"
    b"3,NHS 111,00R,250000,\n"
    b"3,NHS 111,00S,200000,\n"
)


POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"


def on_postgresql() -> bool:
    """True when this run puts the in-process tests on PostgreSQL (VOTING_TEST_DATABASE)."""
    return os.environ.get("VOTING_TEST_DATABASE", "sqlite").lower() == "postgresql"


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database of its own, dropped on leaving."""
    from tests.scaleout.conftest import START, admin_run, unreachable

    reason = unreachable()
    if reason:
        pytest.skip(f"{reason}. {START}")  # in CI a skip fails the run
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin_run(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        admin_run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(tmp_path: Any) -> Iterator[str]:
    """A fresh, empty database for one test: a SQLite file, or a PostgreSQL database of its own."""
    if not on_postgresql():
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    with fresh_postgres() as url:
        yield url


@pytest.fixture
def app(tmp_path: Any, database_url: str) -> Iterator[Flask]:
    """A fresh app and database per test, in threading mode like the in-process tests must be."""
    yield from app_with_database(tmp_path, database_url)


def app_with_database(tmp_path: Any, database_url: str) -> Iterator[Flask]:
    """The test app on `database_url` (an empty database); shut down after the test."""
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PUBLIC_BASE_URL": "http://voting.test",
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }
    application = create_app(TestingConfig, config)  # nothing from the developer's environment
    yield application
    application.extensions["voting_publisher"].stop()
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def app_on_postgres(tmp_path: Any) -> Iterator[Flask]:
    """The test app on a fresh PostgreSQL database of its own, dropped afterwards."""
    with fresh_postgres() as url:
        yield from app_with_database(tmp_path, url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def api_token(app: Flask) -> str:
    """A facilitator API token, as `voting api-token` prints."""
    with app.app_context():
        return auth.issue_api_token()


@pytest.fixture
def api_headers(api_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token}"}


@pytest.fixture
def password(app: Flask) -> str:
    """The facilitator password, set as `voting set-password` would."""
    with app.app_context():
        auth.set_password(PASSWORD)
    return PASSWORD


@pytest.fixture
def facilitator(client: FlaskClient, password: str) -> FlaskClient:
    """A test client signed in to the console (CSRF is checked, so sign in through the form)."""
    from tests.helpers import csrf_token

    token = csrf_token(client, "/login")
    response = client.post("/login", data={"password": password, "csrf_token": token})
    assert response.status_code == 302
    return client


@pytest.fixture
def make_event(app: Flask) -> Callable[..., dict[str, Any]]:
    """Create an event with the small sample organisations and contracts loaded."""

    def make(
        name: str = "Test event", organisations: bytes = ORGANISATIONS_CSV, contracts: bytes = CONTRACTS_CSV
    ) -> dict[str, Any]:
        with app.app_context():
            event = events.create_event(name)
            _n, problems = imports.import_organisations(event, organisations)
            assert not problems, problems
            _n, problems = imports.import_contracts(event, contracts)
            assert not problems, problems
            return {"id": event.id, "join_code": event.join_code}

    return make


@pytest.fixture
def make_delegate(app: Flask) -> Callable[..., dict[str, Any]]:
    """Create a delegate of an organisation; returns its id and token."""

    def make(event_id: int, organisation: str, name: str = "Delegate") -> dict[str, Any]:
        with app.app_context():
            event = db.session.get(Event, event_id)
            delegate, token = delegates.create_delegate(event, organisation, name)
            return {"id": delegate.id, "token": token}

    return make


@pytest.fixture
def socket_client(app: Flask, client: FlaskClient) -> Callable[..., Any]:
    """A Flask-SocketIO test client sharing the HTTP client's cookies (signed-in session)."""

    def make(auth: dict[str, Any] | None = None, flask_client: FlaskClient | None = None) -> Any:
        return socketio.test_client(app, flask_test_client=flask_client or client, auth=auth)

    return make


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a part that was not checked: fail the run."""
    if os.environ.get("CI", "").lower() not in ("true", "1"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        reporter.write_line(
            f"CI: {len(skipped)} test(s) skipped; in CI every required part must run.", red=True
        )
        session.exitstatus = 1
