"""An acknowledged vote is stored, exactly once, even while PostgreSQL cancels, times out or drops
the vote's statements (two `voting serve` processes on one database, a hall of phones at once).

After a failed statement PostgreSQL refuses every further one ("current transaction is aborted,
commands ignored until end of transaction block"), and a COMMIT of that transaction rolls it back
while psycopg2's commit() does not raise (seen here: tests/services/test_group_commit_postgres.py).
PostgreSQL's SAVEPOINT page: "A savepoint is a special mark inside a transaction that allows all
commands that are executed after it was established to be rolled back, restoring the transaction
state to what it was at the time of the savepoint." So a batch of votes that went on after one
failed statement outside a savepoint, then "committed", had stored nothing while answering 200.

Every phone here behaves as static/js/phone-outbox.js does: it resends the same vote_id on a 5xx, a
429 or a lost answer, and moves on after any other answer. Whatever was answered 200 must be in the vote_audit table exactly
once, and the delegate's stored vote is the last one acknowledged.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from tests.e2e.conftest import LiveServer
from tests.scaleout.conftest import Cluster, Event, admin, admin_run, run_all

ORGS = ("00Q", "00R", "00S")  # all three hold contract 3
PHONES = 200
VOTES_PER_PHONE = 3
BURST = 4.0  # seconds of failures injected
TIMEOUT = "5ms"  # statement_timeout and lock_timeout while the burst lasts
GIVE_UP = 60.0  # a phone stops resending after this long (it would keep its vote in the outbox)
# The vote path's own statements (services/votes.py), not a screen's reads.
VOTE_QUERIES = (
    "state = 'active' AND (query LIKE 'SELECT delegate.status AS delegate_status%'"
    " OR query LIKE 'INSERT INTO vote_audit%'"
    " OR query LIKE 'INSERT INTO audit_link%' OR query LIKE 'INSERT INTO vote %'"
    " OR query LIKE 'UPDATE vote %' OR query LIKE 'SELECT contract.code, vote_audit.new_level%')"
)


@dataclass
class Phone:
    """One delegate's phone: its votes, and every answer it got."""

    server: LiveServer
    token: str
    votes: list[tuple[str, int]]
    answers: list[tuple[str, int, Any]] = field(default_factory=list)  # vote_id, status, body
    acknowledged: list[str] = field(default_factory=list)

    def run(self) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token}"
        give_up = time.monotonic() + GIVE_UP
        for vote_id, level in self.votes:
            while time.monotonic() < give_up:
                body = {"contract": "3", "level": level, "vote_id": vote_id}
                try:
                    answer = session.post(f"{self.server.url}/api/v1/vote", json=body, timeout=30)
                except requests.RequestException:
                    time.sleep(0.2)  # no answer: the outbox keeps it and sends it again
                    continue
                try:
                    parsed = answer.json()
                except ValueError:
                    parsed = answer.text
                self.answers.append((vote_id, answer.status_code, parsed))
                if answer.status_code >= 500 or answer.status_code == 429:
                    time.sleep(0.1 + random.random() * 0.2)
                    continue
                if answer.status_code == 200:
                    self.acknowledged.append(vote_id)
                break


def _backends(cluster: Cluster) -> str:
    """The servers' connections to the test's database, as seen from the admin database."""
    return f"SELECT {{}}(pid) FROM pg_stat_activity WHERE datname = '{cluster.database}'"


def _repeat(until: float, statement: str) -> int:
    """Run `statement` (one row per backend it aimed at, true when it acted) again and again until `until`."""
    hits = 0
    connection = admin()  # from outside: the database's settings under test do not apply to it
    try:
        with connection.cursor() as cursor:
            while time.monotonic() < until:
                cursor.execute(statement)
                hits += sum(1 for (acted,) in cursor.fetchall() if acted)
    finally:
        connection.close()
    return hits


