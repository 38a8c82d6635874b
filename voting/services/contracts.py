"""Opening and closing votes on contracts, and settling split CCG positions."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from voting.domain.aggregation import combine_votes, fingerprint
from voting.domain.levels import parse_level
from voting.domain.states import ContractState, Stage
from voting.errors import Invalid, NotFound
from voting.extensions import db
from voting.models import Contract, Event, Organisation, Resolution
from voting.models.base import utcnow
from voting.realtime.publish import publisher
from voting.services.events import find_contract, find_organisation
from voting.services.log import record
from voting.services.snapshots import counted_votes


def select_contracts(event: Event, codes: Iterable[str] | None) -> list[Contract]:
    """The named contracts of the event (all of them when codes is None); unknown codes refused."""
    contracts = list(
        db.session.scalars(select(Contract).where(Contract.event_id == event.id).order_by(Contract.position))
    )
    if codes is None:
        return contracts
    wanted = [str(code).strip() for code in codes]
    by_code = {contract.code: contract for contract in contracts}
    unknown = [code for code in wanted if code not in by_code]
    if unknown:
        raise NotFound(f"There is no contract {', '.join(unknown)} in this event.")
    if not wanted:
        raise Invalid("Choose at least one contract.")
    return [by_code[code] for code in wanted]


def open_contracts(event: Event, codes: Iterable[str] | None = None, rerun: bool = False) -> list[str]:
    """Open voting on the contracts (all when codes is None); returns the codes opened.

    Contract votes are Stage 2: opening one at stage 1 moves the event on (logged); at stages 3
    and 4 only a Stage 3 re-run may open a vote, so the frozen results stay what they were.
    """
    if event.stage >= Stage.CONFIRMING and not rerun:
        raise Invalid(
            "The event is past stage 2: re-run a contract's vote in stage 3, or go back to stage 2."
        )
    contracts = select_contracts(event, codes)
    if not contracts:
        raise Invalid("Import the contracts before opening a vote.")
    if event.stage == Stage.APPETITE:
        event.stage = Stage.VOTING.value
        record(event.id, "stage", "1 -> 2 (a contract vote was opened)")
    opened = []
    for contract in contracts:
        if contract.status != ContractState.OPEN:
            contract.status = ContractState.OPEN.value
            contract.opened_at = utcnow()
            contract.closed_at = None
            contract.closes_at = None
            opened.append(contract.code)
    record(event.id, "open", ",".join(opened))
    db.session.commit()
    publisher.contracts_changed(event.id)
    return opened


def close_contracts(event: Event, codes: Iterable[str] | None = None) -> list[str]:
    """Close voting on the contracts (all open ones when codes is None); returns the codes closed."""
    contracts = select_contracts(event, codes)
    closed = []
    for contract in contracts:
        if contract.status == ContractState.OPEN:
            contract.status = ContractState.CLOSED.value
            contract.closed_at = utcnow()
            contract.closes_at = None
            closed.append(contract.code)
    record(event.id, "close", ",".join(closed))
    db.session.commit()
    publisher.contracts_changed(event.id)
    return closed


def resolve_split(event: Event, contract_code: str, organisation_code: str, raw_level: object) -> None:
    """Settle a CCG's tied position on a contract with one of the tied levels.

    The settlement records the votes it settled: once they change, the split shows again.
    """

    contract = find_contract(event.id, contract_code)
    organisation = find_organisation(event.id, organisation_code)
    if contract is None or organisation is None:
        raise NotFound("That contract or organisation is not part of this event.")
    level = parse_level(raw_level)
    votes = {
        delegate: level
        for _c, org, delegate, level in counted_votes(event, contract.id)
        if org == organisation.id
    }
    position = combine_votes(votes.values(), event.rule)
    if not position.is_split:
        raise Invalid(f"{organisation.name} is not split on contract {contract.code}; nothing to resolve.")
    if level not in position.levels:
        tied = " or ".join(str(tied) for tied in position.levels)
        raise Invalid(f"Choose one of the tied levels ({tied}).")
    existing = db.session.get(Resolution, (contract.id, organisation.id))
    if existing is None:
        db.session.add(
            Resolution(
                contract_id=contract.id,
                organisation_id=organisation.id,
                level=level,
                votes=fingerprint(votes),
            )
        )
    else:
        existing.level, existing.votes, existing.at = level, fingerprint(votes), utcnow()
    record(event.id, "resolve_split", f"{contract.code} {organisation.code} {position.label} -> {level}")
    db.session.commit()
    publisher.votes_changed(event.id)


def organisations_of(event: Event) -> list[Organisation]:
    """The event's organisations in loaded order."""
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.event_id == event.id).order_by(Organisation.position)
        )
    )
