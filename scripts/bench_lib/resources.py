"""CPU and resident memory of the server processes (and of the load generator), sampled with psutil."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import psutil


class ResourceSampler:
    """Samples CPU% (100 = one core busy) and resident memory of one or more processes every `interval` s.

    With several processes (scale-out) `samples` holds their sum at each tick - what the set-up costs
    the machine - and `per_process` each one's own figures.
    """

    def __init__(self, pid: int | list[int] | None, interval: float = 0.5) -> None:
        self.interval = interval
        self.samples: list[tuple[float, float, float]] = []  # (time.time(), cpu %, rss MiB)
        self._processes: list[psutil.Process] = []
        for one in [pid] if isinstance(pid, int) else pid or []:
            try:
                process = psutil.Process(one)
                process.cpu_percent(None)  # prime
            except psutil.Error:
                continue
            self._processes.append(process)
        self.per_process: list[list[tuple[float, float, float]]] = [[] for _ in self._processes]
        self._task: asyncio.Task[None] | None = None

    @property
    def active(self) -> bool:
        return bool(self._processes)

    def start(self) -> ResourceSampler:
        if self._processes:
            self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            now, alive = time.time(), False
            cpu_sum = rss_sum = 0.0
            for process, samples in zip(self._processes, self.per_process, strict=True):
                try:
                    with process.oneshot():
                        cpu = process.cpu_percent(None)
                        rss = process.memory_info().rss / 2**20
                except psutil.Error:
                    continue  # one process gone: the others still count
                alive = True
                samples.append((now, cpu, rss))
                cpu_sum, rss_sum = cpu_sum + cpu, rss_sum + rss
            if not alive:
                return
            self.samples.append((now, cpu_sum, rss_sum))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def summary(self, start: float | None = None, end: float | None = None) -> dict[str, Any]:
        """CPU and RSS over [start, end] (the sum over processes when there are several)."""
        return _summary(self.samples, start, end)

    def summary_per_process(
        self, start: float | None = None, end: float | None = None
    ) -> list[dict[str, Any]]:
        return [_summary(samples, start, end) for samples in self.per_process]


def _summary(
    samples: list[tuple[float, float, float]], start: float | None, end: float | None
) -> dict[str, Any]:
    window = [s for s in samples if (start is None or s[0] >= start) and (end is None or s[0] <= end + 0.6)]
    if not window:
        return {"cpu_percent_max": None, "cpu_percent_mean": None, "rss_mb_max": None,
                "rss_mb_start": None, "rss_mb_end": None, "rss_mb_after_1_min": None}  # fmt: skip
    cpu = [s[1] for s in window]
    rss = [s[2] for s in window]
    return {
        "cpu_percent_max": round(max(cpu), 1),
        "cpu_percent_mean": round(sum(cpu) / len(cpu), 1),
        "rss_mb_max": round(max(rss), 1),
        "rss_mb_start": round(rss[0], 1),
        "rss_mb_end": round(rss[-1], 1),
        # Memory must not grow once the server has warmed up: RSS one minute into the window (None
        # for a shorter window), to compare with rss_mb_end and rss_mb_max.
        "rss_mb_after_1_min": next((round(s[2], 1) for s in window if s[0] >= window[0][0] + 60), None),
    }
