"""The PostgreSQL driver yields to the server's event loop while it waits (wsgi.py's green patch).

A vote waiting for the database - here for the write lock, which the test holds - must not freeze
the process: with a driver that waits inside C (psycopg2 unpatched, psycopg 3 under eventlet) the
health check below would hang until the lock is released.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
import requests

from tests.scaleout.conftest import Cluster, Event, admin, vote
from voting.db_setup import WRITE_LOCK


def _waiting_for_the_lock(cluster: Cluster) -> bool:
    rows = cluster.sql(
        "SELECT count(*) FROM pg_locks JOIN pg_database d ON d.oid = pg_locks.database"
        " WHERE locktype = 'advisory' AND NOT granted AND d.datname = %s",
        cluster.database,
    )
    return bool(rows[0][0])


@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_a_vote_waiting_on_the_database_does_not_stop_the_server(cluster: Cluster, mode: str) -> None:
    server = cluster.start("a", SOCKETIO_ASYNC_MODE=mode)
    event = Event(server, ["00Q"], open_contracts=("3",))
    holder = admin(cluster.database)
    answer: dict[str, Any] = {}
    vote_id = uuid.uuid4().hex
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        phone = threading.Thread(
            target=lambda: answer.update(r=vote(server, event.phones[0], "3", 4, vote_id))
        )
        phone.start()
        deadline = time.monotonic() + 15
        while not _waiting_for_the_lock(cluster):
            assert time.monotonic() < deadline, "the vote never reached the database"
            time.sleep(0.05)

        # The vote is now blocked inside PostgreSQL; the same process still answers everyone else.
        assert requests.get(f"{server.url}/healthz", timeout=10).json() == {"status": "ok"}
        assert requests.get(f"{server.url}/readyz", timeout=10).json()["database"] == "ok"
        assert phone.is_alive(), "the vote should still be waiting for the lock"
    finally:
        holder.rollback()  # releases the lock
        holder.close()
    phone.join(timeout=30)
    assert answer["r"].status_code == 200
    assert answer["r"].json()["duplicate"] is False
    assert cluster.sql("SELECT vote_id, new_level FROM vote_audit") == [(vote_id, 4)]
