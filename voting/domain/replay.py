"""Replaying the audit chain: the state its records say the tables must hold. Pure Python.

The chain's records are (kind, canonical record) pairs in link order - `kind` "vote" for a vote audit
record, "action" for an action-log line. Replay is generic on purpose: a vote is whatever the last
vote record for its (contract, delegate) says (a removal by a reset says None), so fields added to
vote records later change nothing here. A frozen stage version is vouched for by the fingerprints
its "freeze" line carries.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Record = tuple[str, Mapping[str, Any]]  # (kind, canonical record)
MATRIX_KINDS = ("indicative", "confirmed")
_FREEZE = re.compile(
    r"^(?P<kind>\w+) version (?P<number>\d+)"
    r"(?: \(content sha256 (?P<content>[0-9a-f]{64})(?:, matrix sha256 (?P<matrix>[0-9a-f]{64}))?\))?$"
)


def fingerprint(value: Any) -> str:
    """SHA-256 of the canonical JSON of a value (keys sorted, no spaces)."""
    body = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def matrix_fingerprint(payload: Mapping[str, Any]) -> str:
    """The fingerprint of a frozen matrix's columns and rows - what every export of it shows."""
    return fingerprint({"columns": payload["columns"], "rows": payload["rows"]})


def freeze_detail(kind: str, number: int, payload: Mapping[str, Any]) -> str:
    """The action-log detail of a freeze, carrying the fingerprints that vouch for the version."""
    matrix = f", matrix sha256 {matrix_fingerprint(payload)}" if kind in MATRIX_KINDS else ""
    return f"{kind} version {number} (content sha256 {fingerprint(payload)}{matrix})"


@dataclass(frozen=True)
class Freeze:
    """A freeze line of the chain: which version, and its fingerprints (None before they were chained)."""

    kind: str
    number: int
    content: str | None
    matrix: str | None
    record_id: int


def freezes(records: Iterable[Record]) -> dict[tuple[str, int], Freeze]:
    """(kind, number) -> the freeze line that froze it."""
    found: dict[tuple[str, int], Freeze] = {}
    for kind, record in records:
        if kind != "action" or record.get("action") != "freeze":
            continue
        match = _FREEZE.match(str(record.get("detail", "")))
        if match:
            key = (match["kind"], int(match["number"]))
            found[key] = Freeze(key[0], key[1], match["content"], match["matrix"], int(record["id"]))
    return found


def replay_votes(records: Iterable[Record]) -> dict[tuple[int, int], int]:
    """(contract id, delegate id) -> level: the last vote record of each wins; None (a reset) removes."""
    votes: dict[tuple[int, int], int] = {}
    for kind, record in records:
        if kind != "vote":
            continue
        key = (int(record["contract"]), int(record["delegate"]))
        if record.get("new") is None:
            votes.pop(key, None)
        else:
            votes[key] = int(record["new"])
    return votes


def level_words(level: int | None) -> str:
    """How a sentence names a vote's level."""
    return "no vote" if level is None else f"level {level}"


def first_vote_difference(
    replayed: Mapping[tuple[int, int], int],
    table: Mapping[tuple[int, int], int],
    contract_codes: Mapping[int, str],
) -> str | None:
    """The first (contract, delegate) whose vote differs between the table and the replay, in a sentence."""
    for key in sorted(set(replayed) | set(table)):
        if replayed.get(key) != table.get(key):
            contract, delegate = key
            code = contract_codes.get(contract, f"#{contract}")
            return (
                f"Vote of delegate {delegate} on contract {code} is {level_words(table.get(key))} "
                f"in the table but {level_words(replayed.get(key))} by the audit records."
            )
    return None


_RESOLVE = re.compile(r"^(?P<contract>\S+) (?P<org>\S+) \S+ -> (?P<level>[1-5])$")
_RESET = re.compile(r"^(?P<contract>.+): \d+ votes removed$")


def replay_resolutions(records: Iterable[Record]) -> tuple[dict[tuple[str, str], int], list[int]]:
    """(contract code, CCG code) -> the level a split was settled at (a reset clears its contract's);
    and the ids of resolve lines that could not be read (their codes have spaces)."""
    settled: dict[tuple[str, str], int] = {}
    unread: list[int] = []
    for kind, record in records:
        action = record.get("action") if kind == "action" else None
        if action == "resolve_split":
            match = _RESOLVE.match(str(record.get("detail", "")))
            if match is None:
                unread.append(int(record["id"]))
            else:
                settled[(match["contract"], match["org"])] = int(match["level"])
        elif action == "reset":
            match = _RESET.match(str(record.get("detail", "")))
            if match:
                settled = {key: level for key, level in settled.items() if key[0] != match["contract"]}
    return settled, unread


def first_resolution_difference(
    replayed: Mapping[tuple[str, str], int], table: Mapping[tuple[str, str], int]
) -> str | None:
    """The first split settled differently in the table and by the records, in a sentence."""

    def words(level: int | None) -> str:
        return "not settled" if level is None else f"settled at level {level}"

    for key in sorted(set(replayed) | set(table)):
        if replayed.get(key) != table.get(key):
            return (
                f"The split of CCG {key[1]} on contract {key[0]} is {words(table.get(key))} in the table "
                f"but {words(replayed.get(key))} by the audit records."
            )
    return None


Confirmed = tuple[int, str, str, str, int | None, str]  # (id, action, CCG, contract, level, reason)


def first_confirmation_difference(records: Iterable[Record], table: list[Confirmed]) -> str | None:
    """Each Stage 3 confirmation or amendment in the table, in order, against its chained line."""
    lines = [
        record
        for kind, record in records
        if kind == "action"
        and record.get("action") in ("confirm", "amend")
        and record.get("actor") == "delegate"
    ]
    for line, (row_id, action, org, contract, level, reason) in zip(lines, table, strict=False):
        detail = str(line.get("detail", ""))
        if (
            line["action"] != action
            or not detail.startswith(f"{org} contract {contract}: ")
            or not detail.endswith(f" -> {level} {reason}")
        ):
            return (
                f"Confirmation {row_id} in the table ({org}, contract {contract}: {action} at level {level}) is "
                f"not what action record {line['id']} says ({line['action']}: {detail})."
            )
    if len(lines) != len(table):
        return f"The table holds {len(table)} Stage 3 confirmations but the audit records {len(lines)}."
    return None
