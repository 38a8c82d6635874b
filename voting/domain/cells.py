"""Reading Annex 2 matrix cells ("NA", "", "2", "2/3") and the neighbour relation, shared by Stages 3-4."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from voting.domain.levels import LEVELS

NA = "NA"

# Short names for sentences facilitators read aloud ("You chose small clusters (2) ...").
LEVEL_SHORT: dict[int, str] = {
    1: "individual CCG",
    2: "small clusters",
    3: "larger clusters",
    4: "regional",
    5: "national",
}

Cells = Mapping[tuple[str, str], str]


def parse_cell(cell: str) -> tuple[int, ...] | None:
    """None for "NA" (not held), () for "" (no position), else the sorted levels of "2" or "2/3"."""
    text = cell.strip()
    if text.upper() == NA:
        return None
    if not text:
        return ()
    levels: set[int] = set()
    for part in text.split("/"):
        part = part.strip()
        if not (part.isascii() and part.isdigit()) or int(part) not in LEVELS:
            raise ValueError(f"Matrix cell {cell!r} is not NA, empty, a level 1-5 or a split like 2/3")
        levels.add(int(part))
    return tuple(sorted(levels))


def cell_levels(cells: Cells, org: str, contract: str) -> tuple[int, ...] | None:
    """Parsed cell of (org, contract); a missing cell counts as "NA" (not held)."""
    return parse_cell(cells.get((org, contract), NA))


def settled_level(levels: tuple[int, ...] | None) -> int | None:
    """The single level of a parsed cell, or None when not held, empty or split."""
    return levels[0] if levels is not None and len(levels) == 1 else None


def level_phrase(level: int) -> str:
    """ "small clusters (2)" - a level's short name with its number."""
    return f"{LEVEL_SHORT[level]} ({level})"


def symmetric(neighbours: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """Neighbour sets made symmetric (union of both directions), without self-links."""
    result: dict[str, set[str]] = {}
    for org, others in neighbours.items():
        for other in others:
            if other == org:
                continue
            result.setdefault(org, set()).add(other)
            result.setdefault(other, set()).add(org)
    return result


def display_name(org: str, names: Mapping[str, str] | None = None) -> str:
    """An organisation's name for sentences: names[org] when given, else "<code> CCG"."""
    if names and org in names:
        return names[org]
    return f"{org} CCG"


def join_names(items: Iterable[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    parts = list(items)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
