"""Gather the steering pack: one plain, JSON-ready dict read from the services and frozen versions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from voting.audit import head as audit_head
from voting.domain.levels import LEVELS
from voting.exports.legend import NOTES
from voting.exports.steering.activity import gather_activity
from voting.exports.steering.audit import audit_log, chain_records
from voting.exports.steering.shape import arrangement_entry, matrix_changes, poll_entry
from voting.exports.steering.text import (
    KIND_STAGES,
    KIND_TITLES,
    NOT_FROZEN,
    SOURCE,
    STAGE_RESULTS,
    WHEN_FROZEN,
    method_note,
)
from voting.models import Event, StageVersion
from voting.services import interests, polls, stages
from voting.timefmt import iso

FORMAT_VERSION = 1
KINDS = ("indicative", "confirmed", "arrangements")


def _latest(versions: list[StageVersion]) -> dict[str, StageVersion | None]:
    latest: dict[str, StageVersion | None] = dict.fromkeys(KINDS)
    for version in versions:
        current = latest.get(version.kind)
        if version.kind in latest and (current is None or version.number > current.number):
            latest[version.kind] = version
    return latest


def _version_entry(kind: str, version: StageVersion | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": kind, "title": KIND_TITLES[kind], "stage": KIND_STAGES[kind]}
    if version is None:
        return {**entry, "number": None, "frozen_at": None, "status": NOT_FROZEN, "note": WHEN_FROZEN[kind]}
    return {**entry, "number": version.number, "frozen_at": iso(version.created_at), "status": "frozen"}


def _matrix(version: StageVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    payload = json.loads(version.payload)
    matrix = {
        "version": version.number,
        "frozen_at": iso(version.created_at),
        "columns": payload["columns"],
        "rows": payload["rows"],
    }
    if "indicative_version" in payload:
        matrix["indicative_version"] = payload["indicative_version"]
    return matrix


def _changes(
    versions: list[StageVersion], confirmed: StageVersion | None, notes: list[str]
) -> list[dict[str, str]]:
    """Changes from the indicative version the confirmed matrix was built on."""
    if confirmed is None:
        return []
    payload = json.loads(confirmed.payload)
    base_number = payload.get("indicative_version")
    base = next((v for v in versions if v.kind == "indicative" and v.number == base_number), None)
    if base is None:
        notes.append(f"Indicative matrix v{base_number}, the basis of the confirmed matrix, was not found.")
        return []
    newest = max(v.number for v in versions if v.kind == "indicative")
    if newest != base_number:
        notes.append(
            f"The confirmed matrix v{confirmed.number} was built from indicative matrix v{base_number}; "
            f"indicative matrix v{newest} was frozen later. Changes are shown against v{base_number}."
        )
    return matrix_changes(json.loads(base.payload), payload)


def _arrangements(
    event: Event, version: StageVersion | None, confirmed: StageVersion | None, notes: list[str]
) -> dict[str, Any] | None:
    if version is None:
        return None
    payload = json.loads(version.payload)
    org_names = {org.code: org.name for org in event.organisations}
    contract_names = {contract.code: contract.name for contract in event.contracts}
    basis = payload.get("confirmed_version")
    if confirmed is not None and basis != confirmed.number:
        notes.append(
            f"The arrangements v{version.number} were built from confirmed matrix v{basis}; "
            f"confirmed matrix v{confirmed.number} was frozen later."
        )
    return {
        "version": version.number,
        "frozen_at": iso(version.created_at),
        "confirmed_version": basis,
        "items": [arrangement_entry(raw, org_names, contract_names) for raw in payload["arrangements"]],
    }


def _polls(event: Event) -> list[dict[str, Any]]:
    return [
        poll_entry(polls.poll_state(poll), iso(poll.created_at), iso(poll.closed_at))
        for poll in polls.event_polls(event.id)
    ]


def gather_pack(event: Event, now: datetime | None = None) -> dict[str, Any]:
    """Everything the steering group takes away, from the latest frozen version of each kind."""
    generated = (now or datetime.now(UTC)).astimezone(UTC)
    versions = stages.all_versions(event.id)
    latest = _latest(versions)
    notes: list[str] = []
    return {
        "pack": "steering",
        "format_version": FORMAT_VERSION,
        "event": {
            "id": event.id,
            "name": event.name,
            "join_code": event.join_code,
            "stage": event.stage,
            "exclude_declared": event.exclude_declared,
        },
        "generated_at": generated.isoformat(),
        "audit_head": audit_head(event.id),
        "versions": [_version_entry(kind, latest[kind]) for kind in KINDS],
        "method": {
            "source": SOURCE,
            "stages": [
                {"number": number, "question": question, "result": STAGE_RESULTS[number]}
                for number, question in sorted(stages.STAGES.items())
            ],
            "note": method_note(stages.STAGES),
        },
        "levels": [{"level": level, "label": label} for level, label in sorted(LEVELS.items())],
        "legend": [{"key": key, "note": note} for key, note in NOTES],
        "indicative": _matrix(latest["indicative"]),
        "confirmed": _matrix(latest["confirmed"]),
        "changes": _changes(versions, latest["confirmed"], notes),
        "arrangements": _arrangements(event, latest["arrangements"], latest["confirmed"], notes),
        "interests": interests.list_declarations(event.id),
        "polls": _polls(event),
        "audit": audit_log(event.id),
        # The sealed records behind the audit log and the frozen matrices, for an offline check.
        "audit_chain": chain_records(event.id),
        "activity": gather_activity(event.id),
        "notes": notes,
    }
