"""A small run of scripts/bench (about 50 phones), so the benchmark cannot rot.

It checks correctness only - every vote acknowledged, no errors, nobody refused, the projector
ends up showing the final count, the JSON has what docs/performance.md describes - and never a
timing: how fast this machine is at the moment is not a test result.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PHONES = 50

PHASE_KEYS = {
    "votes", "acknowledged", "errors", "error_kinds", "not_sent", "ack_ms", "projector_ms", "not_shown",
    "final_state_delivered", "throughput_vps", "offered_vps", "duration_s", "server_cpu_percent_max",
    "server_rss_mb_max", "pushes_per_screen_max", "phone_pushes", "loop_probe", "generator_cpu_percent_max",
}  # fmt: skip
LATENCY_KEYS = {"count", "p50", "p90", "p99", "max"}
PROBE_KEYS = {"count", "p50_ms", "p99_ms", "max_ms"}


def test_a_small_benchmark_run_is_correct(tmp_path: Path) -> None:
    out = tmp_path / "smoke.json"
    done = subprocess.run(
        [
            sys.executable, str(ROOT / "scripts" / "bench"),
            "--phones", str(PHONES), "--screens", "3",
            "--patterns", "burst,sustained", "--rate", "20", "--duration", "5",
            "--out", str(out), "--timeout", "300", "--db-dir", str(tmp_path),
        ],
        capture_output=True, text=True, timeout=420, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "App / reference" in done.stdout  # the printed table and ratios

    results = json.loads(out.read_text())
    assert results["complete"] is True
    assert set(results["targets"]) == {"app", "reference"}
    assert set(results["ratios"]) == {"burst", "sustained"}
    assert {"ack_p50", "ack_p99", "projector_p99", "throughput"} <= set(results["ratios"]["burst"])

    for kind, target in results["targets"].items():
        connections = target["connections"]
        assert connections["phones_connected"] == PHONES, (kind, connections)
        assert connections["screens_connected"] == 3, (kind, connections)
        assert connections["refused"] == 0 and connections["failed"] == 0, (kind, connections)
        assert target["closing"]["phones_dropped_during_run"] == 0, kind
        assert target["closing"]["screens_dropped_during_run"] == 0, kind
        assert set(target["phases"]) == {"burst", "sustained"}

        burst, sustained = target["phases"]["burst"], target["phases"]["sustained"]
        assert burst["votes"] == PHONES, kind  # every phone voted once
        assert sustained["votes"] == 20 * 5, kind  # 20 votes a second for 5 seconds
        for name, phase in target["phases"].items():
            where = (kind, name)
            assert set(phase) >= PHASE_KEYS, (where, PHASE_KEYS - set(phase))
            assert phase["acknowledged"] == phase["votes"], (where, phase["error_kinds"])
            assert phase["errors"] == 0 and phase["not_sent"] == 0, (where, phase["error_kinds"])
            assert phase["not_shown"] == 0, where
            assert phase["final_state_delivered"] is True, where
            assert set(phase["ack_ms"]) == LATENCY_KEYS and phase["ack_ms"]["count"] == phase["votes"]
            assert set(phase["projector_ms"]) == LATENCY_KEYS
            assert phase["projector_ms"]["count"] == phase["votes"], where
            assert phase["server_cpu_percent_max"] is not None and phase["server_rss_mb_max"] > 0
            assert phase["pushes_per_screen_max"] >= 1
            assert set(phase["loop_probe"]["generator"]) == PROBE_KEYS
            assert set(phase["loop_probe"]["server"]) == PROBE_KEYS
            assert phase["loop_probe"]["server"]["count"] > 0, where  # the in-server probe reported

        # The projector (and every screen) ends up showing every acknowledged vote: one step of
        # progress per vote, so the final figure equals the number of votes exactly.
        overall = target["overall"]
        assert overall["acknowledged"] == PHONES + 100
        assert overall["projector_total"] == overall["acknowledged"], kind
        assert overall["screen_totals"] == [overall["acknowledged"]] * 3, kind

    # Votes go over HTTP; the app pushes nothing to phones per vote (ballots only change on open/close).
    for name, phase in results["targets"]["app"]["phases"].items():
        assert phase["phone_pushes"] == 0, name
