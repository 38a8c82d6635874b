"""The five configuration levels, exactly as Annex 2's legend."""

from __future__ import annotations

LEVELS: dict[int, str] = {
    1: "Individual CCG",
    2: "Small clusters of CCGs",
    3: "Larger clusters of CCGs (eg current PCT clusters)",
    4: "Regional (eg current SHA areas)",
    5: "National (often in collaboration with NHSCB)",
}


def parse_level(raw: object) -> int | None:
    """Turn user input ("3", 3) into a level, or None when it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if raw in LEVELS else None
    # ASCII digits only: str.isdigit() is also true for "²" (int() then raises) and "٣".
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        value = int(raw.strip())
        return value if value in LEVELS else None
    return None
