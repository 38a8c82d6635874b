"""Stage 4: collaborative arrangements, their members, governance and members' ballots."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voting.extensions import db
from voting.models.base import utcnow


class Arrangement(db.Model):
    """CCGs commissioning one contract together at one level, built from one confirmed version."""

    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("stage_version.id", ondelete="CASCADE"))
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    level: Mapped[int]
    # A member CCG's code, or "CSS" for a commissioning support service; empty until agreed.
    coordinator: Mapped[str] = mapped_column(String(40), default="")
    model: Mapped[str] = mapped_column(String(40), default="")
    rule_kind: Mapped[str] = mapped_column(String(20), default="majority")
    rule_threshold: Mapped[str] = mapped_column(String(20), default="1/2")  # a fraction, as text
    rule_at_least: Mapped[bool] = mapped_column(default=False)
    quorum: Mapped[str] = mapped_column(String(20), default="1/2")  # members, or a fraction of them
    majority_binds_all: Mapped[bool] = mapped_column(default=True)
    on_disagreement: Mapped[str] = mapped_column(Text, default="")  # when a CCG disagrees or wants to leave
    cost_method: Mapped[str] = mapped_column(String(10), default="value")  # value | equal | custom


class ArrangementMember(db.Model):
    arrangement_id: Mapped[int] = mapped_column(
        ForeignKey("arrangement.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    contribution_role: Mapped[str] = mapped_column(String(200), default="")  # expertise or capacity
    contribution_days: Mapped[str] = mapped_column(String(20), default="")  # days a month, or WTE
    contribution_notes: Mapped[str] = mapped_column(String(1000), default="")
    cost_percent: Mapped[str] = mapped_column(String(20), default="")  # custom split only, as text


class ArrangementBallot(db.Model):
    """A delegate's vote, for their member CCG, on a proposal for its arrangement (the co-ordinator,
    or the model). One per delegate and topic; the latest stands. The CCG's ballot combines its
    delegates' (services.stage4_ballots), and the CCGs' ballots decide under the arrangement's rule."""

    __table_args__ = (UniqueConstraint("arrangement_id", "topic", "delegate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("arrangement.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(20))  # coordinator | model
    proposal: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    ballot: Mapped[str] = mapped_column(String(10))  # yes | no | abstain
    delegate_id: Mapped[int | None] = mapped_column(ForeignKey("delegate.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
