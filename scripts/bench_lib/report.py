"""The printed table and the ratios of one target's figures to another's (app / reference, ...)."""

from __future__ import annotations

from typing import Any

from bench_lib.stats import ratio

# (ratio name, how to read it from a phase report)
RATIO_FIGURES: tuple[tuple[str, Any], ...] = (
    ("ack_p50", lambda p: p["ack_ms"]["p50"]),
    ("ack_p99", lambda p: p["ack_ms"]["p99"]),
    ("projector_p50", lambda p: p["projector_ms"]["p50"]),
    ("projector_p99", lambda p: p["projector_ms"]["p99"]),
    ("throughput", lambda p: p["throughput_vps"]),
    ("server_cpu_mean", lambda p: p["server_cpu_percent_mean"]),
    ("server_rss_max", lambda p: p["server_rss_mb_max"]),
)


def ratios(app: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    """app / reference per phase, or any two targets' (latency above 1, throughput below 1: first slower)."""
    out: dict[str, Any] = {}
    for name, phase in app.get("phases", {}).items():
        other = reference.get("phases", {}).get(name)
        if other is None:
            continue
        out[name] = {key: ratio(read(phase), read(other)) for key, read in RATIO_FIGURES}
    return out


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}"
    return str(value)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    cells = [header] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.rjust(w) if i > 1 else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render(results: dict[str, Any]) -> str:
    """The human summary: one row per server and phase, then the ratios, then connections and notes."""
    header = [
        "server", "phase", "votes", "acked", "errors",
        "ack p50", "p90", "p99", "max",
        "proj p50", "p90", "p99", "max",
        "votes/s", "CPU% max", "RSS MB", "push/s/screen",
        "gen loop p99/max", "srv loop p99/max",
    ]  # fmt: skip
    rows = []
    for kind, target in results["targets"].items():
        for name, p in target.get("phases", {}).items():
            gen = p["loop_probe"]["generator"]
            srv = p["loop_probe"]["server"] or {}
            rows.append(
                [
                    kind, name, p["votes"], p["acknowledged"], p["errors"],
                    p["ack_ms"]["p50"], p["ack_ms"]["p90"], p["ack_ms"]["p99"], p["ack_ms"]["max"],
                    p["projector_ms"]["p50"], p["projector_ms"]["p90"], p["projector_ms"]["p99"],
                    p["projector_ms"]["max"],
                    p["throughput_vps"], p["server_cpu_percent_max"], p["server_rss_mb_max"],
                    p["pushes_per_screen_max"],
                    f"{_fmt(gen.get('p99_ms'))}/{_fmt(gen.get('max_ms'))}",
                    f"{_fmt(srv.get('p99_ms'))}/{_fmt(srv.get('max_ms'))}",
                ]
            )  # fmt: skip
    out = [
        "Latencies in ms from the moment the phone 'taps' (the scheduled send time).",
        _table(header, rows),
    ]
    if results.get("ratios"):
        keys = [k for k, _ in RATIO_FIGURES]
        ratio_rows = [[name, "app/ref", *[r.get(k) for k in keys]] for name, r in results["ratios"].items()]
        out += ["", "App / reference (latency > 1 and throughput < 1 mean the app is slower):"]
        out.append(_table(["phase", "", *keys], ratio_rows))
    pairs = results.get("scaleout_ratios") or {}
    if pairs:
        keys = [k for k, _ in RATIO_FIGURES]
        rows = [
            [name, f"scaleout/{'ref' if other == 'reference' else other}", *[r.get(k) for k in keys]]
            for other, by_phase in pairs.items()
            for name, r in by_phase.items()
        ]
        out += ["", "Scale-out (two processes, PostgreSQL + Redis) / the others:"]
        out.append(_table(["phase", "", *keys], rows))
    out.append("")
    for kind, target in results["targets"].items():
        c = target.get("connections", {})
        out.append(
            f"{kind}: {c.get('phones_connected')}/{c.get('phones')} phones and "
            f"{c.get('screens_connected')}/{c.get('screens')} screens connected in {c.get('connect_seconds')} s; "
            f"refused {c.get('refused')}, failed {c.get('failed')}"
            + (f" {c.get('reasons')}" if c.get("reasons") else "")
            + f"; dropped during the run: {target.get('closing', {}).get('phones_dropped_during_run')} phones, "
            + f"{target.get('closing', {}).get('screens_dropped_during_run')} screens"
        )
        loads = [
            f"{name} {p['machine']['load_average_1m']}/{p['machine']['cpu_pressure_some_avg10']}%"
            for name, p in target.get("phases", {}).items()
            if p.get("machine")
        ]
        if loads:
            out.append("  machine load average / CPU pressure after each phase: " + ", ".join(loads))
        processes = target.get("overall", {}).get("server_processes") or []
        if len(processes) > 1:
            out.append(
                f"  {len(processes)} server processes: CPU% and RSS above are their sum; per process "
                "(CPU% max / RSS MB max over the run): "
                + ", ".join(
                    f"{chr(65 + n)} {_fmt(p['cpu_percent_max'])}/{_fmt(p['rss_mb_max'])}"
                    for n, p in enumerate(processes)
                )
            )
        for note in target.get("notes", []):
            out.append(f"  note: {note}")
        for name, p in target.get("phases", {}).items():
            if p["errors"] or p["not_shown"] or not p["final_state_delivered"] or p["not_sent"]:
                out.append(
                    f"  {name}: errors {p['error_kinds']}, not sent {p['not_sent']}, not shown {p['not_shown']}, "
                    f"final state delivered to every screen: {p['final_state_delivered']}"
                )
    return "\n".join(out)
