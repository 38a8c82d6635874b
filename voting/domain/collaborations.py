"""Stage 4 "So who and how will we make it work?": proposed collaborations and the orphan check.

Proposals from the confirmed matrix, per contract:

* level 1 - one individual arrangement per CCG;
* levels 2 and 3 - the connected groups of holding CCGs that chose that level, connected through
  the (symmetric) neighbour relation restricted to those CCGs; a CCG with no such neighbour is a
  group of one, which ``check`` reports so the facilitator moves it;
* level 4 - one regional group of all CCGs that chose it; level 5 - one national group likewise;
* split or empty cells go into no group: ``check`` reports them as gaps.

Members are sorted by code. Arrangements are ordered by contract (given order), level, then first
member; keys are "<contract>:<level>:<n>" numbered in that order (n from 1 per contract and level).
Editing operations are pure: they return a new list and never change the one passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from voting.domain.cells import Cells, cell_levels, display_name, settled_level, symmetric
from voting.domain.levels import LEVELS

CLUSTER_LEVELS = frozenset({2, 3})

GAP = "gap"
DUPLICATE = "duplicate"
ALONE = "alone"
NOT_HOLDER = "not_holder"
EMPTY = "empty"
CROWDED = "crowded"  # an individual (level 1) arrangement with more than one member
DUPLICATE_KEY = "duplicate_key"
BAD_LEVEL = "bad_level"


class ChangeRefused(ValueError):
    """A move, merge or split refused, with a sentence written here for the facilitator."""


class UnknownArrangement(KeyError):
    """No arrangement has the key asked for (its only argument is the sentence)."""


@dataclass(frozen=True)
class Arrangement:
    """CCGs commissioning one contract together at one level."""

    contract: str
    level: int
    members: tuple[str, ...]
    key: str


@dataclass(frozen=True)
class Problem:
    """Something that stops the arrangements being finalised."""

    kind: str
    contract: str
    message: str
    org: str | None = None
    key: str | None = None


def _components(nodes: set[str], links: Mapping[str, set[str]]) -> list[tuple[str, ...]]:
    seen: set[str] = set()
    groups = []
    for start in sorted(nodes):
        if start in seen:
            continue
        stack, group = [start], set()
        while stack:
            node = stack.pop()
            if node in group:
                continue
            group.add(node)
            stack.extend(links.get(node, set()) & nodes - group)
        seen |= group
        groups.append(tuple(sorted(group)))
    return groups


def propose(
    cells: Cells,
    organisations: Sequence[str],
    contracts: Sequence[str],
    neighbours: Mapping[str, Iterable[str]],
) -> list[Arrangement]:
    """Proposed arrangements for every contract from the confirmed matrix (see module docstring)."""
    links = symmetric(neighbours)
    result: list[Arrangement] = []
    for contract in contracts:
        by_level: dict[int, set[str]] = {}
        for org in organisations:
            level = settled_level(cell_levels(cells, org, contract))
            if level is not None:
                by_level.setdefault(level, set()).add(org)
        for level in sorted(by_level):
            orgs = by_level[level]
            groups: list[tuple[str, ...]]
            if level == 1:
                groups = [(org,) for org in sorted(orgs)]
            elif level in CLUSTER_LEVELS:
                groups = _components(orgs, links)
            else:
                groups = [tuple(sorted(orgs))]
            for n, members in enumerate(sorted(groups), start=1):
                result.append(Arrangement(contract, level, members, f"{contract}:{level}:{n}"))
    return result


def _index(arrs: Sequence[Arrangement], key: str) -> int:
    for i, arr in enumerate(arrs):
        if arr.key == key:
            return i
    raise UnknownArrangement(f"No arrangement with key {key!r}")


def _new_key(arrs: Sequence[Arrangement], contract: str, level: int) -> str:
    used = {arr.key for arr in arrs}
    n = 1 + sum(1 for arr in arrs if arr.contract == contract and arr.level == level)
    while f"{contract}:{level}:{n}" in used:
        n += 1
    return f"{contract}:{level}:{n}"


def move(arrs: Sequence[Arrangement], contract: str, org: str, to_key: str | None) -> list[Arrangement]:
    """Put org in arrangement to_key for the contract (None: a new individual arrangement).

    The org leaves every other arrangement for that contract; arrangements left empty are
    dropped. to_key must be an arrangement for the same contract (ValueError otherwise).
    """
    if to_key is not None:
        target = arrs[_index(arrs, to_key)]
        if target.contract != contract:
            raise ChangeRefused(
                f"Arrangement {to_key} is for contract {target.contract}, not contract {contract}"
            )
    result: list[Arrangement] = []
    for arr in arrs:
        if arr.contract == contract and arr.key != to_key and org in arr.members:
            members = tuple(m for m in arr.members if m != org)
            if members:
                result.append(replace(arr, members=members))
        elif arr.key == to_key and org not in arr.members:
            result.append(replace(arr, members=tuple(sorted((*arr.members, org)))))
        else:
            result.append(arr)
    if to_key is None:
        result.append(Arrangement(contract, 1, (org,), _new_key(result, contract, 1)))
    return result


def merge(arrs: Sequence[Arrangement], key_a: str, key_b: str) -> list[Arrangement]:
    """Join arrangement key_b into key_a (same contract and level, else ValueError); key_a's key stays."""
    if key_a == key_b:
        raise ChangeRefused("Cannot merge an arrangement with itself")
    a, b = arrs[_index(arrs, key_a)], arrs[_index(arrs, key_b)]
    if a.contract != b.contract:
        raise ChangeRefused(
            f"Cannot merge arrangements for different contracts ({a.contract} and {b.contract})"
        )
    if a.level != b.level:
        raise ChangeRefused(
            f"Cannot merge a level {a.level} arrangement with a level {b.level} one: move CCGs instead"
        )
    merged = replace(a, members=tuple(sorted(set(a.members) | set(b.members))))
    return [merged if arr.key == key_a else arr for arr in arrs if arr.key != key_b]


