"""An acknowledged vote is stored, exactly once, even while PostgreSQL cancels, times out or drops
the vote's statements (two `voting serve` processes on one database, a hall of phones at once).

PostgreSQL: "If a statement fails within a transaction block, the transaction is aborted: any further
statement is rejected until the end of the transaction block" ... and a COMMIT on it rolls back
(psycopg2 does not raise). So a batch of votes that went on after one failed statement, then
"committed", had stored nothing while answering 200. Here every phone behaves as
static/js/phone-outbox.js does: it resends the same vote_id on a 5xx, a 429 or a lost answer, and
moves on after any other answer. Whatever was answered 200 must be in the vote_audit table exactly
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

import pytest
import requests

from tests.scaleout.conftest import Cluster, Event, admin, run_all
from tests.e2e.conftest import LiveServer

ORGS = ("00Q", "00R", "00S")  # all three hold contract 3
PHONES = 200
VOTES_PER_PHONE = 3
BURST = 4.0  # seconds of failures injected
GIVE_UP = 60.0  # a phone stops resending after this long (it would keep its vote in the outbox)
# The vote path's own statements (services/votes.py), not a screen's reads.
VOTE_QUERIES = (
    "(query LIKE 'SELECT delegate.status AS delegate_status%' OR query LIKE 'INSERT INTO vote_audit%'"
    " OR query LIKE 'INSERT INTO audit_link%' OR query LIKE 'INSERT INTO vote %'"
    " OR query LIKE 'UPDATE vote %' OR query LIKE 'SELECT contract.code, vote_audit.new_level%')"
)
APP_BACKENDS = "datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"


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


def _inject(until: float, statement: str) -> int:
    """Run `statement` (one row per backend hit, true when it acted) again and again until `until`."""
    hits = 0
    connection = admin(_INJECT_DB[0])
    try:
        with connection.cursor() as cursor:
            while time.monotonic() < until:
                cursor.execute(statement)
                hits += sum(1 for (acted,) in cursor.fetchall() if acted)
    finally:
        connection.close()
    return hits


_INJECT_DB: list[str] = [""]


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
    injector = threading.Thread(target=lambda: hits.append(inject(until)))
    injector.start()
    run_all([phone.run for phone in phones])
    injector.join()
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
    current = dict(cluster.sql("SELECT d.token_hash, v.level FROM vote v JOIN delegate d ON d.id = v.delegate_id"))
    assert len(current) == PHONES
    assert sorted(current.values()) == sorted(phone.votes[-1][1] for phone in phones)


@pytest.fixture
def burst_db(cluster: Cluster) -> Cluster:
    _INJECT_DB[0] = cluster.database
    return cluster


def test_cancelled_vote_queries_lose_no_acknowledged_vote(burst_db: Cluster) -> None:
    """pg_cancel_backend on the vote's own statements, on both processes, during a burst."""
    cancel = f"SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE {APP_BACKENDS} AND state = 'active' AND {VOTE_QUERIES}"
    phones, hits = _burst(burst_db, lambda until: _inject(until, cancel))
    _judge(burst_db, phones, hits)
