"""Use cases: the only code that writes. Each commits, then publishes."""

from __future__ import annotations

# The largest id an integer column holds everywhere (PostgreSQL's INTEGER; SQLite's is larger). A bigger
# number from a URL or a body cannot name a row, and handing it to the database driver fails loudly.
MAX_ID = 2**31 - 1


def is_id(value: object) -> bool:
    """True for a whole number that can be a row id (not a bool, and one a database column can hold)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID
