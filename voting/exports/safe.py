"""Formula-injection guard for exported text cells (CSV and spreadsheet)."""

from __future__ import annotations

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(text: str) -> str:
    """Prefix an apostrophe when text would start a spreadsheet formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
