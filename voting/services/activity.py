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
from voting.extensions import db, socketio
from voting.importers import Problem
from voting.importers.activity import read_activity
from voting.importers.offload import parse_off_loop
from voting.models import ActivityFlow, Event
from voting.services.log import record


def import_activity(event: Event, data: bytes) -> tuple[int, list[Problem]]:
    """Replace the event's activity with the file's in one transaction; returns (rows, problems)."""
    result = parse_off_loop(socketio.async_mode, read_activity, data)
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


def create_grouping_from_provider(event: Event, provider_code: str) -> tuple[str, list[str], list[str]]:
    """One step from "who commissions from this provider" to a contract grouping: a new contract
    held by the event's CCGs that send it activity (value to be filled in by a contracts import).

    Returns (contract code, CCGs added, CCG codes in the activity data but not in the event)."""
    from voting.errors import Conflict, Invalid, NotFound
    from voting.models import Contract, Holding, Organisation
    from voting.realtime.publish import publisher
    from voting.services.log import record

    flows = [f for f in event_flows(event.id) if f.provider_code == provider_code and f.admissions]
    if not flows:
        raise NotFound(
            f"There is no provider '{provider_code}' with admissions in this event's activity data."
        )
    code = f"P-{provider_code}"
    if db.session.scalar(select(Contract.id).where(Contract.event_id == event.id, Contract.code == code)):
        raise Conflict(f"Contract {code} already exists for this provider.")
    orgs = {
        o.code: o for o in db.session.scalars(select(Organisation).where(Organisation.event_id == event.id))
    }
    present = [f for f in flows if f.ccg_code in orgs]
    missing = sorted({f.ccg_code for f in flows if f.ccg_code not in orgs})
    if not present:
        raise Invalid("None of this provider's commissioning CCGs is an organisation of this event.")
    position = len(list(db.session.scalars(select(Contract.id).where(Contract.event_id == event.id))))
    contract = Contract(
        event_id=event.id,
        code=code,
        name=flows[0].provider_name,
        position=position,
        provider_code=provider_code,
        description=f"Created from the activity explorer: the CCGs that commission from {flows[0].provider_name}.",
    )
    db.session.add(contract)
    db.session.flush()
    for flow in present:
        db.session.add(
            Holding(
                contract_id=contract.id,
                organisation_id=orgs[flow.ccg_code].id,
                value_pence=0,
                activity=float(flow.admissions),
            )
        )
    record(event.id, "grouping_from_provider", f"{code}: {', '.join(f.ccg_code for f in present)}")
    db.session.commit()
    publisher.contracts_changed(event.id)
    return code, [f.ccg_code for f in present], missing


def member_activity_shares(event_id: int, provider_code: str, members: list[str]) -> dict[str, float]:
    """Each member's share of the group's admissions at the provider (0 for none)."""
    admissions = {
        f.ccg_code: f.admissions
        for f in event_flows(event_id)
        if f.provider_code == provider_code and f.ccg_code in members
    }
    total = sum(admissions.values())
    return {m: (admissions.get(m, 0) / total if total else 0.0) for m in members}
