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
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from voting.extensions import db

BEGIN = "voting_begin"  # execution option naming how the next transaction begins
READ, WRITE = "read", "write"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
def _sqlite_begin(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        mode = _begins_as(connection)
        connection.info[BEGIN] = mode
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == WRITE else "BEGIN")


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
