"""Group commit: votes arriving together share one write transaction and one commit.

A commit with synchronous=FULL waits for the disk (an fsync), and under eventlet that wait holds up
every connection. With one transaction per vote a hall voting at once queues behind a fsync each;
here one writer task takes every vote waiting, runs each (writing in its own savepoint, so one
refused or clashing vote never undoes the others), commits once, and only then wakes the requests, which answer
their phones. A vote is still acknowledged only after the commit that holds it; if that commit fails,
every vote in it gets the error and none is acknowledged.

On PostgreSQL a statement that fails outside a savepoint (a cancelled query, a statement or lock
timeout, a dropped connection) aborts the whole transaction, and psycopg2's commit() then rolls it
back without raising. So the writer asks whether the transaction is still usable after every failed
vote and before committing: if not, every vote of the batch is answered 503 (the phone's outbox sends
it again) and none is acknowledged. A database failure of one vote is answered the same way.

While a batch is being written the next votes queue up, so batches grow with the load by themselves:
one vote alone is written at once, with no waiting for company.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from flask import Flask, current_app
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from voting.db_setup import transaction_usable, write_transaction
from voting.errors import Unavailable
from voting.extensions import db, socketio

log = logging.getLogger(__name__)

T = TypeVar("T")
IDLE_EXIT = 2.0  # seconds without work before the writer task ends (it starts again on demand)
WAIT_LIMIT = 60.0  # a request never waits longer than this for its batch
NOT_SAVED = "Your vote could not be saved just now. It is kept and will be sent again."


@dataclass
class _Job(Generic[T]):
    work: Callable[[Connection], T]
    done: Any  # an Event of the server's async mode
    result: T | None = None
    error: BaseException | None = None
    finished: bool = field(default=False)


class GroupCommit:
    """One writer per app; `run(work)` returns work's result once the transaction holding it commits."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._queue: list[_Job[Any]] = []
        self._lock = threading.Lock()
        self._wake: Any = None
        self._task: Any = None
        self.batches = 0  # how many commits, and how many jobs they held (for tests and logs)
        self.jobs = 0

    def run(self, work: Callable[[Connection], T]) -> T:
        """Run work(connection) in the next shared write transaction; raise its error.

        The caller's session transaction, if any, is committed first (in the app it has only read),
        so the caller's loaded objects are read again on their next use.

        work must leave nothing behind when it raises: refuse before writing, and write inside a
        savepoint (`connection.begin_nested()`), so one failed vote never undoes the others.
        """
        # Every vote goes through the writer, whoever calls. The caller's own transaction (a form
        # post or the facilitator's page loaded the delegate; a test loaded its objects) ends first:
        # held open, its write lock would keep the writer waiting on the caller, which waits on it.
        db.session.commit()
        job: _Job[T] = _Job(work=work, done=socketio.server.eio.create_event())
        with self._lock:
            if self._wake is None:
                self._wake = socketio.server.eio.create_event()
            self._queue.append(job)
            if self._task is None:
                self._task = socketio.start_background_task(self._writer)
        self._wake.set()
        if not job.done.wait(WAIT_LIMIT) and not job.finished:
            raise Unavailable(NOT_SAVED)  # its batch may commit yet: a resend is then a duplicate
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]

    def _writer(self) -> None:
        while True:
            self._wake.wait(IDLE_EXIT)
            self._wake.clear()
            with self._lock:
                jobs, self._queue = self._queue, []
                if not jobs:
                    self._task = None  # idle: end; the next run() starts a new task
                    return
            with self.app.app_context():
                self._write(jobs)

    def _write(self, jobs: list[_Job[Any]]) -> None:
        committed = False
        try:
            with write_transaction() as connection:
                for job in jobs:
                    try:
                        job.result = job.work(connection)
                    except Exception as error:  # this vote only: the others in the batch go on...
                        job.error = _answer(error)
                        if not transaction_usable(connection):  # ...unless it took the transaction down
                            raise _BatchLost("a statement failed outside its savepoint") from error
                if not transaction_usable(connection):
                    # Committing now would roll back without a word and every vote here would be lost.
                    raise _BatchLost("the transaction was aborted")
            committed = True
            self.batches += 1
            self.jobs += len(jobs)
            log.debug("committed %s votes in one transaction", len(jobs))
        except Exception as error:
            log.warning("a batch of %s votes was not committed (%s)", len(jobs), _first_line(error))
        finally:
            db.session.remove()
            for job in jobs:
                if not committed:
                    # Nothing of this batch is stored (or its commit's outcome is unknown): no vote in it
                    # is acknowledged, even one whose own statements went well. Each phone sends its vote
                    # again, and a copy of one that did commit is answered as a duplicate.
                    job.result, job.error = None, Unavailable(NOT_SAVED)
                job.finished = True
                job.done.set()


class _BatchLost(Exception):
    """The batch's transaction can no longer commit."""


def _answer(error: Exception) -> Exception:
    """What a job's caller gets: its own refusal, or for a failure of the database, a sentence."""
    if isinstance(error, DBAPIError):
        log.warning("a vote's statement failed (%s)", _first_line(error))
        return Unavailable(NOT_SAVED)
    return error


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error) or type(error).__name__
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__


def group_commit() -> GroupCommit:
    """The current app's writer."""
    return current_app.extensions["voting_group_commit"]  # type: ignore[no-any-return]


def init_app(app: Flask) -> None:
    """Give the app its writer."""
    app.extensions["voting_group_commit"] = GroupCommit(app)
