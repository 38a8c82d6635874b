"""The event's audit log for the steering pack: facilitator actions and every vote, in time order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from voting.audit import KINDS, canonical
from voting.extensions import db
from voting.models import ActionLog, Contract, Delegate, Organisation, VoteAudit
from voting.models.chain import AuditLink
from voting.timefmt import iso


def _level(level: int | None) -> str:
    return "-" if level is None else str(level)


def _vote_action(old: int | None, new: int | None) -> str:
    if new is None:
        return "vote removed"
    return "vote" if old is None else "change vote"


def _vote_actor(delegate: str, organisation: str, entered_by: str) -> str:
    who = f"{delegate} ({organisation})"
    if entered_by == "facilitator":
        return f"facilitator for {who}"
    if entered_by == "reset":
        return f"facilitator (reset), vote of {who}"
    return who


def audit_log(event_id: int) -> list[dict[str, Any]]:
    """ActionLog and VoteAudit rows merged by time: time, actor, action, detail (never a token)."""
    rows: list[tuple[datetime, int, int, dict[str, Any]]] = []
    for entry in db.session.scalars(select(ActionLog).where(ActionLog.event_id == event_id)):
        rows.append(
            (
                entry.at,
                0,
                entry.id,
                {"at": iso(entry.at), "actor": entry.actor, "action": entry.action, "detail": entry.detail},
            )
        )
    votes = db.session.execute(
        select(VoteAudit, Delegate.name, Organisation.code, Contract.code)
        .join(Delegate, Delegate.id == VoteAudit.delegate_id)
        .join(Organisation, Organisation.id == Delegate.organisation_id)
        .join(Contract, Contract.id == VoteAudit.contract_id)
        .where(VoteAudit.event_id == event_id)
    )
    for audit, delegate, organisation, contract in votes:
        detail = f"contract {contract}: {_level(audit.old_level)} -> {_level(audit.new_level)}"
        rows.append(
            (
                audit.at,
                1,
                audit.id,
                {
                    "at": iso(audit.at),
                    "actor": _vote_actor(delegate, organisation, audit.entered_by),
                    "action": _vote_action(audit.old_level, audit.new_level),
                    "detail": detail,
                },
            )
        )
    rows.sort(key=lambda row: row[:3])
    return [row[3] for row in rows]


def chain_records(event_id: int) -> list[dict[str, Any]]:
    """Every link with the record it seals, in order, for an offline check (`voting audit verify
    --pack`). Vote records are labelled with the CCG and contract codes their ids stand for: the
    labels are not sealed, but let the check recount the matrix from the sealed levels."""
    links = list(
        db.session.scalars(select(AuditLink).where(AuditLink.event_id == event_id).order_by(AuditLink.seq))
    )
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for kind, model in KINDS.items():
        ids = [link.record_id for link in links if link.kind == kind]
        for start in range(0, len(ids), 500):  # IN lists stay short
            for record in db.session.scalars(select(model).where(model.id.in_(ids[start : start + 500]))):
                found[(kind, record.id)] = canonical(record)
    organisations = dict(
        db.session.execute(
            select(Delegate.id, Organisation.code)
            .join(Organisation, Organisation.id == Delegate.organisation_id)
            .where(Delegate.event_id == event_id)
        ).all()
    )
    contracts = dict(
        db.session.execute(select(Contract.id, Contract.code).where(Contract.event_id == event_id)).all()
    )
    entries = []
    for link in links:
        record = found.get((link.kind, link.record_id))
        entry: dict[str, Any] = {"seq": link.seq, "kind": link.kind, "record": record, "hash": link.hash}
        if link.kind == "vote" and record is not None:
            entry["organisation"] = organisations.get(record["delegate"])
            entry["contract"] = contracts.get(record["contract"])
        entries.append(entry)
    return entries
