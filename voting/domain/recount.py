"""Recount a frozen indicative matrix from a steering pack's own vote records. Pure Python.

Walking the pack's sealed records up to the indicative matrix's freeze line gives every delegate's
level at that moment (replay), which declared interests were left out (declare_interest lines and
exclude_declared on/off) and how splits were settled (resolve_split, cleared by reset). Grouped by
CCG under the plurality rule, they must give every cell of the frozen matrix.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from voting.domain.aggregation import PLURALITY, combine_votes
from voting.domain.matrix import NA
from voting.domain.replay import replay_resolutions, replay_votes

_DECLARE = re.compile(r"^delegate (?P<delegate>\d+) contract (?P<contract>.+?): ")


def _labels(entries: Sequence[Mapping[str, Any]]) -> tuple[dict[int, str], dict[int, str], str | None]:
    """delegate id -> CCG code and contract id -> code, from the vote entries' labels (consistent)."""
    orgs: dict[int, str] = {}
    codes: dict[int, str] = {}
    for entry in entries:
        if entry.get("kind") != "vote":
            continue
        record = entry["record"]
        for table, key, label in (
            (orgs, int(record["delegate"]), entry.get("organisation")),
            (codes, int(record["contract"]), entry.get("contract")),
        ):
            if not isinstance(label, str) or table.setdefault(key, label) != label:
                return orgs, codes, f"Vote record {record['id']} is labelled inconsistently with the others."
    return orgs, codes, None


def recount_cells(
    entries: Sequence[Mapping[str, Any]], freeze_id: int
) -> tuple[dict[tuple[str, str], str], str | None]:
    """(CCG, contract) -> matrix text from the records before the freeze line `freeze_id`; or a problem."""
    upto: list[Mapping[str, Any]] = []
    for entry in entries:
        if entry.get("kind") == "action" and entry["record"].get("id") == freeze_id:
            break
        upto.append(entry)
    orgs, codes, problem = _labels(upto)
    if problem:
        return {}, problem
    records = [(entry["kind"], entry["record"]) for entry in upto]
    exclude, declared = False, set()
    for kind, record in records:
        if kind == "action" and record.get("action") == "exclude_declared":
            exclude = record.get("detail") == "on"
        elif kind == "action" and record.get("action") == "declare_interest":
            match = _DECLARE.match(str(record.get("detail", "")))
            if match:
                declared.add((int(match["delegate"]), match["contract"]))
    settled, _unread = replay_resolutions(records)
    levels: dict[tuple[str, str], list[int]] = defaultdict(list)
    for (contract, delegate), level in replay_votes(records).items():
        code = codes[contract]
        if not (exclude and (delegate, code) in declared):
            levels[(orgs[delegate], code)].append(level)
    cells = {
        key: combine_votes(found, PLURALITY, settled.get((key[1], key[0]))).label
        for key, found in levels.items()
    }
    return cells, None


def first_cell_difference(matrix: Mapping[str, Any], counted: Mapping[tuple[str, str], str]) -> str | None:
    """The first cell of a frozen matrix that its records do not count to, in a sentence."""
    codes = [column["code"] for column in matrix["columns"]]
    for row in matrix["rows"]:
        for code, cell in zip(codes, row["cells"], strict=True):
            expected = counted.get((row["code"], code), "")
            if cell == NA and not expected or cell == expected:
                continue
            said = expected or "no position"
            return (
                f"Cell {row['code']} / contract {code} reads {cell or 'empty'}, but the pack's vote records "
                f"up to its freeze count {said}."
            )
    return None
