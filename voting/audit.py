"""Audit you can verify: every vote audit record and action-log line is linked into a per-event
chain as it is written, each link sealed with HMAC-SHA256 under the audit key (kept outside the
database: AUDIT_KEY or instance/audit_key). `voting audit verify` recomputes the chain, names the
first break, then replays the records and compares what they say with the tables (audit_state)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, replace
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event as sa_event
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from voting.extensions import db
from voting.models import ActionLog, Event, VoteAudit
from voting.models.chain import AuditLink

GENESIS = "0" * 64
KINDS = {"vote": VoteAudit, "action": ActionLog}
_LINK = insert(AuditLink.__table__)  # a plain table statement, compiled once


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


def link_hash(prev_hash: str, kind: str, record: dict[str, Any], key: str | None = None) -> str:
    """HMAC-SHA256 under the audit key of (previous hash | kind | canonical JSON of the record).

    Without a key, plain SHA-256 of the same bytes: how links were written before the app kept an
    audit key, and all that someone holding only the database file can compute.
    """
    body = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    message = f"{prev_hash}|{kind}|{body}".encode()
    if key:
        return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    return hashlib.sha256(message).hexdigest()


def audit_key() -> str | None:
    """The current app's audit key (AUDIT_KEY, or instance/audit_key made on first start)."""
    return current_app.config.get("AUDIT_KEY") or None


def append_link(
    connection: Connection, record: VoteAudit | ActionLog, head: tuple[int, str] | None = None
) -> tuple[int, str]:
    """The one audit writer: link a record just written into its event's chain, sealed with the
    audit key, in the caller's transaction. Returns the new head (seq, hash).

    `head` is the chain's current (seq, hash) when the caller has read it already (the vote path
    reads it with everything else it needs); otherwise it is read here. Either way it is read in a
    write transaction, so no other writer can take the same position.
    """
    if head is None:
        last = connection.execute(
            select(AuditLink.seq, AuditLink.hash)
            .where(AuditLink.event_id == record.event_id)
            .order_by(AuditLink.seq.desc())
            .limit(1)
        ).first()
        head = (last[0], last[1]) if last else (0, GENESIS)
    seq, prev = head
    kind = "vote" if isinstance(record, VoteAudit) else "action"
    digest = link_hash(prev, kind, canonical(record), audit_key())  # sealed: HMAC in Python, no round trip
    connection.execute(
        _LINK,
        {
            "event_id": record.event_id,
            "seq": seq + 1,
            "kind": kind,
            "record_id": record.id,
            "prev_hash": prev,
            "hash": digest,
        },
    )
    return seq + 1, digest


def _link_new_records(session: Session, _context: Any) -> None:
    """Chain every audit record the ORM writes (action-log lines, a reset's records) in the same
    transaction that writes it: actions first, then vote records, each in the order written."""
    new = [obj for obj in session.new if isinstance(obj, VoteAudit | ActionLog)]
    if not new:
        return
    connection = session.connection()
    heads: dict[int, tuple[int, str]] = {}
    for record in sorted(new, key=lambda r: (r.event_id, isinstance(r, VoteAudit), r.id)):
        heads[record.event_id] = append_link(connection, record, heads.get(record.event_id))


def init_app(_app: Flask) -> None:
    """Chain the audit records the ORM writes (create_app calls this; importing installs nothing)."""
    if not sa_event.contains(Session, "after_flush", _link_new_records):
        sa_event.listen(Session, "after_flush", _link_new_records)


def head(event_id: int) -> str:
    """The latest hash of an event's chain (what exports print), or the genesis hash."""
    last = db.session.scalar(
        select(AuditLink.hash).where(AuditLink.event_id == event_id).order_by(AuditLink.seq.desc()).limit(1)
    )
    return last or GENESIS


def position_of(event_id: int, printed_head: str) -> int | None:
    """Which link of the event's chain a head printed earlier (in an export) is, or None if gone."""
    return db.session.scalar(
        select(AuditLink.seq).where(
            AuditLink.event_id == event_id, AuditLink.hash == printed_head.strip().lower()
        )
    )


@dataclass(frozen=True)
class Verdict:
    event_id: int
    links: int
    head: str
    broken: str | None  # a sentence naming the first broken link or record, or None
    unsealed: int = 0  # links written without the audit key (before the app kept one)
    notes: tuple[str, ...] = ()  # what could not be checked, in sentences
    difference: str | None = None  # the first place the tables differ from the replayed records


def _walk(event_id: int, key: str | None) -> tuple[Verdict, list[tuple[str, dict[str, Any]]]]:
    """Recompute the chain link by link; the records in link order, for replay."""
    prev, seq, linked, unsealed, sealed_seen = GENESIS, 0, set(), 0, False
    records: list[tuple[str, dict[str, Any]]] = []

    def broken(sentence: str) -> tuple[Verdict, list[tuple[str, dict[str, Any]]]]:
        return Verdict(event_id, seq - 1, prev, sentence, unsealed), records

    for link in db.session.scalars(
        select(AuditLink).where(AuditLink.event_id == event_id).order_by(AuditLink.seq)
    ):
        seq += 1
        where = f"link {link.seq} ({link.kind} record {link.record_id})"
        if link.seq != seq:
            return broken(f"Link {seq} is missing: the chain jumps to {where}.")
        record = db.session.get(KINDS[link.kind], link.record_id)
        if record is None:
            return broken(f"The record behind {where} has been deleted.")
        body = canonical(record)
        if link.prev_hash == prev and key and link_hash(prev, link.kind, body, key) == link.hash:
            sealed_seen = True
        elif link.prev_hash == prev and link_hash(prev, link.kind, body) == link.hash:
            if sealed_seen:
                return broken(
                    f"{where.capitalize()} was hashed without the audit key after links sealed with it: "
                    "it was rewritten outside the app."
                )
            unsealed += 1
        else:
            hint = "" if sealed_seen else " (or this server's audit key is not the one that sealed it)"
            return broken(f"{where.capitalize()} does not match: it was changed after it was written{hint}.")
        prev = link.hash
        linked.add((link.kind, link.record_id))
        records.append((link.kind, body))
    for kind, model in KINDS.items():
        for record_id in db.session.scalars(
            select(model.id).where(model.event_id == event_id).order_by(model.id)
        ):
            if (kind, record_id) not in linked:
                seq += 1
                return broken(
                    f"{kind.capitalize()} record {record_id} is not in the chain: it was added outside the app."
                )
    return Verdict(event_id, seq, prev, None, unsealed), records


def verify(event_id: int) -> Verdict:
    """Recompute an event's chain, then replay its records against the tables; name the first break."""
    from voting.audit_state import compare_with_tables

    verdict, records = _walk(event_id, audit_key())
    notes: tuple[str, ...] = ()
    if verdict.unsealed:
        notes = (
            f"{verdict.unsealed} of {verdict.links} links were written without the audit key (before this "
            "version of the app): they show nothing changed by accident, but anyone with the database "
            "file could have rewritten them.",
        )
    if verdict.broken:
        return replace(verdict, notes=notes)
    difference, more_notes = compare_with_tables(event_id, records)
    return replace(verdict, difference=difference, notes=notes + more_notes)


def verify_all() -> list[Verdict]:
    """Verify every event's chain."""
    return [verify(event_id) for event_id in db.session.scalars(select(Event.id).order_by(Event.id))]
