"""A whole round against the real server, through the public HTTP API, with live listeners - in each
async mode the server supports: eventlet (the default), gevent and threading (docs/performance.md)."""

from __future__ import annotations

import csv
import io
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from openpyxl import load_workbook

from tests.conftest import CONTRACTS_CSV, ORGANISATIONS_CSV
from tests.e2e.conftest import LiveServer, start_server


@pytest.fixture(params=["eventlet", "gevent", "threading"])
def live_server(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> Iterator[LiveServer]:
    """`voting serve` in each async mode, unchanged but for SOCKETIO_ASYNC_MODE (SQLite, or PostgreSQL
    in scripts/test's second run)."""
    server = start_server(
        tmp_path / "server.log",
        DATABASE_URL=database_url,
        SECRET_KEY="e2e-secret-key",
        SOCKETIO_ASYNC_MODE=request.param,
    )
    try:
        yield server
    finally:
        server.stop()


class Listener:
    """A Socket.IO screen that records every push it receives."""

    def __init__(self, server: LiveServer, audience: str, event_id: int, token: str) -> None:
        self.pushes: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        self.client.on("state", self._record)
        self.client.connect(
            server.url,
            auth={"audience": audience, "event": event_id, "token": token},
            transports=["websocket"],
        )

    def _record(self, payload: dict[str, Any]) -> None:
        with self.lock:
            self.pushes.append(payload)

    def wait(self, predicate: Any, timeout: float = 5.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for payload in reversed(self.pushes):
                    if predicate(payload):
                        return payload
            time.sleep(0.02)
        raise AssertionError(f"no matching push within {timeout}s; last: {self.pushes[-1:]}")


def cell(state: dict[str, Any], org: str, contract: str) -> str:
    columns = state["matrix"]["columns"]
    for row in state["matrix"]["rows"]:
        if row["code"] == org:
            return str(row["cells"][columns.index(contract)])
    raise KeyError(org)


def test_a_whole_round_through_the_api_with_live_screens(live_server: LiveServer) -> None:
    token = live_server.cli("api-token").strip().splitlines()[-1]
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    url = f"{live_server.url}/api/v1"

    created = api.post(f"{url}/events", json={"name": "Round"}, timeout=5)
    assert created.status_code == 201
    event = created.json()["id"]
    bad = api.put(f"{url}/events/{event}/organisations", data=b"code,name\n00Q,Alpha\n", timeout=5)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["line"] == 1
    headers = {"Content-Type": "text/csv"}
    assert api.put(
        f"{url}/events/{event}/organisations", data=ORGANISATIONS_CSV, headers=headers, timeout=5
    ).json() == {"imported": 3}
    assert (
        api.put(f"{url}/events/{event}/contracts", data=CONTRACTS_CSV, headers=headers, timeout=5).status_code
        == 200
    )

    delegates = {}
    for org, name in (("00Q", "Ann"), ("00R", "Bo"), ("00R", "Cy")):
        made = api.post(
            f"{url}/events/{event}/delegates", json={"organisation": org, "name": name}, timeout=5
        )
        assert made.status_code == 201
        assert made.json()["join_url"].startswith(f"{live_server.url}/j/")
        delegates[name] = made.json()["token"]

    projector = Listener(live_server, "projector", event, token)
    console = Listener(live_server, "console", event, token)
    try:
        first = projector.wait(lambda s: True)
        assert cell(first, "00Q", "1") == ""
        assert cell(first, "00S", "1") == "NA"
        assert api.post(f"{url}/events/{event}/contracts/1/open", timeout=5).json()["status"] == "open"

        def vote(who: str, level: int, vote_id: str | None = None) -> requests.Response:
            body = {"contract": "1", "level": level, "vote_id": vote_id or uuid.uuid4().hex}
            return requests.post(
                f"{url}/vote", json=body, headers={"Authorization": f"Bearer {delegates[who]}"}, timeout=5
            )

        assert vote("Ann", 2).json()["ok"] is True
        shown = projector.wait(lambda s: cell(s, "00Q", "1") == "2")
        assert shown["contracts"][0]["counts"]["2"] == 1

        again = uuid.uuid4().hex
        assert vote("Bo", 3, again).status_code == 200
        assert vote("Bo", 3, again).json()["duplicate"] is True  # resent: counted once
        assert vote("Cy", 2).status_code == 200
        console_state = console.wait(lambda s: cell(s, "00R", "1") == "2/3")
        assert console_state["splits"] == [{"contract": "1", "organisation": "00R", "levels": [2, 3]}]
        assert console_state["contracts"][0]["votes"] == {"1": 0, "2": 2, "3": 1, "4": 0, "5": 0}
        assert "pending" not in projector.wait(lambda s: cell(s, "00R", "1") == "2/3")

        assert vote("Cy", 3).status_code == 200  # Cy changes their mind: 00R is now 3
        projector.wait(lambda s: cell(s, "00R", "1") == "3")

        assert api.post(f"{url}/events/{event}/contracts/1/close", timeout=5).status_code == 200
        refused = vote("Ann", 4)
        assert refused.status_code == 423
        assert "closed" in refused.json()["error"]

        matrix_csv = api.get(f"{url}/events/{event}/matrix.csv", timeout=5).content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(matrix_csv)))
        assert rows[0] == ["CCG", "1", "2", "3"]
        assert rows[1:4] == [
            ["Alpha CCG", "2", "NA", ""],
            ["Beta CCG", "3", "", ""],
            ["Gamma CCG", "NA", "", ""],
        ]
        sheet = load_workbook(
            io.BytesIO(api.get(f"{url}/events/{event}/matrix.xlsx", timeout=5).content)
        ).active
        assert [c.value for c in sheet[2]][:4] == ["Alpha CCG", 2, "NA", None]
        assert api.get(f"{url}/events/{event}/matrix.json", timeout=5).json()["rows"][1]["cells"] == [
            "3",
            "",
            "",
        ]
    finally:
        projector.client.disconnect()
        console.client.disconnect()
