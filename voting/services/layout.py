"""An event's layout as live screens show it - CCGs, contracts, who holds what, delegates - kept
per process and checked against the event's action log every time it is used.

Every change to these (imports, groupings, opening, closing, countdowns, hiding results, resets,
adding, admitting and removing delegates) is made by a service that writes an action-log line in
the same transaction (`services.log.record`), and ids are handed out in commit order. So the
event's newest action-log id is the layout's version: one indexed look-up per snapshot says whether
the kept copy is still right, whichever process made the change. Copies are kept only from read
transactions (`db_setup.reading`), which see nothing that could still roll back. A service that changed any of
these without recording it would leave screens stale until the next recorded action - so every
such service records, as the audit needs anyway.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from voting.db_setup import reading
from voting.domain.matrix import NA
from voting.extensions import db
from voting.models import ActionLog, Contract, Delegate, Event, Holding, Organisation
from voting.models.delegate import ACTIVE, PENDING


@dataclass(frozen=True)
class ContractInfo:
    id: int
    code: str
    name: str
    status: str
    results_hidden: bool
    closes_at: datetime | None


@dataclass(frozen=True)
class Layout:
    version: int  # the event's newest action-log id when this was read
    orgs: tuple[tuple[int, str, str], ...]  # (id, code, name) in loaded order
    contracts: tuple[ContractInfo, ...]  # in loaded order
    held: frozenset[tuple[int, int]]  # (contract id, organisation id): no pair means NA
    holder_codes: dict[int, frozenset[str]]  # contract id -> codes of the CCGs holding it
    active: dict[int, int]  # organisation id -> admitted delegates
    pending: tuple[tuple[int, str, str], ...]  # waiting delegates: (id, name, organisation name)
    # Derived, for building a matrix in one pass:
    row: dict[int, int]  # organisation id -> its row
    column: dict[int, int]  # contract id -> its column
    org_code: dict[int, str]
    blank_rows: dict[int, tuple[str, ...]]  # organisation id -> its cells before any vote ("NA" or "")

    def pending_list(self) -> list[dict[str, Any]]:
        """The waiting delegates as the console lists them (fresh dicts every time)."""
        return [{"id": i, "name": name, "organisation": org} for i, name, org in self.pending]


class _Layouts:
    def __init__(self) -> None:
        self.by_event: dict[int, Layout] = {}
        self.lock = threading.Lock()


def _store() -> _Layouts:
    return current_app.extensions.setdefault("voting_layouts", _Layouts())  # type: ignore[no-any-return]


def version(event_id: int) -> int:
    """The event's newest action-log id (0 before anything was recorded)."""
    newest = db.session.scalar(
        select(ActionLog.id).where(ActionLog.event_id == event_id).order_by(ActionLog.id.desc()).limit(1)
    )
    return newest or 0


def read(event: Event, as_of: int) -> Layout:
    """The layout from the database, in the caller's transaction."""
    orgs = tuple(
        (i, code, name)
        for i, code, name in db.session.execute(
            select(Organisation.id, Organisation.code, Organisation.name)
            .where(Organisation.event_id == event.id)
            .order_by(Organisation.position)
        )
    )
    contracts = tuple(
        ContractInfo(c.id, c.code, c.name, c.status, c.results_hidden, c.closes_at)
        for c in db.session.scalars(
            select(Contract).where(Contract.event_id == event.id).order_by(Contract.position)
        )
    )
    held = frozenset(
        (contract_id, org_id)
        for contract_id, org_id in db.session.execute(
            select(Holding.contract_id, Holding.organisation_id)
            .join(Contract, Contract.id == Holding.contract_id)
            .where(Contract.event_id == event.id)
        )
    )
    code_of = {i: code for i, code, _name in orgs}
    holders: dict[int, set[str]] = {c.id: set() for c in contracts}
    for contract_id, org_id in held:
        holders[contract_id].add(code_of[org_id])
    active: Counter[int] = Counter()
    for org_id, n in db.session.execute(
        select(Delegate.organisation_id, func.count(Delegate.id))
        .where(Delegate.event_id == event.id, Delegate.status == ACTIVE)
        .group_by(Delegate.organisation_id)
    ):
        active[org_id] = n
    pending = tuple(
        (i, name, org)
        for i, name, org in db.session.execute(
            select(Delegate.id, Delegate.name, Organisation.name)
            .join(Organisation, Organisation.id == Delegate.organisation_id)
            .where(Delegate.event_id == event.id, Delegate.status == PENDING)
            .order_by(Delegate.id)
        )
    )
    return Layout(
        version=as_of,
        orgs=orgs,
        contracts=contracts,
        held=held,
        holder_codes={i: frozenset(codes) for i, codes in holders.items()},
        active=dict(active),
        pending=pending,
        row={org_id: n for n, (org_id, _code, _name) in enumerate(orgs)},
        column={c.id: n for n, c in enumerate(contracts)},
        org_code=code_of,
        blank_rows={
            org_id: tuple("" if (c.id, org_id) in held else NA for c in contracts) for org_id, _c, _n in orgs
        },
    )


def current(event: Event) -> Layout:
    """The event's layout as of the caller's transaction (read again only when something changed)."""
    as_of = version(event.id)
    if not reading():
        return read(event, as_of)  # it may yet roll back what it sees: keep nothing from it
    store = _store()
    kept = store.by_event.get(event.id)
    if kept is not None and kept.version == as_of:
        return kept
    layout = read(event, as_of)
    with store.lock:
        store.by_event[event.id] = layout
    return layout
