"""Audit you can verify: every vote audit record and action-log line is linked into a per-event
SHA-256 chain as it is written; `voting audit verify` recomputes it and names the first break."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from voting.extensions import db
from voting.models import ActionLog, Event, VoteAudit
from voting.models.chain import AuditLink

GENESIS = "0" * 64
KINDS = {"vote": VoteAudit, "action": ActionLog}


def canonical(record: VoteAudit | ActionLog) -> dict[str, Any]:
    """The fields a link vouches for, in a fixed form."""
    if isinstance(record, VoteAudit):
        return {
            "id": record.id,
            "event": record.event_id,
            "contract": record.contract_id,
            "delegate": record.delegate_id,
            "vote_id": record.vote_id,
            "old": record.old_level,
            "new": record.new_level,
            "by": record.entered_by,
            "at": record.at.isoformat(),
        }
    return {
        "id": record.id,
        "event": record.event_id,
        "actor": record.actor,
        "action": record.action,
        "detail": record.detail,
        "at": record.at.isoformat(),
    }


def link_hash(prev_hash: str, kind: str, record: dict[str, Any]) -> str:
    """sha256(previous hash | kind | canonical JSON of the record)."""
    body = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}|{kind}|{body}".encode()).hexdigest()


@sa_event.listens_for(Session, "after_flush")
def _link_new_records(session: Session, _context: Any) -> None:
    """Chain every audit record in the same transaction that writes it."""
    new = [obj for obj in session.new if isinstance(obj, VoteAudit | ActionLog)]
    if not new:
        return
    connection = session.connection()
    heads: dict[int, tuple[int, str]] = {}
    for record in sorted(new, key=lambda r: (r.event_id, isinstance(r, VoteAudit), r.id)):
        if record.event_id not in heads:
            last = connection.execute(
                select(AuditLink.seq, AuditLink.hash)
                .where(AuditLink.event_id == record.event_id)
                .order_by(AuditLink.seq.desc())
                .limit(1)
            ).first()
            heads[record.event_id] = (last[0], last[1]) if last else (0, GENESIS)
        seq, prev = heads[record.event_id]
        kind = "vote" if isinstance(record, VoteAudit) else "action"
        digest = link_hash(prev, kind, canonical(record))
        connection.execute(
            insert(AuditLink).values(
                event_id=record.event_id,
                seq=seq + 1,
                kind=kind,
                record_id=record.id,
                prev_hash=prev,
                hash=digest,
            )
        )
        heads[record.event_id] = (seq + 1, digest)


def head(event_id: int) -> str:
    """The latest hash of an event's chain (what exports print), or the genesis hash."""
    last = db.session.scalar(
        select(AuditLink.hash).where(AuditLink.event_id == event_id).order_by(AuditLink.seq.desc()).limit(1)
    )
    return last or GENESIS


@dataclass(frozen=True)
class Verdict:
    event_id: int
    links: int
    head: str
    broken: str | None  # a sentence naming the first broken record, or None


def verify(event_id: int) -> Verdict:
    """Recompute an event's chain from its records; the first mismatch, gap or unlinked record is named."""
    prev, seq, linked = GENESIS, 0, set()
    for link in db.session.scalars(
        select(AuditLink).where(AuditLink.event_id == event_id).order_by(AuditLink.seq)
    ):
        seq += 1
        where = f"link {link.seq} ({link.kind} record {link.record_id})"
        if link.seq != seq:
            return Verdict(event_id, seq - 1, prev, f"Link {seq} is missing: the chain jumps to {where}.")
        record = db.session.get(KINDS[link.kind], link.record_id)
        if record is None:
            return Verdict(event_id, seq - 1, prev, f"The record behind {where} has been deleted.")
        if link.prev_hash != prev or link_hash(prev, link.kind, canonical(record)) != link.hash:
            return Verdict(
                event_id,
                seq - 1,
                prev,
                f"{where.capitalize()} does not match: it was changed after it was written.",
            )
        prev = link.hash
        linked.add((link.kind, link.record_id))
    for kind, model in KINDS.items():
        for record_id in db.session.scalars(
            select(model.id).where(model.event_id == event_id).order_by(model.id)
        ):
            if (kind, record_id) not in linked:
                return Verdict(
                    event_id,
                    seq,
                    prev,
                    f"{kind.capitalize()} record {record_id} is not in the chain: it was added outside the app.",
                )
    return Verdict(event_id, seq, prev, None)


def verify_all() -> list[Verdict]:
    """Verify every event's chain."""
    return [verify(event_id) for event_id in db.session.scalars(select(Event.id).order_by(Event.id))]
