"""Current votes, the append-only audit of every cast or change, and split resolutions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voting.extensions import db
from voting.models.base import utcnow


class Vote(db.Model):
    """A delegate's current level on a contract: one row per (contract, delegate)."""

    __table_args__ = (UniqueConstraint("contract_id", "delegate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("delegate.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    level: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class VoteAudit(db.Model):
    """Append-only: who cast or changed what, when, from what. Never updated or deleted."""

    # A client-made vote_id counts once per delegate, however often it is resent.
    __table_args__ = (UniqueConstraint("delegate_id", "vote_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey("delegate.id", ondelete="CASCADE"))
    vote_id: Mapped[str] = mapped_column(String(64))
    old_level: Mapped[int | None]
    new_level: Mapped[int | None]  # None: the vote was removed when the contract was reset
    entered_by: Mapped[str] = mapped_column(String(20), default="delegate")  # delegate | facilitator | reset
    vote_round: Mapped[int] = mapped_column(
        default=1, server_default="1"
    )  # the contract's round it was cast in
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Resolution(db.Model):
    """The facilitator's settlement of a CCG's split on a contract."""

    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int]
    # The counted votes it settled, as domain.aggregation.fingerprint writes them ("2x1 3x1"):
    # the settlement holds only while the votes are still that tie.
    votes: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
