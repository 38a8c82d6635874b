"""What the audit chain says the tables must hold, compared with what they hold.

`voting audit verify` calls this once the chain itself is unbroken: the current votes are replayed
from the vote records (and so the matrix built from them), and every frozen stage version must carry
the fingerprints its chained freeze line recorded. The first difference is named in a sentence.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from voting.domain.replay import (
    MATRIX_KINDS,
    Record,
    fingerprint,
    first_confirmation_difference,
    first_resolution_difference,
    first_vote_difference,
    freezes,
    matrix_fingerprint,
    replay_resolutions,
    replay_votes,
)
from voting.extensions import db
from voting.models import Confirmation, Contract, Organisation, Resolution, StageVersion, Vote

TITLES = {"indicative": "Indicative matrix", "confirmed": "Confirmed matrix", "arrangements": "Arrangements"}


def _votes_table(event_id: int) -> dict[tuple[int, int], int]:
    rows = db.session.execute(
        select(Vote.contract_id, Vote.delegate_id, Vote.level).where(Vote.event_id == event_id)
    )
    return {(contract, delegate): level for contract, delegate, level in rows}


def _version_difference(event_id: int, records: Sequence[Record]) -> tuple[str | None, tuple[str, ...]]:
    chained = freezes(records)
    notes: list[str] = []
    for version in db.session.scalars(
        select(StageVersion).where(StageVersion.event_id == event_id).order_by(StageVersion.id)
    ):
        name = f"{TITLES.get(version.kind, version.kind)} version {version.number}"
        freeze = chained.get((version.kind, version.number))
        if freeze is None:
            return f"{name} has no freeze record in the audit chain: it was added outside the app.", ()
        if freeze.content is None:
            notes.append(f"{name} was frozen before fingerprints were chained, so it cannot be checked.")
            continue
        try:
            payload: dict[str, Any] = json.loads(version.payload)
        except ValueError:
            return f"{name} can no longer be read: it was changed after it was frozen.", ()
        if version.kind in MATRIX_KINDS and freeze.matrix != _matrix_or_none(payload):
            return (
                f"{name} in the table is not the matrix that was frozen (action record {freeze.record_id} "
                "holds its fingerprint): a cell or a heading was changed.",
                (),
            )
        if fingerprint(payload) != freeze.content:
            return (
                f"{name} in the table differs from what was frozen (action record {freeze.record_id} "
                "holds its fingerprint).",
                (),
            )
    return None, tuple(notes)


def _matrix_or_none(payload: dict[str, Any]) -> str | None:
    try:
        return matrix_fingerprint(payload)
    except (KeyError, TypeError):
        return None


def compare_with_tables(event_id: int, records: Sequence[Record]) -> tuple[str | None, tuple[str, ...]]:
    """(the first difference between the replayed records and the tables, or None; notes)."""
    codes = dict(
        db.session.execute(select(Contract.id, Contract.code).where(Contract.event_id == event_id)).all()
    )
    difference = first_vote_difference(replay_votes(records), _votes_table(event_id), codes)
    if difference:
        return difference, ()
    settled, unread = replay_resolutions(records)
    if not unread:  # a code with a space cannot be read back from its line: say so instead
        difference = first_resolution_difference(settled, _resolutions_table(event_id))
        if difference:
            return difference, ()
    difference = first_confirmation_difference(records, _confirmations_table(event_id))
    if difference:
        return difference, ()
    difference, notes = _version_difference(event_id, records)
    if unread:
        notes += (
            f"Split resolutions could not be replayed (action records {unread[:5]}), so they were not checked.",
        )
    return difference, notes


def _resolutions_table(event_id: int) -> dict[tuple[str, str], int]:
    rows = db.session.execute(
        select(Contract.code, Organisation.code, Resolution.level)
        .join(Contract, Contract.id == Resolution.contract_id)
        .join(Organisation, Organisation.id == Resolution.organisation_id)
        .where(Contract.event_id == event_id)
    )
    return {(contract, org): level for contract, org, level in rows}


def _confirmations_table(event_id: int) -> list[tuple[int, str, str, str, int | None, str]]:
    rows = db.session.execute(
        select(
            Confirmation.id,
            Confirmation.action,
            Organisation.code,
            Contract.code,
            Confirmation.level,
            Confirmation.reason,
        )
        .join(Organisation, Organisation.id == Confirmation.organisation_id)
        .join(Contract, Contract.id == Confirmation.contract_id)
        .where(Confirmation.event_id == event_id)
        .order_by(Confirmation.id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]
