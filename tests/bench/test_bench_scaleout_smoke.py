"""A small run of `scripts/bench --targets scaleout`: two processes on PostgreSQL and Redis (issue 6.6).

Correctness only, never a timing: every vote acknowledged, none refused, every screen (the projector
is on the other process from half the phones) ends up showing every vote, the JSON reports both
processes, and the temporary database is gone afterwards. Without PostgreSQL or Redis on 127.0.0.1
it skips and says how to start them (in CI a skip fails the run: tests/conftest.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from bench_lib import scaleout  # noqa: E402

PHONES = 30
SCREENS = 3
SUSTAINED = 20 * 3  # --rate 20 --duration 3


def _database_exists(name: str) -> bool:
    import psycopg2

    connection = psycopg2.connect(**scaleout.PG)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            return cursor.fetchone() is not None
    finally:
        connection.close()


def test_a_small_scale_out_benchmark_run_is_correct(tmp_path: Path) -> None:
    reason = scaleout.unreachable()
    if reason:
        pytest.skip(reason)
    out = tmp_path / "scaleout.json"
    done = subprocess.run(
        [
            sys.executable, str(ROOT / "scripts" / "bench"), "--targets", "scaleout",
            "--phones", str(PHONES), "--screens", str(SCREENS),
            "--patterns", "burst,sustained", "--rate", "20", "--duration", "3",
            "--out", str(out), "--timeout", "240", "--db-dir", str(tmp_path),
        ],
        capture_output=True, text=True, timeout=360, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "scaleout" in done.stdout and "2 server processes" in done.stdout  # the printed table

    results = json.loads(out.read_text())
    assert results["complete"] is True
    assert set(results["targets"]) == {"scaleout"}
    assert results["config"]["targets"] == ["scaleout"]
    assert results["scaleout_ratios"] == {}  # nothing else ran to compare with
    target = results["targets"]["scaleout"]

    server = target["server"]
    assert len(server["urls"]) == 2 and len(server["processes"]) == 2
    assert server["database"].startswith("postgresql+psycopg2://") and server["channel"].startswith("bench-")
    assert not _database_exists(server["database"].rsplit("/", 1)[1]), (
        "the temporary database was not dropped"
    )

    connections = target["connections"]
    assert connections["phones_connected"] == PHONES and connections["screens_connected"] == SCREENS
    assert connections["refused"] == 0 and connections["failed"] == 0, connections
    assert target["closing"] == {"phones_dropped_during_run": 0, "screens_dropped_during_run": 0}
    assert target["phases"]["burst"]["votes"] == PHONES
    assert target["phases"]["sustained"]["votes"] == SUSTAINED

    for name, phase in target["phases"].items():
        assert phase["acknowledged"] == phase["votes"], (name, phase["error_kinds"])
        assert phase["errors"] == 0 and phase["not_sent"] == 0, (name, phase["error_kinds"])
        assert phase["not_shown"] == 0 and phase["final_state_delivered"] is True, name
        assert phase["projector_ms"]["count"] == phase["votes"], name
        assert phase["phone_pushes"] == 0, name
        # CPU and RSS: the sum (the existing keys) and each process's own (the new one).
        assert phase["server_rss_mb_max"] > 0 and phase["server_cpu_percent_max"] is not None
        assert len(phase["server_processes"]) == 2, name
        assert all(p["rss_mb_max"] > 0 for p in phase["server_processes"]), name
        assert len(phase["loop_probe"]["server_per_process"]) == 2, name
    # Both processes run the loop probe (it reports once a second: the 3-second phase shows it).
    assert all(p["count"] > 0 for p in target["phases"]["sustained"]["loop_probe"]["server_per_process"])

    # Every screen - on either process - ends up showing every vote, whichever process took it.
    overall = target["overall"]
    assert overall["acknowledged"] == PHONES + SUSTAINED
    assert overall["projector_total"] == overall["acknowledged"]
    assert overall["screen_totals"] == [overall["acknowledged"]] * SCREENS
    assert len(overall["server_processes"]) == 2
