"""What a screen push costs does not grow with the votes cast, and building one takes no write lock.

No timings here (pytest never asserts on them; scripts/bench_lib/push_cost.py measures): these tests
look at which statements a push runs and whether it waits for SQLite's write lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event as sa_event

from tests.realtime.conftest import cell, settle
from voting.extensions import db

Factory = Callable[..., Any]


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app runs meanwhile (any thread)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)


def push(app: Flask, event_id: int) -> list[str]:
    """The statements of one coalesced screen push, as the publisher's background task runs it."""
    publisher = app.extensions["voting_publisher"]
    with statements(app) as seen:
        publisher.flush(event_id, {"state"})
    return seen


def test_a_push_runs_the_same_statements_after_ten_votes_or_a_hundred_and_sixty(
    app: Flask, new_event: Factory, delegate: Factory, vote: Factory
) -> None:
    event_id = new_event()
    app.extensions["voting_publisher"].stop()  # only this test's pushes run
    orgs = ["00Q", "00R", "00S"]
    tokens = [delegate(event_id, orgs[i % 3], f"Delegate {i}")["token"] for i in range(40)]
    push(app, event_id)  # the first push after start builds the event's tally from the vote table

    def votes_then_push(levels: range) -> list[str]:
        for level in levels:
            for i, token in enumerate(tokens[:10] if len(levels) == 1 else tokens):
                vote(token, "3", level, f"vote-cost-{level}-{i:03d}")
        return push(app, event_id)

    few = votes_then_push(range(1, 2))  # 10 votes cast
    many = votes_then_push(range(2, 6))  # 160 more (40 delegates, each changing their vote 4 times)
    assert few == many
    assert not [s for s in many if " FROM vote " in f"{s} " or " JOIN vote " in f"{s} "]
    assert not [s for s in many if s.startswith(("BEGIN IMMEDIATE", "INSERT", "UPDATE", "DELETE"))]


@contextmanager
def write_lock_held(app: Flask) -> Iterator[None]:
    """Another connection holds SQLite's write lock (as a vote being committed does)."""
    with app.app_context():
        path = db.engine.url.database
    other = sqlite3.connect(str(path), isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.mark.sqlite_only
def test_screens_are_built_and_sent_without_waiting_for_the_write_lock(
    app: Flask,
    client: FlaskClient,
    api_headers: dict[str, str],
    connect: Factory,
    new_event: Factory,
    delegate: Factory,
    vote: Factory,
) -> None:
    event_id = new_event()
    vote(delegate(event_id, "00R")["token"], "1", 2, "vote-lock-01")
    settle(app)
    with write_lock_held(app):
        # With BEGIN IMMEDIATE each of these would wait out busy_timeout, then fail "database is locked".
        with statements(app) as seen:
            app.extensions["voting_publisher"].flush(event_id, {"state"})
        assert "BEGIN" in seen
        assert "BEGIN IMMEDIATE" not in seen
        projector = connect("projector", event_id)
        assert cell(projector.get_received()[0]["args"][0], "00R", "1") == "2"
        response = client.get(f"/api/v1/events/{event_id}", headers=api_headers)
        assert response.status_code == 200
        assert cell(response.get_json(), "00R", "1") == "2"
