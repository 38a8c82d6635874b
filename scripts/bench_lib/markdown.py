"""Benchmark results as the Markdown tables docs/performance.md shows, straight from the JSON.

    .venv/bin/python scripts/bench_lib/markdown.py RESULT.json [RESULT.json ...]
    .venv/bin/python scripts/bench_lib/markdown.py --compare RESULT.json [RESULT.json ...]

For each file: the command that made it, when and under what machine load, one row per target and
phase, the ratios to the reference, and the connection summary - so the document never carries a
figure typed by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

COLUMNS = (
    "server | phase | votes | acked | errors | ack p50 / p90 / p99 / max ms | projector p50 / p99 / max ms"
    " | votes/s | server CPU % max | RSS MB start / 1 min / end | pushes/s/screen max arrived / sent"
    " | server loop p99 / max ms | generator loop p99 / max ms"
)
RATIO_COLUMNS = ("ack_p50", "ack_p99", "projector_p50", "projector_p99", "throughput", "server_cpu_mean")


def fmt(value: Any) -> str:
    """Numbers as the tables print them: three significant figures or so, '-' for none."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}" if abs(value) >= 1 else f"{value:.2f}"
    return str(value)


def quantiles(figures: dict[str, Any] | None, keys: tuple[str, ...]) -> str:
    return " / ".join(fmt((figures or {}).get(key)) for key in keys)


def phase_row(target: str, name: str, p: dict[str, Any]) -> str:
    probe = p.get("loop_probe") or {}
    cells = [
        target, name, fmt(p["votes"]), fmt(p["acknowledged"]), fmt(p["errors"]),
        quantiles(p["ack_ms"], ("p50", "p90", "p99", "max")),
        quantiles(p["projector_ms"], ("p50", "p99", "max")),
        fmt(p["throughput_vps"]), fmt(p["server_cpu_percent_max"]),
        " / ".join(fmt(p.get(k)) for k in ("server_rss_mb_start", "server_rss_mb_after_1_min", "server_rss_mb_end")),
        f"{fmt(p['pushes_per_screen_max'])} / {fmt(p.get('pushes_per_screen_sent_max'))}",
        quantiles(probe.get("server"), ("p99_ms", "max_ms")),
        quantiles(probe.get("generator"), ("p99_ms", "max_ms")),
    ]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def render(results: dict[str, Any]) -> str:
    """One run's tables."""
    machine = results["machine"]
    lines = [
        f"`{' '.join(results['command'])}` - {results['created']}, async mode "
        f"{results['config']['async_mode']}, load average {machine['load_average_at_start'][0]} at start, "
        f"{machine['load_average_at_end'][0]} at end",
        "",
        "| " + COLUMNS + " |",
        "|" + "|".join("---" if i < 2 else "--:" for i in range(COLUMNS.count("|") + 1)) + "|",
    ]
    for target, report in results["targets"].items():
        for name, phase in report.get("phases", {}).items():
            lines.append(phase_row(target, name, phase))
    for title, table in (("app / reference", results.get("ratios")), *_scaleout(results)):
        if table:
            lines += [
                "",
                f"| {title} | " + " | ".join(RATIO_COLUMNS) + " |",
                "|---" + "|--:" * len(RATIO_COLUMNS) + "|",
            ]
            for phase, figures in table.items():
                lines.append(f"| {phase} | " + " | ".join(fmt(figures.get(k)) for k in RATIO_COLUMNS) + " |")
    lines.append("")
    for target, report in results["targets"].items():
        c = report.get("connections") or {}
        closing = report.get("closing") or {}
        lines.append(
            f"{target}: {c.get('phones_connected')}/{c.get('phones')} phones and {c.get('screens_connected')}/"
            f"{c.get('screens')} screens connected in {c.get('connect_seconds')} s, refused {c.get('refused')}, "
            f"failed {c.get('failed')}; dropped during the run: {closing.get('phones_dropped_during_run')} phones, "
            f"{closing.get('screens_dropped_during_run')} screens. {' '.join(report.get('notes') or [])}".rstrip()
        )
        lines.append("")
    return "\n".join(lines)


def _scaleout(results: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    both = results.get("scaleout_ratios") or {}
    return [(f"scaleout / {other}", table) for other, table in both.items()]


def compare(runs: list[dict[str, Any]]) -> str:
    """One row per run and target: the figures that tell async modes (or set-ups) apart."""
    lines = [
        "| run | mode | server | burst ack p50 / p99 ms | burst votes/s | burst projector p99 ms"
        " | sustained ack p50 / p99 ms | sustained projector p99 ms | errors | server CPU % max | RSS MB max"
        " | app / reference throughput (burst) |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for run in runs:
        for target, report in run["targets"].items():
            phases = report.get("phases", {})
            burst, sustained = phases.get("burst", {}), phases.get("sustained", {})
            ratio = (run.get("ratios") or {}).get("burst", {}).get("throughput") if target == "app" else None
            cells = [
                run["name"], run["config"]["async_mode"], target,
                quantiles(burst.get("ack_ms"), ("p50", "p99")), fmt(burst.get("throughput_vps")),
                fmt((burst.get("projector_ms") or {}).get("p99")),
                quantiles(sustained.get("ack_ms"), ("p50", "p99")),
                fmt((sustained.get("projector_ms") or {}).get("p99")),
                fmt(sum(p.get("errors", 0) for p in phases.values())),
                fmt(max((p.get("server_cpu_percent_max") or 0) for p in phases.values())),
                fmt(max((p.get("server_rss_mb_max") or 0) for p in phases.values())),
                fmt(ratio),
            ]  # fmt: skip
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    """Tables per result file, or with --compare one table comparing them."""
    args = sys.argv[1:]
    if args and args[0] == "--compare":
        print(compare([json.loads(Path(path).read_text()) for path in args[1:]]))
        return
    for path in args:
        print(render(json.loads(Path(path).read_text())))


if __name__ == "__main__":
    main()
