"""Event-loop health: how late do short sleeps wake up?

A probe sleeps for `interval` (10 ms by default) again and again and records, for every sleep, how
much later than asked it woke ("lateness"). On a healthy loop that is well under a millisecond or
two; anything that holds the loop (a CPU-heavy handler, a blocking call such as an fsync under
eventlet, a big JSON encode) shows up as lateness of about that long. The figures that matter are p99
and max.

- `LoopProbe` runs as an asyncio task (the load generator's loop).
- `ThreadLoopProbe` runs in a thread using `time.sleep`. In a process monkey-patched by eventlet or
  gevent the "thread" is a green thread and `time.sleep` yields to the hub, so it measures the hub's
  lateness, which is what every request and push on that server waits behind. In a plain threaded
  process it measures how long a thread waits for the GIL and the OS scheduler.

Both keep `(wall-clock time of the wake-up, lateness in seconds)` samples, so a report can take the
samples of one phase of a run (`summary(start, end)` with `time.time()` bounds). `ThreadLoopProbe`
can also append its samples to a file once a second (`sink=`), which is how the benchmark reads the
probe it runs inside the server process (see serve_probed.py).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import threading
import time
from pathlib import Path
from typing import Any

from bench_lib.stats import percentile

Sample = tuple[float, float]  # (time.time() at wake-up, lateness in seconds)


def summarize(samples: list[Sample] | collections.deque[Sample]) -> dict[str, Any]:
    """count, p50/p99/max lateness in milliseconds."""
    late = sorted(s[1] for s in samples)
    out: dict[str, Any] = {"count": len(late)}
    for q in (50, 99):
        value = percentile(late, q)
        out[f"p{q}_ms"] = None if value is None else round(value * 1000, 1)
    out["max_ms"] = round(late[-1] * 1000, 1) if late else None
    return out


class _Probe:
    def __init__(self, interval: float = 0.01, max_samples: int = 2_000_000) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.interval = interval
        self.samples: collections.deque[Sample] = collections.deque(maxlen=max_samples)
        self._stopping = False

    def _record(self, asked_at: float) -> None:
        lateness = time.perf_counter() - asked_at - self.interval
        self.samples.append((time.time(), max(0.0, lateness)))

    def window(self, start: float | None = None, end: float | None = None) -> list[Sample]:
        """Samples whose wake-up fell in [start, end] (wall-clock seconds; None = open)."""
        return [
            s for s in list(self.samples) if (start is None or s[0] >= start) and (end is None or s[0] <= end)
        ]

    def summary(self, start: float | None = None, end: float | None = None) -> dict[str, Any]:
        return summarize(self.window(start, end))

    @property
    def max_lateness(self) -> float:
        return max((s[1] for s in list(self.samples)), default=0.0)


class LoopProbe(_Probe):
    """Measures the lateness of the running asyncio loop (start it from inside the loop)."""

    def __init__(self, interval: float = 0.01, max_samples: int = 2_000_000) -> None:
        super().__init__(interval, max_samples)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> LoopProbe:
        self._stopping = False
        self._task = asyncio.get_running_loop().create_task(self._run(), name="loop-probe")
        return self

    async def _run(self) -> None:
        while not self._stopping:
            asked_at = time.perf_counter()
            await asyncio.sleep(self.interval)
            self._record(asked_at)

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def __aenter__(self) -> LoopProbe:
        return self.start()

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()


class ThreadLoopProbe(_Probe):
    """Measures lateness with time.sleep in a (possibly green) thread; optionally writes to a file."""

    def __init__(
        self,
        interval: float = 0.01,
        sink: str | Path | None = None,
        flush_every: float = 1.0,
        max_samples: int = 2_000_000,
    ) -> None:
        super().__init__(interval, max_samples)
        self.sink = Path(sink) if sink else None
        self.flush_every = flush_every
        self._thread: threading.Thread | None = None
        self._pending: list[Sample] = []  # recorded, not yet written to the sink

    def start(self) -> ThreadLoopProbe:
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="loop-probe", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        last_flush = time.monotonic()
        while not self._stopping:
            asked_at = time.perf_counter()
            time.sleep(self.interval)
            self._record(asked_at)
            if self.sink is not None and time.monotonic() - last_flush >= self.flush_every:
                self.flush()
                last_flush = time.monotonic()
        self.flush()

    def _record(self, asked_at: float) -> None:
        super()._record(asked_at)
        if self.sink is not None:
            self._pending.append(self.samples[-1])

    def flush(self) -> None:
        """Append the samples not yet written to the sink file ("wall lateness" per line)."""
        if self.sink is None or not self._pending:
            return
        pending, self._pending = self._pending, []
        with self.sink.open("a") as out:
            out.write("".join(f"{wall:.6f} {late:.6f}\n" for wall, late in pending))

    def stop(self, timeout: float = 2.0) -> None:
        self._stopping = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> ThreadLoopProbe:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def read_sink(path: str | Path) -> list[Sample]:
    """Samples a ThreadLoopProbe wrote to its sink file (a missing file reads as no samples)."""
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        return []
    samples = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                samples.append((float(parts[0]), float(parts[1])))
            except ValueError:
                continue  # a line cut short by the process being stopped mid-write
    return samples
