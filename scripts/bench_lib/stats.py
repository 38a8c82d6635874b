"""Small, dependency-free statistics for the benchmark report."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

QUANTILES = (50, 90, 99)


def percentile(sorted_values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile of already sorted values (None when there are none).

    Nearest rank never invents a value that was not measured: p99 of 1,000 samples is the 990th.
    """
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return float(sorted_values[min(rank, len(sorted_values)) - 1])


def summarize_ms(seconds: Iterable[float]) -> dict[str, float | int | None]:
    """count, p50/p90/p99/max in milliseconds (rounded to 0.1 ms) of durations given in seconds."""
    values = sorted(seconds)
    out: dict[str, float | int | None] = {"count": len(values)}
    for q in QUANTILES:
        value = percentile(values, q)
        out[f"p{q}"] = None if value is None else round(value * 1000, 1)
    out["max"] = round(values[-1] * 1000, 1) if values else None
    return out


def max_in_window(times: Sequence[float], window: float = 1.0) -> int:
    """The largest number of events inside any half-open window [t, t + window) (times sorted)."""
    best = 0
    start = 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def ratio(app: float | None, reference: float | None) -> float | None:
    """app / reference, rounded; None when either is missing or the reference is zero."""
    if app is None or reference is None or reference == 0:
        return None
    return round(app / reference, 2)
