"""A small in-process limiter: so many events per key in a sliding window."""

from __future__ import annotations

import threading
import time
from collections import deque


class Throttle:
    """Counts events per key (a client address, a delegate) over the last `window` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def retry_after(self, key: str) -> int:
        """Seconds until another event is allowed for key (0 when allowed now)."""
        now = time.monotonic()
        with self._lock:
            events = self._recent(key, now)
            if len(events) < self.limit:
                return 0
            return max(1, int(events[0] + self.window - now + 0.999))

    def hit(self, key: str) -> None:
        """Count one event for key."""
        now = time.monotonic()
        with self._lock:
            self._recent(key, now).append(now)
            if len(self._events) > 10_000:  # forget idle keys rather than grow without bound
                for stale in [k for k, v in self._events.items() if not v]:
                    del self._events[stale]

    def allow(self, key: str) -> bool:
        """Count one event and say whether it was within the limit."""
        now = time.monotonic()
        with self._lock:
            events = self._recent(key, now)
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True

    def reset(self, key: str) -> None:
        """Forget a key (a successful sign-in)."""
        with self._lock:
            self._events.pop(key, None)
