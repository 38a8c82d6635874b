"""Nothing acknowledged is lost: SIGKILL the real server in the middle of a burst of votes."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from tests.e2e.conftest import LiveServer, sample_event

pytestmark = pytest.mark.sqlite_only  # reads the SQLite file; tests/scaleout/test_failover.py does PostgreSQL

PHONES = 24


def setup_event(server: LiveServer) -> tuple[str, int, list[str]]:
    orgs = ["00Q", "00R", "00S"]
    made = sample_event(server, "Durability", [(orgs[i % 3], f"P{i}") for i in range(PHONES)], timeout=30)
    opened = made.api.post(f"{made.base}/events/{made.id}/contracts/3/open", timeout=30)
    assert opened.status_code == 200  # all three hold 3
    return made.token, made.id, [person["token"] for person in made.delegates]


def phone(
    url: str, token: str, stop: threading.Event, sent: list[tuple[str, int]], acked: list[tuple[str, int]]
) -> None:
    """Vote again and again; remember every vote sent and every one the server acknowledged."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    level = 1
    while not stop.is_set():
        vote_id = uuid.uuid4().hex
        level = level % 5 + 1
        sent.append((vote_id, level))
        try:
            response = session.post(
                f"{url}/api/v1/vote", json={"contract": "3", "level": level, "vote_id": vote_id}, timeout=2
            )
        except requests.RequestException:
            return  # the server died: this phone keeps its unacknowledged vote (the browser outbox would resend)
        if response.status_code == 200:
            acked.append((vote_id, level))


def database(server: LiveServer) -> sqlite3.Connection:
    return sqlite3.connect(Path(server.env["DATABASE_URL"].removeprefix("sqlite:///")))


def test_every_acknowledged_vote_survives_sigkill(live_server: LiveServer) -> None:
    api_token, event, tokens = setup_event(live_server)
    stop = threading.Event()
    sent: list[tuple[str, int]] = []
    acked: list[tuple[str, int]] = []
    threads = [threading.Thread(target=phone, args=(live_server.url, t, stop, sent, acked)) for t in tokens]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while len(acked) < 150 and time.monotonic() < deadline:
        time.sleep(0.01)
    live_server.kill()  # mid-burst: phones are still sending
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(acked) >= 150, "the burst was under way when the server died"

    live_server.start()
    restarted = time.monotonic()
    with database(live_server) as db:
        stored = dict(db.execute("SELECT vote_id, count(*) FROM vote_audit GROUP BY vote_id").fetchall())
        levels = dict(db.execute("SELECT vote_id, new_level FROM vote_audit").fetchall())
        tally = dict(db.execute("SELECT level, count(*) FROM vote GROUP BY level").fetchall())
    sent_ids = {vote_id for vote_id, _level in sent}
    for vote_id, level in acked:
        assert stored.get(vote_id) == 1, f"acknowledged vote {vote_id} stored {stored.get(vote_id, 0)} times"
        assert levels[vote_id] == level
    assert set(stored) <= sent_ids, "a vote no phone sent was stored"

    screen = socketio.Client(reconnection=False)
    states: list[dict[str, Any]] = []
    screen.on("state", states.append)
    screen.connect(
        live_server.url,
        auth={"audience": "projector", "event": event, "token": api_token},
        transports=["websocket"],
    )
    try:
        while not states and time.monotonic() - restarted < 5:
            time.sleep(0.02)
        assert states, "the projector got its snapshot within 5 s of the restart"
        contract = next(c for c in states[0]["contracts"] if c["code"] == "3")
        assert {int(k): v for k, v in contract["votes"].items() if v} == tally
        assert time.monotonic() - restarted < 5
    finally:
        screen.disconnect()