def split(arrs: Sequence[Arrangement], key: str, members_to_new_group: Iterable[str]) -> list[Arrangement]:
    """Move some members of arrangement key into a new arrangement (same contract and level) after it."""
    index = _index(arrs, key)
    arr = arrs[index]
    leaving = set(members_to_new_group)
    if not leaving:
        raise ChangeRefused("Choose at least one CCG for the new group")
    strangers = sorted(leaving - set(arr.members))
    if strangers:
        raise ChangeRefused(f"Not members of arrangement {key}: {', '.join(strangers)}")
    if leaving == set(arr.members):
        raise ChangeRefused("Cannot move every member out: the original group would be empty")
    staying = replace(arr, members=tuple(m for m in arr.members if m not in leaving))
    new = Arrangement(
        arr.contract, arr.level, tuple(sorted(leaving)), _new_key(arrs, arr.contract, arr.level)
    )
    return [*arrs[:index], staying, new, *arrs[index + 1 :]]


def _group_problems(arr: Arrangement, held: set[str], names: Mapping[str, str] | None) -> list[Problem]:
    c, k = arr.contract, arr.key
    found = []
    if arr.level not in LEVELS:
        found.append(Problem(BAD_LEVEL, c, f"Arrangement {k} has level {arr.level}, not one of 1-5.", key=k))
    if not arr.members:
        found.append(Problem(EMPTY, c, f"Arrangement {k} for contract {c} has no members.", key=k))
    elif len(arr.members) == 1 and arr.level in CLUSTER_LEVELS:
        who = display_name(arr.members[0], names)
        message = (
            f"{who} is a cluster (level {arr.level}) of one for contract {c}: "
            "join it to a group or make it individual."
        )
        found.append(Problem(ALONE, c, message, org=arr.members[0], key=k))
    elif len(arr.members) > 1 and arr.level == 1:
        message = (
            f"Arrangement {k} for contract {c} is individual (level 1) but has {len(arr.members)} members."
        )
        found.append(Problem(CROWDED, c, message, key=k))
    for org in arr.members:
        if org not in held:
            message = f"{display_name(org, names)} does not hold contract {c} but is in arrangement {k}."
            found.append(Problem(NOT_HOLDER, c, message, org=org, key=k))
    return found


def check(
    arrangements: Sequence[Arrangement],
    holders: Mapping[str, Iterable[str]],
    names: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Every holder of a contract must be in exactly one sound arrangement for it; list what is not.

    Problems per contract (holders' order, then contracts only in arrangements): duplicate keys,
    group problems (bad level, empty, a cluster of one, an individual arrangement with several
    members, a member not holding the contract), a CCG in several groups, then gaps.
    """
    held = {contract: set(orgs) for contract, orgs in holders.items()}
    contracts = list(held) + sorted({a.contract for a in arrangements} - set(held))
    problems: list[Problem] = []
    seen_keys: set[str] = set()
    for contract in contracts:
        mine = [a for a in arrangements if a.contract == contract]
        holding = held.get(contract, set())
        where: dict[str, list[str]] = {}
        for arr in mine:
            if arr.key in seen_keys:
                problems.append(
                    Problem(DUPLICATE_KEY, contract, f"Key {arr.key} is used twice.", key=arr.key)
                )
            seen_keys.add(arr.key)
            problems.extend(_group_problems(arr, holding, names))
            for org in arr.members:
                where.setdefault(org, []).append(arr.key)
        for org in sorted(where):
            if len(where[org]) > 1:
                message = (
                    f"{display_name(org, names)} is in {len(where[org])} arrangements for contract "
                    f"{contract} ({', '.join(where[org])}): keep one."
                )
                problems.append(Problem(DUPLICATE, contract, message, org=org))
        for org in sorted(holding - set(where)):
            message = f"{display_name(org, names)} holds contract {contract} but is in no arrangement for it."
            problems.append(Problem(GAP, contract, message, org=org))
    return problems
