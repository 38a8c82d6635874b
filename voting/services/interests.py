"""Conflicts of interest: declarations by delegates, and leaving declared votes out of a result."""

from __future__ import annotations

from sqlalchemy import select

from voting.errors import Invalid, NotAllowed, NotFound
from voting.extensions import db
from voting.models import Contract, Declaration, Delegate, Event, Organisation
from voting.models.delegate import ACTIVE
from voting.realtime.publish import publisher
from voting.services.events import find_contract
from voting.services.log import record
from voting.timefmt import clock


def declare(delegate: Delegate, contract_code: str, interest: str) -> Declaration:
    """Record a delegate's interest in a contract (shown to the facilitator, kept in the audit)."""
    if delegate.status != ACTIVE:
        raise NotAllowed("Only admitted delegates can declare an interest.")
    text = " ".join((interest or "").split())
    if not text:
        raise Invalid("Say briefly what the interest is, for example 'my practice provides this service'.")
    if len(text) > 500:
        raise Invalid("Keep the declaration to 500 characters or fewer.")
    contract = find_contract(delegate.event_id, str(contract_code or "").strip())
    if contract is None:
        raise NotFound(f"There is no contract {contract_code} in this event.")
    declaration = Declaration(
        event_id=delegate.event_id, delegate_id=delegate.id, contract_id=contract.id, interest=text
    )
    db.session.add(declaration)
    record(
        delegate.event_id,
        "declare_interest",
        f"delegate {delegate.id} contract {contract.code}: {text}",
        actor="delegate",
    )
    db.session.commit()
    publisher.votes_changed(delegate.event_id)
    return declaration


def set_exclude_declared(event: Event, exclude: bool) -> None:
    """Leave (or stop leaving) declared delegates' votes out of those contracts' results."""
    event.exclude_declared = bool(exclude)
    record(event.id, "exclude_declared", "on" if exclude else "off")
    db.session.commit()
    publisher.votes_changed(event.id)


def declared_pairs(event_id: int) -> set[tuple[int, int]]:
    """(delegate id, contract id) for every declaration in the event."""
    rows = db.session.execute(
        select(Declaration.delegate_id, Declaration.contract_id).where(Declaration.event_id == event_id)
    )
    return {(delegate_id, contract_id) for delegate_id, contract_id in rows}


def list_declarations(event_id: int) -> list[dict[str, str]]:
    """Every declaration, for the console and the steering pack."""
    rows = db.session.execute(
        select(Declaration, Delegate.name, Organisation.name, Contract.code)
        .join(Delegate, Delegate.id == Declaration.delegate_id)
        .join(Organisation, Organisation.id == Delegate.organisation_id)
        .join(Contract, Contract.id == Declaration.contract_id)
        .where(Declaration.event_id == event_id)
        .order_by(Declaration.id)
    )
    return [
        {"delegate": name, "organisation": org, "contract": code, "interest": d.interest, "at": clock(d.at)}
        for d, name, org, code in rows
    ]
