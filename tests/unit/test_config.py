"""create_app(config_class): Config reads the deployment's environment, TestingConfig reads none of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from voting import create_app
from voting.config import Config, TestingConfig

DEVELOPERS_ENVIRONMENT = {
    "SECRET_KEY": "the-developers-own-secret",
    "AUDIT_KEY": "the-developers-own-audit-key",
    "PUBLIC_BASE_URL": "https://vote.example.org",
    "SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/9",
    "SOCKETIO_CHANNEL": "the-developers-channel",
    "SOCKETIO_ASYNC_MODE": "eventlet",
    "TRUST_PROXY": "2",
    "FACILITATOR_SESSION_HOURS": "1",
    "ORGANISER_LOGO_URL": "logo.png",
}


def _stop(app: Any) -> None:
    app.extensions["voting_publisher"].stop()
    with app.app_context():
        from voting.extensions import db

        db.engine.dispose()


def test_testing_config_ignores_the_developers_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: every app read DATABASE_URL, SECRET_KEY and the rest from os.environ, so a developer's
    shell (or .env) could point the tests at their real database or message queue."""
    elsewhere = tmp_path / "the-developers-real.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{elsewhere}")
    for name, value in DEVELOPERS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    instance = tmp_path / "instance"
    app = create_app(TestingConfig, {"INSTANCE_PATH": str(instance)})
    try:
        assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'voting.sqlite3'}"
        assert not elsewhere.exists()
        assert app.config["SECRET_KEY"] == TestingConfig.SECRET_KEY
        assert app.config["AUDIT_KEY"] == TestingConfig.AUDIT_KEY
        assert app.config["PUBLIC_BASE_URL"] == ""
        assert app.config["SOCKETIO_MESSAGE_QUEUE"] is None
        assert app.config["SOCKETIO_CHANNEL"] is None
        assert app.config["SOCKETIO_ASYNC_MODE"] == "threading"
        assert app.config["TRUST_PROXY"] == 0
        assert app.config["FACILITATOR_SESSION_HOURS"] == 12
        assert app.config["ORGANISER_LOGO_URL"] is None
        assert app.config["SESSION_COOKIE_SECURE"] is False
        assert app.config["TESTING"] is True
        # No key files made: the fixed testing keys are used instead.
        assert not (instance / "secret_key").exists() and not (instance / "audit_key").exists()
    finally:
        _stop(app)


def test_config_reads_the_deployments_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The production class still takes every setting from the environment (.env.example)."""
    database = tmp_path / "deployment.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    for name, value in DEVELOPERS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SOCKETIO_MESSAGE_QUEUE")  # no Redis needed to build the app
    app = create_app(
        Config, {"INSTANCE_PATH": str(tmp_path / "instance"), "SOCKETIO_ASYNC_MODE": "threading"}
    )
    try:
        assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{database}"
        assert database.exists()  # create_app upgraded it to the newest schema
        assert app.config["SECRET_KEY"] == "the-developers-own-secret"
        assert app.config["AUDIT_KEY"] == "the-developers-own-audit-key"
        assert app.config["PUBLIC_BASE_URL"] == "https://vote.example.org"
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["TRUST_PROXY"] == 2
        assert app.config["FACILITATOR_SESSION_HOURS"] == 1
        assert app.config["TESTING"] is False
    finally:
        _stop(app)
