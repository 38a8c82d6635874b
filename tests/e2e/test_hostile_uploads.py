"""No upload can freeze the room: a hostile workbook is refused while phones keep being answered.

Against the real server (`voting serve`, gevent by default; eventlet too): a probe thread asks
/healthz and a phone's /vote page every 20 ms while hostile workbooks are uploaded through the API.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import LiveServer, SampleEvent, sample_event, start_server
from tests.hostile_xlsx import many_strings, wide_header

pytestmark = pytest.mark.sqlite_only  # parsing is off the database: one run is enough

ANSWER_WITHIN = 0.1  # seconds: a phone must not notice an upload
TOO_WIDE = "This spreadsheet is too large to import: it has 16,384 columns; the most allowed is 50."
TOO_MANY_TEXTS = "This spreadsheet is too large to import: it has more than 100,000 different texts"


class Probe(threading.Thread):
    """Asks /healthz and the phone's page in turn every 20 ms, timing each answer."""

    def __init__(self, url: str, phone: requests.Session) -> None:
        super().__init__(daemon=True)
        self.url, self.phone = url, phone
        self.times: list[float] = []
        self.failures: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        health = requests.Session()
        while not self.stop.is_set():
            for session, path in ((health, "/healthz"), (self.phone, "/vote")):
                started = time.perf_counter()
                try:
                    answer = session.get(f"{self.url}{path}", timeout=5)
                    if answer.status_code != 200:
                        self.failures.append(f"{path}: {answer.status_code}")
                except requests.RequestException as error:
                    self.failures.append(f"{path}: {error}")
                self.times.append(time.perf_counter() - started)
                time.sleep(0.02)


def upload_while_probing(server: LiveServer, made: SampleEvent, phone: requests.Session) -> list[float]:
    """Upload every hostile workbook as organisations and as contracts; the probe's answer times."""
    uploads = [
        # refused from the zip's directory: declared A1:XFD2000
        (wide_header(), TOO_WIDE),
        # no declared size: refused once openpyxl has read the header row
        (wide_header(declared=False), TOO_WIDE),
        # 3 million shared strings in 125 KB: counted, not parsed
        (many_strings(3_000_000), TOO_MANY_TEXTS),
        # 100,000 shared strings, within the limits: openpyxl parses them all (a second or two of
        # CPU, in a child process), then the header is found wanting
        (many_strings(100_000), "Missing column '"),
    ]
    probe = Probe(server.url, phone)
    probe.start()
    time.sleep(1)  # warm-up (first pages, the pushing task): not what this test is about
    probe.times.clear()
    try:
        for kind in ("organisations", "contracts"):
            for data, sentence in uploads:
                answer = made.api.put(f"{made.base}/events/{made.id}/{kind}", data=data, timeout=60)
                assert answer.status_code == 422, answer.text
                assert sentence in answer.json()["errors"][0]["message"]
        time.sleep(0.3)
    finally:
        probe.stop.set()
        probe.join(timeout=10)
    assert not probe.failures
    assert len(probe.times) > 20
    return sorted(probe.times)


@pytest.mark.parametrize("mode", ["gevent", "eventlet"])
def test_phones_are_answered_within_100ms_while_hostile_workbooks_are_refused(
    tmp_path: Path, mode: str
) -> None:
    """Every answer within 100 ms, in one of up to five runs.

    Why several: on a shared two-core machine another process can take both cores for 100+ ms at any
    moment, idle or not (seen here: 350 ms with no upload at all). Parsing on the event loop fails
    every run by seconds (1.3 s for the wide header, 15 s for the shared strings), so a run free of
    such outside noise is the measurement that counts. Each run's max and p99 are printed.
    """
    server = start_server(
        tmp_path / "server.log",
        DATABASE_URL=f"sqlite:///{tmp_path / 'hostile.sqlite3'}",
        SECRET_KEY="e2e-secret-key",
        SOCKETIO_ASYNC_MODE=mode,
    )
    try:
        made = sample_event(server, "Hostile uploads", [("00Q", "Ann")])
        phone = requests.Session()
        assert phone.get(made.delegates[0]["join_url"], timeout=5).status_code == 200
        before = made.api.get(f"{made.base}/events/{made.id}", timeout=5).json()
        runs = []
        for _run in range(5):
            ordered = upload_while_probing(server, made, phone)
            worst, p99 = ordered[-1], ordered[int(len(ordered) * 0.99) - 1]
            runs.append(f"{len(ordered)} answers, max {worst * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
            print(f"{mode}: {runs[-1]}")
            if worst < ANSWER_WITHIN:
                break
        after = made.api.get(f"{made.base}/events/{made.id}", timeout=5).json()
        assert after["organisations"] == before["organisations"]  # nothing imported
        assert after["contracts"] == before["contracts"]
        assert worst < ANSWER_WITHIN, "; ".join(runs)
    finally:
        server.stop()
