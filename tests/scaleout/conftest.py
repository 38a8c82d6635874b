"""Several real `voting serve` processes on one PostgreSQL and one Redis (docs/deployment.md).

Each test gets a database of its own (created and dropped here) and a Socket.IO channel of its own,
so parallel runs on one PostgreSQL and one Redis never see each other. Without PostgreSQL or Redis on
127.0.0.1 the tests skip and say how to start them (in CI a skip fails the run: tests/conftest.py).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
import redis
import requests

from tests.conftest import CONTRACTS_CSV, ORGANISATIONS_CSV
from tests.e2e.conftest import LiveServer, start_server
from tests.e2e.test_round import Listener

ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test", "connect_timeout": 3}
REDIS_URL = "redis://127.0.0.1:6379/0"
START = (
    "Start them with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start; "
    'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'
)


def unreachable() -> str | None:
    """Why the scale-out tests cannot run here, or None."""
    try:
        psycopg2.connect(**ADMIN).close()
    except psycopg2.Error as error:
        return f"PostgreSQL is not reachable on 127.0.0.1:5432 ({' '.join(str(error).split())})"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        return f"Redis is not reachable on 127.0.0.1:6379 ({error})"
    return None


def admin(database: str = "test") -> Any:
    """An autocommit connection to PostgreSQL as the superuser (close it)."""
    connection = psycopg2.connect(**(ADMIN | {"dbname": database}))
    connection.autocommit = True
    return connection


def admin_run(statement: str) -> None:
    """Run one statement on the admin database (CREATE or DROP DATABASE)."""
    connection = admin()
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


class Cluster:
    """A fresh database and channel; `start()` adds a server process on them."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.database = f"scaleout_{uuid.uuid4().hex[:12]}"
        self.url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{self.database}"
        self.env = {
            "DATABASE_URL": self.url,
            "SOCKETIO_MESSAGE_QUEUE": REDIS_URL,
            "SOCKETIO_CHANNEL": f"voting-test-{self.database}",
            "SECRET_KEY": "scale-out-secret-key",  # shared: a session cookie must work on every process
            "AUDIT_KEY": "scale-out-audit-key",  # shared: every process seals links of the same chain
        }
        self.servers: list[LiveServer] = []
        admin_run(f'CREATE DATABASE "{self.database}"')

    def start(self, name: str, **env: str) -> LiveServer:
        server = start_server(self.tmp_path / f"{name}.log", **(self.env | env))
        self.servers.append(server)
        return server

    def sql(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        """Rows of a query on the test's database (what is really stored)."""
        connection = admin(self.database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(query, args)
                return cursor.fetchall()
        finally:
            connection.close()

    def close(self) -> None:
        for server in self.servers:
            if server.process.poll() is None:
                server.stop()
        admin_run(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    reason = unreachable()
    if reason:
        pytest.skip(f"{reason}. {START}")
    made = Cluster(tmp_path)
    try:
        yield made
    finally:
        made.close()


class Event:
    """An event made through the API of one process: facilitator token, id, delegates' tokens."""

    def __init__(self, server: LiveServer, phones: list[str], open_contracts: tuple[str, ...]) -> None:
        self.token = server.cli("api-token").strip().splitlines()[-1]
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {self.token}"
        base = f"{server.url}/api/v1"
        self.id = api.post(f"{base}/events", json={"name": "Scale-out"}, timeout=10).json()["id"]
        for kind, body in (("organisations", ORGANISATIONS_CSV), ("contracts", CONTRACTS_CSV)):
            assert api.put(f"{base}/events/{self.id}/{kind}", data=body, timeout=10).status_code == 200
        self.phones = [
            api.post(
                f"{base}/events/{self.id}/delegates", json={"organisation": org, "name": f"P{n}"}, timeout=10
            ).json()["token"]
            for n, org in enumerate(phones)
        ]
        for code in open_contracts:
            assert api.post(f"{base}/events/{self.id}/contracts/{code}/open", timeout=10).status_code == 200


def vote(server: LiveServer, token: str, contract: str, level: int, vote_id: str = "") -> requests.Response:
    """What a phone sends (POST /api/v1/vote with its personal token)."""
    body = {"contract": contract, "level": level, "vote_id": vote_id or uuid.uuid4().hex}
    return requests.post(
        f"{server.url}/api/v1/vote", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


class Screen(Listener):
    """A projector (or console) on one process, showing pushes as static/js/live.js does."""

    def __init__(self, server: LiveServer, event: Event, audience: str = "projector") -> None:
        super().__init__(server, audience, event.id, event.token)

    def shown(self) -> dict[str, Any] | None:
        """What the screen shows now: live.js drops a push numbered lower than the newest shown."""
        with self.lock:
            pushes = list(self.pushes)
        shown: dict[str, Any] | None = None
        for payload in pushes:
            if shown is None or payload["seq"] >= shown["seq"]:
                shown = payload
        return shown

    def votes(self, contract: str) -> dict[str, int] | None:
        shown = self.shown()
        if shown is None:
            return None
        return next(c["votes"] for c in shown["contracts"] if c["code"] == contract)

    def shows(self, check: Callable[[Screen], bool], timeout: float = 15.0) -> None:
        """Wait until the screen shows what `check` expects, and still does a few pushes later."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check(self):
                time.sleep(0.5)  # any push still on its way (a stale one too) has arrived by now
                assert check(self), f"the screen moved away from the expected state: {self.shown()}"
                return
            time.sleep(0.05)
        raise AssertionError(f"the screen never showed the expected state; it shows {self.shown()}")

    def close(self) -> None:
        self.client.disconnect()


def levels(votes: dict[str, int]) -> dict[str, int]:
    """Counts per level 1-5, as screens show them (zeros included)."""
    return {str(level): votes.get(str(level), 0) for level in range(1, 6)}


def run_all(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run every job at once, each on its own thread; their results in order."""
    results: list[Any] = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def run(n: int) -> None:
        start.wait()
        results[n] = jobs[n]()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
