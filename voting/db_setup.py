"""SQLite hygiene: foreign keys, WAL, full sync; writes begin IMMEDIATE, reads take no write lock.

A transaction that may write begins with `BEGIN IMMEDIATE`, so read-then-write never deadlocks and
never fails half-way on a snapshot that went stale. A read begins DEFERRED: in WAL mode it reads its
own snapshot without SQLite's write lock, so it never waits for (or blocks) a vote being committed.

Every transaction says which it is, when it begins, by the first of these that applies:

1. its connection's `voting_begin` execution option (`read_transaction()`, `write_transaction()`,
   `begin_read()`, `begin_write()`);
2. the scope it runs in declared itself a reader (`reads_only()`): `init_app` declares every
   request made with a safe method (GET, HEAD, OPTIONS) one, and realtime.handlers every Socket.IO
   handler (they carry pushes only; votes and sign-in go over HTTP);
3. otherwise it may write (POST/PUT/DELETE requests, the CLI, background tasks): the safe default.

Services are the only writers and run from POST/PUT/DELETE requests, the CLI or the timer, so a
read transaction never has to upgrade to a write; if code ever wrote inside a read, SQLite would
still upgrade the lock when the snapshot is current and refuse with SQLITE_BUSY otherwise.

PostgreSQL (several server processes, docs/deployment.md) gets the same two kinds of transaction. A
write first takes one transaction-level advisory lock, `WRITE_LOCK` (released at commit or rollback),
so writers take turns as on SQLite: read-then-write is safe across processes without retries - the
vote path reads a delegate's current vote and the head of the event's audit chain, then appends link
seq+1, and no two writers can read the same head, so the unique (event_id, seq) never fires and a
vote is never counted twice - and ids are handed out in commit order (services.layout relies on
that). A read takes no lock and sees one REPEATABLE READ snapshot from its first statement to its end
(SQLite's deferred read in WAL mode does the same), which `snapshot_version` names.

The engine hooks are installed by `init_app` (create_app), once per process; importing this module
installs nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, g, has_app_context, request
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine

from voting.extensions import db

BEGIN = "voting_begin"  # execution option naming how the next transaction begins
READ, WRITE = "read", "write"
# RFC 9110 9.2.1: "Request methods are considered 'safe' if their defined semantics are essentially
# read-only". The app holds its routes to that, so a request made with one of these only reads.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SCOPE_READS = "voting_reads_only"  # flask.g: the current request or handler declared itself a reader
F = TypeVar("F", bound=Callable[..., Any])
WRITE_LOCK = 0x766F74696E67  # PostgreSQL advisory lock key ("voting"): the same in every process


def init_app(app: Flask) -> None:
    """Install the engine hooks (once per process, however many apps are made) and declare every
    request made with a safe method a reader."""
    for name, hook in (("connect", _sqlite_pragmas), ("begin", _begin)):
        if not event.contains(Engine, name, hook):
            event.listen(Engine, name, hook)
    app.before_request(_declare_safe_request)
    app.teardown_request(_end_declaration)


def _declare_safe_request() -> None:
    if request.method in SAFE_METHODS:
        g.setdefault(_SCOPE_READS, True)


def _end_declaration(_error: BaseException | None) -> None:
    # A test's app context outlives the requests made inside it: the declaration must not.
    g.pop(_SCOPE_READS, None)


@contextmanager
def reads_only() -> Iterator[None]:
    """Declare the current scope a reader: each transaction it begins, unless marked otherwise, is
    a read that takes no write lock."""
    before = g.get(_SCOPE_READS)
    g.setdefault(_SCOPE_READS, True)
    try:
        yield
    finally:
        if before is None:
            g.pop(_SCOPE_READS, None)


def reader(handler: F) -> F:
    """`reads_only()` around a handler (the Socket.IO handlers, which run no before_request)."""

    @wraps(handler)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with reads_only():
            return handler(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


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
    if has_app_context() and g.get(_SCOPE_READS):
        return READ
    return WRITE


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
    """A transaction of its own that holds the write lock from its first statement: committed when
    the block ends, rolled back if it raises. It runs on a connection of its own, without the ORM
    session's bookkeeping (the vote path's fast lane, services.group_commit)."""
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


def begin_write() -> None:
    """Start the session's next transaction as a write, whatever the scope declared (a service that
    writes from a reader's scope). Inside a transaction already under way it changes nothing."""
    if not db.session().in_transaction():
        db.session.connection(execution_options={BEGIN: WRITE})


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
