"""Group commit: votes waiting together share one transaction, and one vote's failure is its own."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, text

from voting.errors import Refusal
from voting.services.group_commit import NOT_SAVED, group_commit
from voting.web import http_status


def not_saved(outcome: object) -> bool:
    """The answer a job gets when the database failed it: 503, a sentence, sent again by the phone."""
    return isinstance(outcome, Refusal) and (http_status(outcome), outcome.message) == (503, NOT_SAVED)


def insert(name: str, fail: bool = False) -> Callable[[Connection], str]:
    def work(connection: Connection) -> str:
        with connection.begin_nested():
            connection.execute(text("INSERT INTO scratch (name) VALUES (:name)"), {"name": name})
            if fail:
                raise ValueError(f"{name} went wrong after writing")
        return name

    return work


def run_together(app: Flask, works: list[Callable[[Connection], Any]]) -> list[Any]:
    """Hold the writer on a first job until every other job is queued, so they form one batch."""
    writing, release = threading.Event(), threading.Event()
    outcomes: list[Any] = [None] * len(works)

    def blocker(connection: Connection) -> str:
        writing.set()
        release.wait(10)
        return "blocker"

    def call(index: int, work: Callable[[Connection], Any]) -> None:
        with app.app_context():
            try:
                outcome: Any = group_commit().run(work)
            except Exception as error:  # noqa: BLE001 - the outcome under test
                outcome = error
            if index >= 0:
                outcomes[index] = outcome

    first = threading.Thread(target=call, args=(-1, blocker))
    first.start()
    assert writing.wait(10)
    threads = [threading.Thread(target=call, args=(i, w)) for i, w in enumerate(works)]
    for thread in threads:
        thread.start()
    writer = group_commit()
    for _ in range(1000):  # every job is queued behind the blocker
        with writer._lock:
            if len(writer._queue) == len(works):
                break
        threading.Event().wait(0.01)
    release.set()
    for thread in [first, *threads]:
        thread.join(timeout=20)
    return outcomes


def test_votes_waiting_together_share_one_commit(app: Flask, scratch: Callable[[], list[str]]) -> None:
    with app.app_context():
        before = group_commit().batches
        outcomes = run_together(app, [insert(f"vote-{n:02d}") for n in range(20)])
        assert outcomes == [f"vote-{n:02d}" for n in range(20)]
        assert group_commit().batches - before == 2  # the blocker's batch, then all twenty in one
    assert scratch() == [f"vote-{n:02d}" for n in range(20)]


def test_one_failed_vote_leaves_the_others_in_its_batch(app: Flask, scratch: Callable[[], list[str]]) -> None:
    with app.app_context():
        outcomes = run_together(app, [insert("a"), insert("b", fail=True), insert("c"), insert("a")])
    assert outcomes[0] == "a" and outcomes[2] == "c"
    assert isinstance(outcomes[1], ValueError) and "b went wrong" in str(outcomes[1])
    assert not_saved(outcomes[3])  # a second "a": refused alone, as one the phone sends again
    assert scratch() == ["a", "c"]


@pytest.mark.sqlite_only
def test_when_the_commit_fails_no_vote_in_the_batch_is_acknowledged(
    app: Flask, scratch: Callable[[], list[str]]
) -> None:
    def breaks_the_commit(connection: Connection) -> str:
        # A foreign-key check deferred to COMMIT: the whole transaction is refused there.
        connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        with connection.begin_nested():
            connection.execute(
                text("INSERT INTO vote_audit (event_id, contract_id, delegate_id, vote_id, new_level,"
                     " entered_by, at) VALUES (999, 999, 999, 'x-orphan-1', 1, 'delegate', '2026-01-01')")
            )  # fmt: skip
        return "orphan"

    with app.app_context():
        outcomes = run_together(app, [insert("a"), breaks_the_commit, insert("c")])
    assert all(not_saved(outcome) for outcome in outcomes), outcomes
    assert scratch() == []
