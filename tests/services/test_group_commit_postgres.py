"""Group commit on PostgreSQL: after a failed statement the transaction is aborted ("current
transaction is aborted, commands ignored until end of transaction block"), and psycopg2's commit()
on it rolls back without raising. PostgreSQL's SAVEPOINT page: "A savepoint is a special mark inside
a transaction that allows all commands that are executed after it was established to be rolled back,
restoring the transaction state to what it was at the time of the savepoint." A vote answered 200
must be stored: either the failure stays inside its savepoint and costs only its own job, or no job
of the batch is acknowledged."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, select, text

from tests.conftest import app_on_postgres
from tests.scaleout.conftest import admin
from tests.services.test_group_commit import insert, not_saved, run_together
from voting.extensions import db
from voting.models import Delegate, Vote
from voting.services.voters import Voter
from voting.services.votes import _decide_and_record


@pytest.fixture
def app(tmp_path: Any) -> Iterator[Flask]:
    yield from app_on_postgres(tmp_path)


def fails_outside_a_savepoint(connection: Connection) -> str:
    connection.execute(text("SELECT 1 / 0"))  # aborts the transaction the whole batch shares
    return "never"


def fails_inside_its_savepoint(connection: Connection) -> str:
    with connection.begin_nested():
        connection.execute(text("SELECT 1 / 0"))
    return "never"


def drops_the_connection(connection: Connection) -> str:
    connection.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
    return "never"


def test_a_statement_failing_outside_its_savepoint_fails_the_whole_batch(
    app: Flask, scratch: Callable[[], list[str]]
) -> None:
    """Before: "a" was answered as stored, then the commit rolled it back without a word."""
    with app.app_context():
        outcomes = run_together(app, [insert("a"), fails_outside_a_savepoint, insert("c")])
    assert all(not_saved(outcome) for outcome in outcomes), outcomes
    assert scratch() == []


def test_a_statement_failing_inside_its_savepoint_costs_only_its_own_job(
    app: Flask, scratch: Callable[[], list[str]]
) -> None:
    with app.app_context():
        outcomes = run_together(app, [insert("a"), fails_inside_its_savepoint, insert("c")])
    assert outcomes[0] == "a" and outcomes[2] == "c"
    assert not_saved(outcomes[1])
    assert scratch() == ["a", "c"]


def test_a_dropped_connection_fails_the_whole_batch(app: Flask, scratch: Callable[[], list[str]]) -> None:
    with app.app_context():
        outcomes = run_together(app, [insert("a"), drops_the_connection, insert("c")])
        assert all(not_saved(outcome) for outcome in outcomes), outcomes
        assert scratch() == []
        assert run_together(app, [insert("d")]) == ["d"]  # the writer goes on with a new connection
    assert scratch() == ["d"]


def test_a_vote_whose_first_read_times_out_leaves_its_batch_mates_stored(
    app: Flask, world: SimpleNamespace
) -> None:
    """The vote's first statement (reading its standing) waits for a lock that another session
    holds, past lock_timeout, and is cancelled: inside the vote's savepoint, that costs this vote
    only, and the votes after it in the batch are stored and acknowledged."""

    def vote(voter: Voter, level: int, vote_id: str) -> Callable[[Connection], Any]:
        return lambda connection: _decide_and_record(connection, voter, "3", level, vote_id, "delegate")

    def short_lock_waits(connection: Connection) -> str:
        connection.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")  # for the rest of the batch
        return "set"

    def unlock(_connection: Connection) -> str:
        locker.rollback()
        return "unlocked"

    event_id, ids = world.event.id, {name: getattr(world, name).id for name in ("ann", "bea", "gus")}
    db.session.remove()  # the fixture's transaction holds the write lock the writer needs
    locker = admin(db.engine.url.database)
    locker.autocommit = False
    with locker.cursor() as cursor:
        cursor.execute("LOCK TABLE holding IN ACCESS EXCLUSIVE MODE")
    try:
        outcomes = run_together(
            app,
            [
                short_lock_waits,
                vote(Voter(ids["bea"]), 3, "bea-vote-0001"),  # waits for the lock, then is cancelled
                unlock,
                vote(Voter(ids["ann"]), 2, "ann-vote-0001"),
                vote(Voter(ids["gus"]), 4, "gus-vote-0001"),
            ],
        )
    finally:
        locker.close()
    assert outcomes[0] == "set" and outcomes[2] == "unlocked"
    assert not_saved(outcomes[1])
    (ann, ann_event), (gus, gus_event) = outcomes[3], outcomes[4]
    assert (ann.contract, ann.level, ann.duplicate, ann_event) == ("3", 2, False, event_id)
    assert (gus.contract, gus.level, gus.duplicate, gus_event) == ("3", 4, False, event_id)
    assert 0 < ann.seq < gus.seq  # both chained, in the order they were written
    stored = db.session.execute(select(Delegate.name, Vote.level).join(Vote, Vote.delegate_id == Delegate.id))
    assert sorted(stored) == [("Ann", 2), ("Gus", 4)]
