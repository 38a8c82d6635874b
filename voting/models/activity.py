"""Technical appendix 1 activity: one row per CCG and provider, per event, as imported."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voting.extensions import db


class ActivityFlow(db.Model):
    """A CCG's activity at a provider. Codes are the file's, independent of the event's organisations."""

    __table_args__ = (UniqueConstraint("event_id", "ccg_code", "provider_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)  # the row's place in the file
    ccg_code: Mapped[str] = mapped_column(String(40))
    ccg_name: Mapped[str] = mapped_column(String(200))
    provider_code: Mapped[str] = mapped_column(String(40))
    provider_name: Mapped[str] = mapped_column(String(200))
    admissions: Mapped[int] = mapped_column(default=0)
    elective_admissions: Mapped[int] = mapped_column(default=0)
    outpatients: Mapped[int] = mapped_column(default=0)
    first_outpatients: Mapped[int] = mapped_column(default=0)
