"""Technical appendix 1 activity: load it into an event (all or nothing) and read the two views."""

from __future__ import annotations

from sqlalchemy import delete, select

from voting.domain.activity import (
    DEFAULT_THRESHOLDS,
    ActivityView,
    Flow,
    Relationship,
    Thresholds,
    ccgs_for_provider,
    classify_provider,
    providers_for_ccg,
)
from voting.extensions import db
from voting.importers import Problem
from voting.importers.activity import read_activity
from voting.models import ActivityFlow, Event
from voting.services.log import record


def import_activity(event: Event, data: bytes) -> tuple[int, list[Problem]]:
    """Replace the event's activity with the file's in one transaction; returns (rows, problems)."""
    result = read_activity(data)
    if not result.ok:
        return 0, list(result.problems)
    db.session.execute(delete(ActivityFlow).where(ActivityFlow.event_id == event.id))
    db.session.add_all(
        ActivityFlow(
            event_id=event.id,
            position=position,
            ccg_code=row.ccg_code,
            ccg_name=row.ccg_name,
            provider_code=row.provider_code,
            provider_name=row.provider_name,
            admissions=row.admissions,
            elective_admissions=row.elective_admissions,
            outpatients=row.outpatients,
            first_outpatients=row.first_outpatients,
        )
        for position, row in enumerate(result.rows)
    )
    ccg_count = len({row.ccg_code for row in result.rows})
    provider_count = len({row.provider_code for row in result.rows})
    detail = f"{len(result.rows)} rows, {ccg_count} CCGs, {provider_count} providers"
    record(event.id, "import_activity", detail)
    db.session.commit()
    return len(result.rows), []


def event_flows(event_id: int) -> list[Flow]:
    """The event's activity rows in file order, as domain flows."""
    stored = db.session.scalars(
        select(ActivityFlow).where(ActivityFlow.event_id == event_id).order_by(ActivityFlow.position)
    )
    return [
        Flow(
            row.ccg_code,
            row.ccg_name,
            row.provider_code,
            row.provider_name,
            row.admissions,
            row.elective_admissions,
            row.outpatients,
            row.first_outpatients,
        )
        for row in stored
    ]


def ccg_view(event_id: int, ccg_code: str, top: int) -> ActivityView | None:
    """Main providers for one CCG of the event's activity, or None if the CCG is not in it."""
    return providers_for_ccg(event_flows(event_id), ccg_code, top)


def provider_view(event_id: int, provider_code: str, top: int) -> ActivityView | None:
    """Main commissioning CCGs for one provider of the event's activity, or None if it is not in it."""
    return ccgs_for_provider(event_flows(event_id), provider_code, top)


def provider_relationship(
    event_id: int, provider_code: str, settings: Thresholds = DEFAULT_THRESHOLDS
) -> Relationship | None:
    """Whether the provider's CCGs form a core, linked or specialist low volume relationship."""
    return classify_provider(event_flows(event_id), provider_code, settings)
