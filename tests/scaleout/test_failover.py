"""SIGKILL one of two processes mid-burst: no acknowledged vote is lost and its phones carry on."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from typing import Any

import requests
import socketio

from tests.e2e.conftest import LiveServer
from tests.scaleout.conftest import Cluster, Event, Screen, levels, vote


def burst(url: str, token: str, stop: threading.Event, acked: list[str]) -> None:
    """Vote on contract 3 again and again until told to stop or the server dies."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    level = 0
    while not stop.is_set():
        vote_id, level = uuid.uuid4().hex, level % 5 + 1
        try:
            answer = session.post(
                f"{url}/api/v1/vote", json={"contract": "3", "level": level, "vote_id": vote_id}, timeout=5
            )
        except requests.RequestException:
            return  # killed: this vote was never acknowledged (the phone's outbox would resend it)
        if answer.status_code == 200:
            acked.append(vote_id)


def phone_ballot(server: LiveServer, token: str) -> dict[str, Any]:
    """What a phone shows after opening its personal link on `server`: its ballot, with its votes."""
    browser = requests.Session()
    assert browser.get(f"{server.url}/j/{token}", timeout=10).status_code == 200
    cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    received: list[dict[str, Any]] = []
    client = socketio.Client(reconnection=False)
    client.on("ballot", received.append)
    client.connect(
        server.url, headers={"Cookie": cookie}, auth={"audience": "delegate"}, transports=["websocket"]
    )
    try:
        deadline = time.monotonic() + 10
        while not received and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        client.disconnect()
    assert received, "the phone got no ballot"
    return received[0]


def test_killing_a_process_loses_no_acknowledged_vote_and_its_phones_carry_on(cluster: Cluster) -> None:
    a, b = cluster.start("a"), cluster.start("b")
    event = Event(a, ["00Q", "00R"] * 6, open_contracts=("1", "3"))  # both CCGs hold 1 and 3
    projector = Screen(b, event)
    try:
        earlier = {}
        for n, token in enumerate(event.phones):
            earlier[token] = n % 5 + 1
            assert vote(a, token, "1", earlier[token]).status_code == 200

        stop, acked = threading.Event(), []
        phones = [threading.Thread(target=burst, args=(a.url, t, stop, acked)) for t in event.phones]
        for phone in phones:
            phone.start()
        deadline = time.monotonic() + 20
        while len(acked) < 60 and time.monotonic() < deadline:
            time.sleep(0.01)
        a.kill()  # mid-burst: phones are still sending
        stop.set()
        for phone in phones:
            phone.join(timeout=30)
        assert len(acked) >= 60

        stored = {vote_id for (vote_id,) in cluster.sql("SELECT vote_id FROM vote_audit")}
        assert set(acked) <= stored, f"{len(set(acked) - stored)} acknowledged votes were lost"

        # The same phones carry on through the surviving process, with the same tokens.
        final = {}
        for n, token in enumerate(event.phones):
            final[token] = (n + 2) % 5 + 1
            answer = vote(b, token, "3", final[token])
            assert answer.status_code == 200, answer.text

        want_1 = levels(Counter(str(level) for level in earlier.values()))
        want_3 = levels(Counter(str(level) for level in final.values()))
        projector.shows(lambda s: s.votes("1") == want_1 and s.votes("3") == want_3)
        for token in event.phones[:4]:
            assert phone_ballot(b, token)["votes"] == {"1": earlier[token], "3": final[token]}
        assert "intact" in b.cli("audit", "verify", "--event", str(event.id))
    finally:
        projector.close()