def _burst(cluster: Cluster, inject: Callable[[float], int]) -> tuple[list[Phone], int]:
    """Two processes, PHONES phones voting VOTES_PER_PHONE times each while `inject` runs for BURST s."""
    a, b = cluster.start("a"), cluster.start("b")
    event = Event(a, [ORGS[n % 3] for n in range(PHONES)], open_contracts=("3",))
    phones = [
        Phone(
            server=(a, b)[n % 2],
            token=token,
            votes=[(uuid.uuid4().hex, (n + k) % 5 + 1) for k in range(VOTES_PER_PHONE)],
        )
        for n, token in enumerate(event.phones)
    ]
    hits: list[int] = []
    until = time.monotonic() + BURST + 2  # the barrier below takes a moment to release every thread
    injector = threading.Thread(target=lambda: hits.append(inject(until)), daemon=True)
    injector.start()
    run_all([phone.run for phone in phones])
    injector.join()
    assert hits, "the injecting thread failed (its traceback is above)"
    assert "intact" in a.cli("audit", "verify", "--event", str(event.id))
    return phones, hits[0]


def _judge(cluster: Cluster, phones: list[Phone], hits: int) -> None:
    stored = {
        vote_id: count
        for vote_id, count in cluster.sql("SELECT vote_id, count(*) FROM vote_audit GROUP BY vote_id")
    }
    acknowledged = [vote_id for phone in phones for vote_id in phone.acknowledged]
    lost = [vote_id for vote_id in acknowledged if vote_id not in stored]
    twice = [vote_id for vote_id, count in stored.items() if count != 1]
    refused = [(status, body) for phone in phones for _id, status, body in phone.answers if status != 200]
    print(
        f"\n{hits} statements hit; {len(acknowledged)} votes acknowledged, {len(stored)} stored, "
        f"{len(lost)} lost; {len(refused)} failures answered"
    )
    assert hits > 0, "nothing was injected: the test proved nothing"
    assert lost == [], f"{len(lost)} acknowledged votes are not stored"
    assert twice == []
    # Every failure was answered as one the phone sends again, in a sentence.
    for status, body in refused:
        assert status in (429, 503), (status, body)
        assert isinstance(body, dict) and body["error"].endswith("."), (status, body)
    # Once the failures stopped, every vote got through; the stored vote is each phone's last one.
    assert len(acknowledged) == PHONES * VOTES_PER_PHONE
    current = dict(
        cluster.sql("SELECT d.token_hash, v.level FROM vote v JOIN delegate d ON d.id = v.delegate_id")
    )
    assert len(current) == PHONES
    assert sorted(current.values()) == sorted(phone.votes[-1][1] for phone in phones)


def test_cancelled_vote_queries_lose_no_acknowledged_vote(cluster: Cluster) -> None:
    """pg_cancel_backend on the vote's own statements, on both processes, during a burst."""
    cancel = _backends(cluster).format("pg_cancel_backend") + f" AND {VOTE_QUERIES}"
    phones, hits = _burst(cluster, lambda until: _repeat(until, cancel))
    _judge(cluster, phones, hits)


def test_dropped_connections_lose_no_acknowledged_vote(cluster: Cluster) -> None:
    """pg_terminate_backend on connections running the vote's statements: the connection is gone
    mid-batch, and the server reconnects for the next one."""
    drop = _backends(cluster).format("pg_terminate_backend") + f" AND {VOTE_QUERIES}"

    def inject(until: float) -> int:
        hits = 0
        while time.monotonic() < until:  # a few at a time, so that the servers keep some connections
            hits += _repeat(min(until, time.monotonic() + 0.05), drop)
            time.sleep(0.2)
        return hits

    phones, hits = _burst(cluster, inject)
    _judge(cluster, phones, hits)


def test_statement_and_lock_timeouts_lose_no_acknowledged_vote(cluster: Cluster) -> None:
    """A database whose statement_timeout and lock_timeout are a few milliseconds: under the burst,
    waits for the write lock and the vote's statements themselves are cancelled by the server."""
    everyone = _backends(cluster).format("pg_terminate_backend")

    def inject(until: float) -> int:
        # Settings of a database apply to its new sessions: make the servers reconnect, twice.
        admin_run(f'ALTER DATABASE "{cluster.database}" SET statement_timeout = {TIMEOUT!r}')
        admin_run(f'ALTER DATABASE "{cluster.database}" SET lock_timeout = {TIMEOUT!r}')
        admin_run(everyone)
        time.sleep(max(0.0, until - time.monotonic()))
        admin_run(f'ALTER DATABASE "{cluster.database}" RESET ALL')
        admin_run(everyone)
        logs = "".join(server.log.read_text() for server in cluster.servers)
        return logs.count("due to statement timeout") + logs.count("due to lock timeout")

    phones, hits = _burst(cluster, inject)
    _judge(cluster, phones, hits)
