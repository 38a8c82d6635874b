"""The hash chain over the audit records (vote audit and action log), one chain per event."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voting.extensions import db


class AuditLink(db.Model):
    """Link n of an event's chain: which record, its digest, and the hash of link n-1 folded in."""

    __table_args__ = (UniqueConstraint("event_id", "seq"), UniqueConstraint("kind", "record_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))  # vote | action
    record_id: Mapped[int]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
