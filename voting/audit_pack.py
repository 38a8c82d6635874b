"""`voting audit verify --pack FILE`: check a steering pack (JSON) offline against its own records.

The pack carries the sealed audit records behind it (`audit_chain`). The check recomputes their
chain to the head the pack prints, holds each printed audit line to its record, and holds each
matrix in the pack (indicative, confirmed) to the fingerprint its chained freeze line recorded.
No database is read; the audit key (AUDIT_KEY or instance/audit_key) checks the seals.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from voting.audit import GENESIS, link_hash
from voting.domain.recount import first_cell_difference, recount_cells
from voting.domain.replay import MATRIX_KINDS, Record, freezes, matrix_fingerprint

TITLES = {"indicative": "indicative matrix", "confirmed": "confirmed matrix"}


@dataclass
class Outcome:
    """Sentences for the person running the check, and the exit status (0 good, 1 failed, 2 unsealed)."""

    lines: list[str] = field(default_factory=list)
    status: int = 0

    def fail(self, sentence: str) -> Outcome:
        self.lines.append(f"FAILED: {sentence}")
        self.status = 1
        return self


def _read(data: bytes) -> dict[str, Any] | None:
    try:
        pack = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    return pack if isinstance(pack, dict) and pack.get("pack") == "steering" else None


def _check_chain(chain: Sequence[Mapping[str, Any]], head: object, key: str | None, outcome: Outcome) -> int:
    """Recompute the chain; returns how many links were written without the key (-1 when broken)."""
    prev, sealed_seen, unsealed = GENESIS, False, 0
    for position, link in enumerate(chain, start=1):
        record, kind = link.get("record"), link.get("kind")
        name = (
            f"audit record {position} ({kind} record {record.get('id') if isinstance(record, dict) else '?'})"
        )
        if link.get("seq") != position or not isinstance(record, dict) or kind not in ("vote", "action"):
            outcome.fail(f"The pack's {name} is missing or out of order.")
            return -1
        if key and link_hash(prev, kind, record, key) == link.get("hash"):
            sealed_seen = True
        elif link_hash(prev, kind, record) == link.get("hash") and not sealed_seen:
            unsealed += 1
        else:
            outcome.fail(
                f"The pack's {name} does not match its seal: it was changed after the pack was made."
            )
            return -1
        prev = link["hash"]
    if prev != head:
        outcome.fail(f"The pack's audit records end at {prev}, but the pack prints the head {head}.")
        return -1
    return unsealed


def _vote_line(record: Mapping[str, Any]) -> str:
    old, new = record.get("old"), record.get("new")
    return f"{'-' if old is None else old} -> {'-' if new is None else new}"


def _check_printed_log(pack: Mapping[str, Any], records: Sequence[Record], outcome: Outcome) -> None:
    """The printed audit log must say what the sealed records say, line for line."""
    ordered = sorted(records, key=lambda r: (r[1]["at"], r[0] == "vote", r[1]["id"]))
    printed = pack.get("audit") or []
    if len(printed) != len(ordered):
        outcome.fail(f"The pack prints {len(printed)} audit lines but carries {len(ordered)} sealed records.")
        return
    for number, (line, (kind, record)) in enumerate(zip(printed, ordered, strict=True), start=1):
        if kind == "action":
            same = line.get("action") == record["action"] and line.get("detail") == record["detail"]
        else:
            same = str(line.get("detail", "")).endswith(f": {_vote_line(record)}")
        if not same:
            outcome.fail(
                f"Audit line {number} of the pack ({line.get('action')}: {line.get('detail')}) is not what "
                f"its sealed {kind} record {record['id']} says."
            )
            return


def _recount_indicative(pack: Mapping[str, Any], records: Sequence[Record], outcome: Outcome) -> None:
    """The indicative matrix, counted again from the pack's vote records up to its freeze."""
    matrix = pack.get("indicative")
    freeze = freezes(records).get(("indicative", matrix.get("version"))) if matrix else None
    if not matrix or freeze is None:
        return
    counted, problem = recount_cells(pack["audit_chain"], freeze.record_id)
    difference = problem or first_cell_difference(matrix, counted)
    name = f"The indicative matrix (version {matrix.get('version')})"
    if difference:
        outcome.fail(f"{name} is not what its vote records count to. {difference}")
    else:
        outcome.lines.append(f"{name} is what the pack's vote records count to, cell by cell.")


def _check_matrices(pack: Mapping[str, Any], records: Sequence[Record], outcome: Outcome) -> None:
    _recount_indicative(pack, records, outcome)
    chained = freezes(records)
    for kind in MATRIX_KINDS:
        matrix = pack.get(kind)
        if not matrix:
            continue
        name = f"The {TITLES[kind]} (version {matrix.get('version')})"
        freeze = chained.get((kind, matrix.get("version")))
        if freeze is None:
            outcome.fail(f"{name} has no freeze record among the pack's audit records.")
        elif freeze.matrix is None:
            outcome.lines.append(
                f"{name} was frozen before fingerprints were chained, so it cannot be checked."
            )
        elif matrix_fingerprint(matrix) != freeze.matrix:
            outcome.fail(
                f"{name} differs from the matrix that was frozen (its fingerprint is in action record "
                f"{freeze.record_id}): a cell or a heading was changed."
            )
        else:
            outcome.lines.append(f"{name} is the one frozen in action record {freeze.record_id}.")


def verify_pack(data: bytes, key: str | None) -> Outcome:
    """Check a steering pack's matrices and audit log against the sealed records it carries."""
    outcome = Outcome()
    pack = _read(data)
    if pack is None:
        return outcome.fail("This file is not a steering pack in JSON (steering-pack.json).")
    chain = pack.get("audit_chain")
    if not isinstance(chain, list):
        return outcome.fail(
            "This pack carries no audit records (it was made before packs did), so it cannot be checked."
        )
    unsealed = _check_chain(chain, pack.get("audit_head"), key, outcome)
    if unsealed < 0:
        return outcome
    records: list[Record] = [(link["kind"], link["record"]) for link in chain]
    _check_printed_log(pack, records, outcome)
    _check_matrices(pack, records, outcome)
    if outcome.status:
        return outcome
    if unsealed:
        outcome.lines.append(
            f"NOT SEALED: {unsealed} of {len(chain)} audit records carry no seal of this server's audit key "
            "(written before the app kept one, or the pack comes from another server): they show nothing "
            "changed by accident, not that nobody rewrote them."
        )
        outcome.status = 2
        return outcome
    outcome.lines.append(
        f"The pack is intact: its {len(chain)} audit records are sealed with the audit key and chain to "
        f"the head it prints ({pack.get('audit_head')}), and its matrices are the ones they froze."
    )
    return outcome
