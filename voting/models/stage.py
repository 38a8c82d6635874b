"""Frozen results of each stage, and Stage 3 confirmations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from voting.extensions import db
from voting.models.base import utcnow

INDICATIVE, CONFIRMED, ARRANGEMENTS = "indicative", "confirmed", "arrangements"


class StageVersion(db.Model):
    """A dated, frozen result: the indicative matrix (after Stage 2), the confirmed matrix (after
    Stage 3), the arrangements (after Stage 4). Never updated; a later freeze adds a new number."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[int]  # 1, 2, ... per kind
    payload: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Confirmation(db.Model):
    """A CCG's Stage 3 answer on one cell: confirm as is, or amend with a reason. Append-only; the
    latest for a cell (against the indicative version it was made on) stands."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("stage_version.id", ondelete="CASCADE"))
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    delegate_id: Mapped[int | None] = mapped_column(ForeignKey("delegate.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(10))  # confirm | amend
    level: Mapped[int | None]  # the level confirmed or amended to
    reason: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Declaration(db.Model):
    """A delegate's declared interest in a contract (e.g. their practice provides the service)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("delegate.id", ondelete="CASCADE"))
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"))
    interest: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(default=utcnow)
