"""The real server (`voting serve`, in its default mode) in a subprocess on a free port, with a
temporary database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import CONTRACTS_CSV, ORGANISATIONS_CSV

VOTING = str(Path(sys.executable).with_name("voting"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path
    port: int = 0

    def cli(self, *args: str, stdin: str = "") -> str:
        """Run a `voting` command against the same database; returns its standard output."""
        done = subprocess.run(
            [VOTING, *args], env=self.env, input=stdin.encode(), capture_output=True, timeout=60, check=True
        )
        return done.stdout.decode()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush - as if the laptop lost power mid-sentence."""
        self.process.kill()
        self.process.wait(timeout=10)

    def start(self) -> None:
        """Start (again) on the same port and database."""
        self.process = _spawn(self.port, self.env, self.log)
        wait_until_up(self.url, self.process, self.log)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _spawn(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [VOTING, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=out, stderr=out
        )


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early:\n{log.read_text()}")
        try:
            requests.get(f"{url}/healthz", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"server did not start within {timeout}s:\n{log.read_text()}")


def start_server(log: Path, **env: str) -> LiveServer:
    """`voting serve` (its default mode, gevent, unless `env` says otherwise) on a free port, answering."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    full = (
        {k: v for k, v in os.environ.items() if k != "SOCKETIO_ASYNC_MODE"} | {"PUBLIC_BASE_URL": url} | env
    )
    server = LiveServer(url=url, env=full, process=_spawn(port, full, log), log=log, port=port)
    try:
        wait_until_up(url, server.process, log)
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture
def live_server(tmp_path: Path, database_url: str) -> Iterator[LiveServer]:
    """`voting serve` on a fresh database: SQLite, or PostgreSQL in scripts/test's second run."""
    server = start_server(
        tmp_path / "server.log",
        DATABASE_URL=database_url,
        SECRET_KEY="e2e-secret-key",
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's Chromium (see tests/e2e/browser.py)."""
    from tests.e2e.browser import launch

    with sync_playwright() as playwright:
        launched = launch(playwright)
        yield launched
        launched.close()


@dataclass
class SampleEvent:
    """An event with the sample CCGs and contracts, made through the API with the facilitator's token."""

    token: str
    api: requests.Session  # carries the token
    base: str  # .../api/v1
    id: int
    delegates: list[dict[str, Any]]  # as the API answered: id, token, join_url ...


def sample_event(
    server: LiveServer, name: str, people: list[tuple[str, str]], timeout: float = 5
) -> SampleEvent:
    """Create the event and one delegate per (organisation code, name) in `people`."""
    token = server.cli("api-token").strip().splitlines()[-1]
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    base = f"{server.url}/api/v1"
    event_id = api.post(f"{base}/events", json={"name": name}, timeout=timeout).json()["id"]
    for kind, body in (("organisations", ORGANISATIONS_CSV), ("contracts", CONTRACTS_CSV)):
        assert api.put(f"{base}/events/{event_id}/{kind}", data=body, timeout=timeout).status_code == 200
    delegates = [
        api.post(
            f"{base}/events/{event_id}/delegates", json={"organisation": org, "name": who}, timeout=timeout
        ).json()
        for org, who in people
    ]
    return SampleEvent(token, api, base, event_id, delegates)


@pytest.fixture
def event(live_server: LiveServer) -> dict[str, Any]:
    """An event with the sample CCGs and contracts, three delegates, contract 1 not yet open.

    Made through the API; "api" is a session with the facilitator's token, "links" the delegates'
    personal links (Ann of 00Q, Bo and Cy of 00R).
    """
    from tests.e2e.browser import PASSWORD

    live_server.cli("set-password", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    made = sample_event(live_server, "Browser round", [("00Q", "Ann"), ("00R", "Bo"), ("00R", "Cy")])
    links = [person["join_url"] for person in made.delegates]
    return {"id": made.id, "api": made.api, "base": made.base, "links": links}
