"""Pushes from two processes are ordered by the database, not by either process's clock.

Two apps on one PostgreSQL stand for two processes: "a" reads its snapshot for a push, then "b"
records a vote and builds its own push. Whichever of the two reaches a screen last, the screen
(static/js/live.js: a push numbered lower than the newest shown is dropped) ends on b's, the one
with the vote in it - even after a has handed out many numbers (wall-clock numbering per process
ran ahead of the clock there, and of every other process).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.conftest import CONTRACTS_CSV, ORGANISATIONS_CSV
from tests.scaleout.conftest import Cluster
from voting import create_app
from voting.config import TestingConfig
from voting.db_setup import begin_read
from voting.extensions import db
from voting.models import Event
from voting.realtime.publish import screen_pushes
from voting.services import contracts, delegates, events, imports
from voting.services.votes import cast_vote


def _app(cluster: Cluster, tmp: Any) -> Flask:
    config = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=cluster.url, SECRET_KEY="push-order", INSTANCE_PATH=str(tmp))
    return create_app(config)


@pytest.fixture
def two_apps(cluster: Cluster, tmp_path: Any) -> Iterator[tuple[Flask, Flask]]:
    apps = (_app(cluster, tmp_path / "a"), _app(cluster, tmp_path / "b"))
    yield apps
    for app in apps:
        app.extensions["voting_publisher"].stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _projector_push(app: Flask, event_id: int) -> dict[str, Any]:
    """What the app's publisher pushes to the projector now: built and numbered in one read."""
    begin_read()
    event = db.session.get(Event, event_id)
    assert event is not None
    pushes = screen_pushes(event, app.extensions["voting_publisher"].next_seq())
    return next(payload for _name, payload, room in pushes if room.endswith("projector"))


def _shown(arrivals: list[dict[str, Any]]) -> dict[str, Any]:
    shown = arrivals[0]
    for payload in arrivals[1:]:
        if payload["seq"] >= shown["seq"]:
            shown = payload
    return shown


def test_the_push_with_the_later_vote_wins_in_either_order(two_apps: tuple[Flask, Flask]) -> None:
    a, b = two_apps
    with b.app_context():
        event = events.create_event("Order")
        imports.import_organisations(event, ORGANISATIONS_CSV)
        imports.import_contracts(event, CONTRACTS_CSV)
        contracts.open_contracts(event, ["3"])
        delegate, _token = delegates.create_delegate(event, "00Q", "Ann")
        event_id = event.id
        db.session.remove()

    with a.app_context():
        begin_read()
        for _ in range(2000):  # a burst of reconnecting phones, each sent a numbered snapshot by a
            a.extensions["voting_publisher"].next_seq()
        db.session.remove()
        stale = _projector_push(a, event_id)  # a reads first...
        with b.app_context():
            cast_vote(delegate, "3", 4, uuid.uuid4().hex)  # ...b's vote commits after that read...
            fresh = _projector_push(b, event_id)  # ...and b pushes it
            db.session.remove()
        again = _projector_push(a, event_id)  # a's read is one snapshot to its end
        db.session.remove()

    assert stale["contracts"][2]["votes"]["4"] == 0
    assert fresh["contracts"][2]["votes"]["4"] == 1
    assert _shown([stale, fresh]) is fresh
    assert _shown([fresh, stale]) is fresh  # a's push arrived last (slow process), still dropped
    assert again["seq"] == stale["seq"] and again["contracts"] == stale["contracts"]
