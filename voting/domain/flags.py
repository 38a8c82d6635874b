"""Stage 3 "Are we sure?": flag matrix cells to re-examine against neighbouring CCGs' choices.

Annex 2: CCGs re-examined their votes "particularly by looking at the mapping by neighbouring
CCGs (you can't collaborate if no one else wants to)". For every contract a CCG holds, its cell
gets at most one flag, so one fact is never reported twice:

* ``no_position`` - the cell is empty;
* ``split`` - the delegates are tied between several levels;
* ``mismatch`` - the CCG chose a collaborative level 2, 3 or 4; no holding neighbour settled on
  that level, but at least one holding neighbour settled on another collaborative level (2-4).
  They want to collaborate, just at another level: agree a level with them.
* ``isolated`` - the CCG chose a cluster level 2 or 3; no holding neighbour settled on it, and
  none settled on any other collaborative level either (or no neighbour holds the contract):
  nobody nearby wants to collaborate on it.

Only settled positions of neighbours count as "chose"; neighbours that are split or have no
position yet are named in the message so the CCG knows the picture may still change. Levels 1
and 5 are never isolated or mismatched: an individual arrangement needs no partner and the
national level is not organised among neighbours. A regional (4) choice has no "isolated" flag
(regional groups are not built from neighbours) but is a mismatch when neighbours chose 2 or 3.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from voting.domain.cells import (
    Cells,
    cell_levels,
    display_name,
    join_names,
    level_phrase,
    settled_level,
    symmetric,
)

NO_POSITION = "no_position"
SPLIT = "split"
ISOLATED = "isolated"
MISMATCH = "mismatch"
KINDS = (NO_POSITION, SPLIT, ISOLATED, MISMATCH)

CLUSTER_LEVELS = frozenset({2, 3})
COLLABORATIVE_LEVELS = frozenset({2, 3, 4})


@dataclass(frozen=True)
class Flag:
    """One "Are we sure?" question for one CCG on one contract it holds."""

    org: str
    contract: str
    kind: str
    message: str


@dataclass(frozen=True)
class ViewRow:
    """One organisation's cells for the contracts of a neighbour view."""

    org: str
    is_self: bool
    cells: tuple[str, ...]
    same: tuple[bool, ...]  # True where this row settled on the same level as the viewing CCG


@dataclass(frozen=True)
class NeighbourView:
    """The viewing CCG's row first, then each neighbour's row, over the same contracts."""

    org: str
    contracts: tuple[str, ...]
    rows: tuple[ViewRow, ...]


def _unsettled_note(
    cells: Cells, contract: str, others: Sequence[str], names: Mapping[str, str] | None
) -> str:
    notes = []
    for other in others:
        levels = cell_levels(cells, other, contract)
        if levels == ():
            notes.append(f"{display_name(other, names)} (no position)")
        elif levels is not None and len(levels) > 1:
            notes.append(f"{display_name(other, names)} (split {'/'.join(map(str, levels))})")
    return f" Not settled yet: {join_names(notes)}." if notes else ""


def _choices(by_level: Mapping[int, list[str]], names: Mapping[str, str] | None) -> str:
    return "; ".join(
        f"{level_phrase(level)}: {join_names(display_name(o, names) for o in orgs)}"
        for level, orgs in sorted(by_level.items())
    )


def _cell_flag(
    cells: Cells,
    org: str,
    contract: str,
    links: Mapping[str, set[str]],
    names: Mapping[str, str] | None,
) -> Flag | None:
    levels = cell_levels(cells, org, contract)
    if levels is None:
        return None
    if not levels:
        return Flag(org, contract, NO_POSITION, "You have no position on this contract yet: agree a level.")
    if len(levels) > 1:
        phrases = join_names(level_phrase(level) for level in levels)
        return Flag(org, contract, SPLIT, f"Your delegates are split between {phrases}: agree one level.")
    level = levels[0]
    if level not in COLLABORATIVE_LEVELS:
        return None
    holding = sorted(o for o in links.get(org, set()) if cell_levels(cells, o, contract) is not None)
    by_level: dict[int, list[str]] = {}
    for other in holding:
        other_level = settled_level(cell_levels(cells, other, contract))
        if other_level is not None:
            by_level.setdefault(other_level, []).append(other)
    if level in by_level:
        return None
    pending = _unsettled_note(cells, contract, holding, names)
    collaborative = {lv: orgs for lv, orgs in by_level.items() if lv in COLLABORATIVE_LEVELS}
    if collaborative:
        message = (
            f"You chose {level_phrase(level)} but the neighbouring CCGs that hold this contract chose "
            f"{_choices(collaborative, names)}. Agree a level with them or confirm your choice.{pending}"
        )
        return Flag(org, contract, MISMATCH, message)
    if level not in CLUSTER_LEVELS:
        return None
    if not holding:
        message = (
            f"You chose {level_phrase(level)} but no neighbouring CCG holds this contract: "
            "you can't collaborate if no one else wants to."
        )
    else:
        message = (
            f"You chose {level_phrase(level)} but no neighbouring CCG that holds this contract did: "
            "you can't collaborate if no one else wants to."
        )
        if by_level:
            message += f" They chose {_choices(by_level, names)}."
    return Flag(org, contract, ISOLATED, message + pending)


def compute_flags(
    cells: Cells,
    organisations: Sequence[str],
    contracts: Sequence[str],
    neighbours: Mapping[str, Iterable[str]],
    names: Mapping[str, str] | None = None,
) -> list[Flag]:
    """All Stage 3 flags, organisations then contracts in the given order, at most one per cell."""
    links = symmetric(neighbours)
    flags = []
    for org in organisations:
        for contract in contracts:
            flag = _cell_flag(cells, org, contract, links, names)
            if flag is not None:
                flags.append(flag)
    return flags


def neighbour_view(
    cells: Cells,
    org: str,
    neighbours: Mapping[str, Iterable[str]],
    contracts: Sequence[str],
    *,
    only_held: bool = True,
) -> NeighbourView:
    """The CCG's row beside each neighbour's row (neighbours sorted by code), for the phone page.

    With ``only_held`` (the default) only contracts the viewing CCG holds are shown. A missing
    cell shows as "NA". ``same`` marks neighbour cells settled on the viewing CCG's settled level.
    """
    shown = tuple(c for c in contracts if not only_held or cell_levels(cells, org, c) is not None)
    own = tuple(settled_level(cell_levels(cells, org, c)) for c in shown)

    def row(code: str, is_self: bool) -> ViewRow:
        texts = tuple(cells.get((code, c), "NA") for c in shown)
        levels = tuple(settled_level(cell_levels(cells, code, c)) for c in shown)
        same = tuple(
            not is_self and mine is not None and theirs == mine
            for mine, theirs in zip(own, levels, strict=True)
        )
        return ViewRow(org=code, is_self=is_self, cells=texts, same=same)

    others = sorted(symmetric(neighbours).get(org, set()))
    rows = (row(org, True), *(row(other, False) for other in others))
    return NeighbourView(org=org, contracts=shown, rows=rows)
