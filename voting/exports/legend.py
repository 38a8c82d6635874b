"""Shared legend wording, cell classification and colour palette for matrix exports."""

from __future__ import annotations

from voting.domain.levels import LEVELS
from voting.domain.matrix import NA

# Paul Tol's "light" scheme (designed for coloured cells with dark text, colour-blind friendly).
# Every fill gives at least 5.7:1 contrast with TEXT_COLOUR; the level number is always shown too.
LEVEL_COLOURS: dict[int, str] = {
    1: "#99DDFF",
    2: "#44BB99",
    3: "#BBCC33",
    4: "#EE8866",
    5: "#FFAABB",
}
TEXT_COLOUR = "#212B32"  # NHS black
NA_FILL = "#DDDDDD"
NA_TEXT = "#425563"  # NHS dark grey
SPLIT_FILL = "#FFF4C2"
SPLIT_HATCH = "#E0B000"

SPLIT_NOTE = "Delegates tied, e.g. 2/3; not resolved"
NA_NOTE = "Does not hold this contract"
EMPTY_NOTE = "No position yet"
EMPTY_LABEL = "(empty)"

NOTES: tuple[tuple[str, str], ...] = (
    ("Split", SPLIT_NOTE),
    (NA, NA_NOTE),
    (EMPTY_LABEL, EMPTY_NOTE),
)


def level_of(value: str) -> int | None:
    """The level for a settled cell ("1".."5"), else None."""
    return int(value) if value in _LEVEL_TEXT else None


def is_split(value: str) -> bool:
    """True for a tied cell such as "2/3" (two or more levels)."""
    parts = value.split("/")
    return len(parts) > 1 and all(part in _LEVEL_TEXT for part in parts)


def level_rows() -> list[tuple[int, str]]:
    """The five levels as (number, label) in order."""
    return sorted(LEVELS.items())


_LEVEL_TEXT = frozenset(str(level) for level in LEVELS)
