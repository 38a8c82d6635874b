"""SQLite hygiene: foreign keys, WAL, full sync; writes begin IMMEDIATE, reads take no write lock.

A transaction that may write begins with `BEGIN IMMEDIATE`, so read-then-write never deadlocks and
never fails half-way on a snapshot that went stale. A read begins DEFERRED: in WAL mode it reads its
own snapshot without SQLite's write lock, so it never waits for (or blocks) a vote being committed.

Which one a transaction gets is decided when it begins, by the first rule that applies:

1. the connection's `voting_begin` execution option (`read_transaction()` / `write_transaction()`);
2. in a request, the HTTP method: GET, HEAD and OPTIONS read (Socket.IO handlers run in the
   handshake's GET request, so they read too); every other method may write;
3. otherwise (CLI, background tasks) it may write.

Services are the only writers and run from POST/PUT/DELETE requests, the CLI or the timer, so a
read transaction never has to upgrade to a write; if code ever wrote inside a GET request, SQLite
would still upgrade the lock when the snapshot is current and refuse with SQLITE_BUSY otherwise.

PostgreSQL (several server processes, docs/deployment.md) gets the same two kinds of transaction. A
write first takes one transaction-level advisory lock, `WRITE_LOCK` (released at commit or rollback),
so writers take turns as on SQLite: read-then-write is safe across processes without retries - the
vote path reads a delegate's current vote and the head of the event's audit chain, then appends link
seq+1, and no two writers can read the same head, so the unique (event_id, seq) never fires and a
vote is never counted twice - and ids are handed out in commit order (services.layout relies on
that). A read takes no lock and sees one REPEATABLE READ snapshot from its first statement to its end
(SQLite's deferred read in WAL mode does the same), which `snapshot_version` names.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import has_request_context, request
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine

from voting.extensions import db

BEGIN = "voting_begin"  # execution option naming how the next transaction begins
READ, WRITE = "read", "write"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_LOCK = 0x766F74696E67  # PostgreSQL advisory lock key ("voting"): the same in every process


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Take transaction control away from pysqlite so the "begin" hook below decides.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: an acknowledged vote survives power loss, not only a crash.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _begins_as(connection: Connection) -> str:
    chosen = connection.get_execution_options().get(BEGIN)
    if chosen in (READ, WRITE):
        return str(chosen)
    if has_request_context() and request.method in READ_METHODS:
        return READ
    return WRITE


@event.listens_for(Engine, "begin")
def _begin(connection: Connection) -> None:
    dialect = connection.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        return
    mode = _begins_as(connection)
    connection.info[BEGIN] = mode
    if dialect == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == WRITE else "BEGIN")
    elif mode == WRITE:
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
    else:
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


@contextmanager
def write_transaction() -> Iterator[Connection]:
    """A transaction that holds the write lock from its first statement: committed when the block
    ends, rolled back if it raises.

    If the session is already in a write transaction (a service called by another, a request that
    loaded objects first), the block joins it and commits the session. Otherwise it runs on a
    connection of its own, without the ORM session's bookkeeping (the vote path's fast lane).
    """
    session = db.session()
    if session.in_transaction() and not reading():
        try:
            yield session.connection()
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return
    with db.engine.connect().execution_options(**{BEGIN: WRITE}) as connection, connection.begin():
        yield connection


def transaction_usable(connection: Connection) -> bool:
    """True while the connection's transaction can still commit what was written in it.

    After a failed statement (a cancelled query, a statement or lock timeout) PostgreSQL aborts the
    whole transaction and psycopg2's commit() then rolls it back without raising; SQLite rolls a
    transaction back by itself after some errors (a full disk, an I/O error). A dropped connection
    has no transaction at all. A caller that went on after a failure asks this before committing.
    """
    if connection.invalidated or connection.closed:
        return False
    raw = connection.connection.dbapi_connection
    if isinstance(raw, sqlite3.Connection):
        return raw.in_transaction
    if getattr(raw, "closed", 0):  # psycopg2: the server or the network dropped it
        return False
    status = getattr(getattr(raw, "info", None), "transaction_status", None)
    return status is None or status == _PG_IN_TRANSACTION  # None: a driver that cannot tell


_PG_IN_TRANSACTION = 2  # psycopg2.extensions.TRANSACTION_STATUS_INTRANS (idle inside a good transaction)


@contextmanager
def read_transaction() -> Iterator[Connection]:
    """A read on its own snapshot without the write lock, ended on leaving (nothing may be written).

    Inside a transaction already under way it simply reads there and leaves that transaction open.
    """
    if db.session().in_transaction():
        yield db.session.connection()
        return
    connection = db.session.connection(execution_options={BEGIN: READ})
    try:
        yield connection
    finally:
        db.session.rollback()


def begin_read() -> None:
    """Start the session's next transaction as a read (for a background task that only reads)."""
    if not db.session().in_transaction():
        db.session.connection(execution_options={BEGIN: READ})


def reading() -> bool:
    """True when the session's transaction began as a SQLite read: everything it sees is committed.

    In-memory copies (services.tallies, services.layout) are only kept from such reads, never from
    a transaction that may yet roll back what it saw.
    """
    session = db.session()
    return session.in_transaction() and session.connection().info.get(BEGIN) == READ


def snapshot_version() -> int | None:
    """On PostgreSQL, a number naming what the session's read transaction sees; None elsewhere.

    A snapshot's xmax (the first transaction id not yet finished when it was taken) never goes down,
    and while it stays the same the list of transactions still running below it (xip) can only
    shrink. So (xmax, fewer running) orders snapshots as they were taken, whichever process took
    them, and two snapshots with the same pair see exactly the same data. Call it inside the read
    transaction the data was read in. Packed into one integer that JavaScript holds exactly while
    xmax < 2**41 (70 years at a thousand writing transactions a second, server-wide).
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    xmax, running = db.session.execute(
        text(
            "SELECT pg_snapshot_xmax(s)::text::bigint, cardinality(ARRAY(SELECT pg_snapshot_xip(s)))"
            " FROM pg_current_snapshot() AS s"
        )
    ).one()
    return int(xmax) * 4096 + 4095 - min(int(running), 4095)  # running <= max_connections
