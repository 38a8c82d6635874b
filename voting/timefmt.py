"""Times are stored as naive UTC; people read them in the venue's time zone (UK by default)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

ZONE = ZoneInfo(os.environ.get("VOTING_TIMEZONE") or "Europe/London")


def local(moment: datetime) -> datetime:
    """A stored (naive UTC) time in the venue's zone."""
    return moment.replace(tzinfo=UTC).astimezone(ZONE)


def clock(moment: datetime, seconds: bool = False) -> str:
    """ "10:42" (or "10:42:05") in the venue's time zone."""
    return local(moment).strftime("%H:%M:%S" if seconds else "%H:%M")


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with an explicit UTC offset, for browsers and the API."""
    return moment.replace(tzinfo=UTC).isoformat() if moment else None
