"""Plot benchmark results: latency and throughput against the number of phones, app beside reference.

    .venv/bin/python scripts/bench_lib/plot.py OUT.png RESULT.json [RESULT.json ...]

Each RESULT.json is what `scripts/bench --out` wrote (one number of phones each). The figure has one
panel per pattern found (burst, sustained): acknowledgement p50 and p99 and vote-to-projector p99 on
a log scale for every target in the files (app, reference, scaleout), and each target's throughput.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no screen
import matplotlib.pyplot as plt  # noqa: E402

PATTERNS = ("burst", "sustained")
STYLES = {"app": "-", "reference": ":", "scaleout": "--"}
SERIES = (
    ("ack_ms", "p50", "ack p50"),
    ("ack_ms", "p99", "ack p99"),
    ("projector_ms", "p99", "projector p99"),
)


def load(paths: list[str]) -> list[dict[str, Any]]:
    """The runs, ordered by their number of phones."""
    runs = [json.loads(Path(path).read_text()) for path in paths]
    return sorted(runs, key=lambda run: run["config"]["phones"])


def points(runs: list[dict[str, Any]], target: str, pattern: str, get: Any) -> tuple[list[int], list[float]]:
    xs, ys = [], []
    for run in runs:
        phase = run["targets"].get(target, {}).get("phases", {}).get(pattern)
        value = get(phase) if phase else None
        if value is not None:
            xs.append(run["config"]["phones"])
            ys.append(value)
    return xs, ys


def main() -> None:
    out, paths = sys.argv[1], sys.argv[2:]
    runs = load(paths)
    targets = sorted({name for run in runs for name in run["targets"]}, key=list(STYLES).index)
    figure, axes = plt.subplots(2, len(PATTERNS), figsize=(12, 8), squeeze=False)
    for column, pattern in enumerate(PATTERNS):
        latency, rate = axes[0][column], axes[1][column]
        for target in targets:
            for colour, (key, quantile, label) in zip(("C0", "C1", "C2"), SERIES, strict=True):
                xs, ys = points(runs, target, pattern, lambda p, k=key, q=quantile: (p.get(k) or {}).get(q))
                latency.plot(xs, ys, STYLES[target], color=colour, marker="o", label=f"{target} {label}")
            xs, ys = points(runs, target, pattern, lambda p: p.get("throughput_vps"))
            rate.plot(xs, ys, STYLES[target], color="C3", marker="o", label=f"{target} votes/s")
        latency.set(xscale="log", yscale="log", title=f"{pattern}: latency", ylabel="ms", xlabel="phones")
        rate.set(xscale="log", title=f"{pattern}: acknowledged votes per second", xlabel="phones")
        rate.set_ylim(bottom=0)
        phones = [run["config"]["phones"] for run in runs]
        for axis in (latency, rate):
            axis.set_xticks(phones, [str(n) for n in phones])
            axis.minorticks_off()
            axis.grid(True, alpha=0.3)
            axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(out, dpi=90)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
