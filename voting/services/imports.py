"""Loading organisations and contracts into an event: all or nothing."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, select

from voting.domain.states import ContractState
from voting.extensions import db, socketio
from voting.importers import Problem, contract_order, read_contracts, read_organisations
from voting.importers.offload import parse_off_loop
from voting.models import Contract, Delegate, Event, Holding, Neighbour, Organisation, Vote
from voting.realtime.publish import publisher
from voting.services.log import record


def _pence(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def import_organisations(event: Event, data: bytes) -> tuple[int, list[Problem]]:
    """Replace the event's organisations with the file's; returns (count, problems)."""
    result = parse_off_loop(socketio.async_mode, read_organisations, data)
    if not result.ok:
        return 0, list(result.problems)
    existing = {
        org.code: org
        for org in db.session.scalars(select(Organisation).where(Organisation.event_id == event.id))
    }
    incoming = {row.code for row in result.rows}
    in_use = set(db.session.scalars(select(Delegate.organisation_id).where(Delegate.event_id == event.id)))
    in_use |= set(db.session.scalars(select(Vote.organisation_id).where(Vote.event_id == event.id)))
    problems = [
        Problem(
            1, "code", f"Organisation '{code}' already has delegates or votes, so it must stay in the file."
        )
        for code, org in existing.items()
        if code not in incoming and org.id in in_use
    ]
    if problems:
        return 0, problems
    for code, org in existing.items():
        if code not in incoming:
            db.session.delete(org)
    by_code: dict[str, Organisation] = {}
    for position, row in enumerate(result.rows):
        org = existing.get(row.code) or Organisation(event_id=event.id, code=row.code)
        org.name = row.name
        org.position = position
        db.session.add(org)
        by_code[row.code] = org
    db.session.flush()
    org_ids = [org.id for org in by_code.values()]
    db.session.execute(delete(Neighbour).where(Neighbour.organisation_id.in_(org_ids)))
    pairs = {(by_code[row.code].id, by_code[n].id) for row in result.rows for n in row.neighbours}
    db.session.add_all(Neighbour(organisation_id=a, neighbour_id=b) for a, b in sorted(pairs))
    record(event.id, "import_organisations", f"{len(result.rows)} organisations")
    db.session.commit()
    publisher.event_changed(event.id)
    return len(result.rows), []


def import_contracts(event: Event, data: bytes) -> tuple[int, list[Problem]]:
    """Replace the event's contracts and holdings with the file's; returns (rows, problems)."""
    orgs = {
        org.code: org
        for org in db.session.scalars(select(Organisation).where(Organisation.event_id == event.id))
    }
    result = parse_off_loop(socketio.async_mode, read_contracts, data, set(orgs))
    if not result.ok:
        return 0, list(result.problems)
    existing = {c.code: c for c in db.session.scalars(select(Contract).where(Contract.event_id == event.id))}
    held = {(row.contract, row.organisation) for row in result.rows}
    problems = _votes_that_would_be_orphaned(event, existing, orgs, held)
    if problems:
        return 0, problems
    order = contract_order(result.rows)
    incoming = {code for code, _name, _description in order}
    for code, contract in existing.items():
        if code not in incoming:
            db.session.delete(contract)
    by_code: dict[str, Contract] = {}
    for position, (code, name, description) in enumerate(order):
        contract = existing.get(code) or Contract(
            event_id=event.id, code=code, status=ContractState.READY.value
        )
        contract.name, contract.description, contract.position = name, description, position
        db.session.add(contract)
        by_code[code] = contract
    db.session.flush()
    contract_ids = [contract.id for contract in by_code.values()]
    db.session.execute(delete(Holding).where(Holding.contract_id.in_(contract_ids)))
    db.session.add_all(
        Holding(
            contract_id=by_code[row.contract].id,
            organisation_id=orgs[row.organisation].id,
            value_pence=_pence(row.annual_value_gbp),
            activity=float(row.activity) if row.activity is not None else None,
        )
        for row in result.rows
    )
    record(event.id, "import_contracts", f"{len(order)} contracts, {len(result.rows)} rows")
    db.session.commit()
    publisher.contracts_changed(event.id)
    return len(result.rows), []


def _votes_that_would_be_orphaned(
    event: Event, existing: dict[str, Contract], orgs: dict[str, Organisation], held: set[tuple[str, str]]
) -> list[Problem]:
    """Votes already cast must keep their contract and holding: a re-import may not drop them."""
    code_of_contract = {c.id: code for code, c in existing.items()}
    code_of_org = {org.id: code for code, org in orgs.items()}
    voted = db.session.execute(
        select(Vote.contract_id, Vote.organisation_id).where(Vote.event_id == event.id).distinct()
    )
    problems = []
    for contract_id, org_id in voted:
        key = (code_of_contract[contract_id], code_of_org[org_id])
        if key not in held:
            problems.append(
                Problem(
                    1,
                    "organisation",
                    f"{key[1]} has already voted on contract {key[0]}; keep that row in the file.",
                )
            )
    return problems
