"""Where Flask-Limiter keeps its counts (voting/web/rate_limits.py), and what happens without it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import CONTRACTS_CSV, ORGANISATIONS_CSV, app_with_database
from voting.extensions import db
from voting.models import Event
from voting.services import contracts, delegates, events, imports
from voting.web.rate_limits import storage_settings


def test_counts_stay_in_the_process_unless_the_message_queue_is_redis() -> None:
    """One process: no network round trip per vote. Scaled out on Redis: the same Redis, with keys
    of this deployment's channel (delegate 1 of one database is not delegate 1 of another)."""
    assert storage_settings({}) == {"RATELIMIT_STORAGE_URI": "voting-memory://"}
    assert storage_settings({"SOCKETIO_MESSAGE_QUEUE": "amqp://127.0.0.1"}) == {
        "RATELIMIT_STORAGE_URI": "voting-memory://"
    }
    scaled = storage_settings(
        {"SOCKETIO_MESSAGE_QUEUE": "redis://10.0.0.5:6379/2", "SOCKETIO_CHANNEL": "hall"}
    )
    assert scaled["RATELIMIT_STORAGE_URI"] == "redis://10.0.0.5:6379/2"
    assert scaled["RATELIMIT_STORAGE_OPTIONS"]["key_prefix"] == "voting-limits:hall"
    # A storage named outright is kept.
    assert (
        storage_settings({"RATELIMIT_STORAGE_URI": "memory://", "SOCKETIO_MESSAGE_QUEUE": "redis://x"}) == {}
    )


@pytest.fixture
def app_without_its_redis(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    """The app with its limit storage on a Redis address where nothing answers."""
    monkeypatch.setattr(
        "tests.conftest.TestingConfig.RATELIMIT_STORAGE_URI", "redis://127.0.0.1:1/0", raising=False
    )
    yield from app_with_database(tmp_path, database_url)


def test_votes_are_still_limited_per_process_while_redis_does_not_answer(
    app_without_its_redis: Flask,
) -> None:
    """Flask-Limiter's in-memory fallback (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED, the app's choice):
    votes are taken, not refused with an error, and each process still counts on its own."""
    app = app_without_its_redis
    with app.app_context():
        event = events.create_event("No Redis")
        imports.import_organisations(event, ORGANISATIONS_CSV)
        imports.import_contracts(event, CONTRACTS_CSV)
        _delegate, token = delegates.create_delegate(event, "00Q", "Ann")
        contracts.open_contracts(db.session.get(Event, event.id), ["1"])
    client = app.test_client()

    def vote(n: int) -> Any:
        body = {"contract": "1", "level": n % 5 + 1, "vote_id": f"vote-no-redis-{n:06d}"}
        return client.post("/api/v1/vote", json=body, headers={"Authorization": f"Bearer {token}"})

    assert [vote(n).status_code for n in range(60)] == [200] * 60
    refused = vote(60)
    assert refused.status_code == 429
    assert "Too many votes too quickly" in refused.get_json()["error"]


def test_a_successful_sign_in_starts_the_count_of_wrong_passwords_afresh(client: Any, password: str) -> None:
    """SIGN_IN_LIMIT counts wrong passwords only (a refused one is not counted twice), and signing
    in forgets those already made from this address."""
    from tests.web.test_security import sign_in

    for _ in range(4):
        assert sign_in(client, "wrong password!").status_code == 401
    assert sign_in(client, password).status_code == 302
    for _ in range(5):
        assert sign_in(client, "wrong password!").status_code == 401
    blocked = sign_in(client, "wrong password!")
    assert blocked.status_code == 429
    assert "Too many wrong passwords. Try again in 15 minutes." in blocked.get_data(as_text=True)


def test_an_app_made_after_one_whose_redis_was_down_counts_on_its_own_storage(tmp_path: Path) -> None:
    """The limiter is shared by every app in a process: the 'storage is down' state an earlier app
    left must not split a later app's counts between two storages (seen once in a full run: the
    sixth sign-in went through)."""
    from tests.conftest import PASSWORD
    from tests.web.test_security import sign_in
    from voting.extensions import limiter
    from voting.services import auth

    limiter._storage_dead = True  # as an app whose Redis did not answer leaves it
    made = app_with_database(tmp_path, f"sqlite:///{tmp_path / 'after.sqlite3'}")
    app = next(made)
    try:
        with app.app_context():
            auth.set_password(PASSWORD)
        client = app.test_client()
        for _ in range(5):
            assert sign_in(client, "wrong password!").status_code == 401
        assert sign_in(client, PASSWORD).status_code == 429
    finally:
        made.close()
