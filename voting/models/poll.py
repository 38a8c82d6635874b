"""Quick polls (Stage 1 appetite, or any time): named answers, or anonymous tallies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voting.extensions import db
from voting.models.base import utcnow


class Poll(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # yes_no_unsure | choice | scale
    question: Mapped[str] = mapped_column(String(500))
    options: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, for kind "choice"
    anonymous: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="ready")  # domain.states.PollState
    results_hidden: Mapped[bool] = mapped_column(default=False)
    closes_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class PollAnswer(db.Model):
    """A named answer: who answered what (one per delegate; changing it replaces the answer)."""

    __table_args__ = (UniqueConstraint("poll_id", "delegate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id", ondelete="CASCADE"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("delegate.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class PollReceipt(db.Model):
    """That a delegate's answer (by its client-made vote_id) has been counted - never what it was,
    and no time: for anonymous polls this is all that links a person to a poll."""

    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id", ondelete="CASCADE"), primary_key=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("delegate.id", ondelete="CASCADE"), primary_key=True)
    vote_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class PollTally(db.Model):
    """Anonymous polls: counts per CCG and answer. Counters, not rows per answer, so no row order,
    id or time can be joined back to who answered."""

    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    answer: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
