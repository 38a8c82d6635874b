"""An event, its organisations (CCGs), contract groupings and who holds which."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.extensions import db
from voting.models.base import utcnow


class Event(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    rule: Mapped[str] = mapped_column(String(20), default="plurality")
    stage: Mapped[int] = mapped_column(default=1)  # 1 appetite, 2 voting, 3 are we sure?, 4 who and how
    # Conflicts of interest: leave declared delegates' votes out of that contract's result.
    exclude_declared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisations: Mapped[list[Organisation]] = relationship(
        back_populates="event", order_by="Organisation.position", cascade="all, delete-orphan"
    )
    contracts: Mapped[list[Contract]] = relationship(
        back_populates="event", order_by="Contract.position", cascade="all, delete-orphan"
    )


class Organisation(db.Model):
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="organisations")


class Neighbour(db.Model):
    """One direction of the neighbour relation as imported; readers treat it as symmetric."""

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    neighbour_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )


class Contract(db.Model):
    """A contract grouping; `code` is the id as loaded ("1".."20" in Annex 2)."""

    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(10), default="ready")  # domain.states.ContractState
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closes_at: Mapped[datetime | None] = mapped_column(default=None)  # countdown: the server closes it
    results_hidden: Mapped[bool] = mapped_column(default=False)  # against herding, until revealed
    rerun_stage: Mapped[int | None] = mapped_column(default=None)  # re-voted in Stage 3: live votes count
    # Which vote on this contract is running: a reset (and so a Stage 3 re-run) starts the next one, and
    # a vote cast in an earlier round never counts in a later one (services.votes). Closing and
    # reopening keeps the round: the votes already cast still count.
    vote_round: Mapped[int] = mapped_column(default=1, server_default="1")
    # The provider this grouping commissions, when known (technical appendix 1 activity shares).
    provider_code: Mapped[str | None] = mapped_column(String(40), default=None)

    event: Mapped[Event] = relationship(back_populates="contracts")


class Holding(db.Model):
    """An organisation's money and activity in a contract; no row means NA."""

    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    # Whole pence: exact, and no Decimal-on-SQLite surprises.
    value_pence: Mapped[int] = mapped_column(BigInteger, default=0)  # £72m is 7.2 billion pence
    activity: Mapped[float | None] = mapped_column(default=None)
