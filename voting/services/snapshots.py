"""Read side: the whole state of an event as plain data, built from the database every time."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from voting.domain.aggregation import Position, combine_votes, count_votes, summarise_contract
from voting.domain.levels import LEVELS
from voting.domain.matrix import Column, Matrix, Row, build_matrix
from voting.extensions import db
from voting.models import Contract, Delegate, Event, Holding, Organisation, Resolution, Vote
from voting.models.delegate import ACTIVE, PENDING
from voting.services.interests import declared_pairs
from voting.timefmt import iso


def _positions(
    event: Event, orgs: dict[int, str], contracts: dict[int, str]
) -> tuple[dict[tuple[str, str], Position], dict[str, list[int]]]:
    votes: dict[tuple[int, int], list[int]] = defaultdict(list)
    excluded = declared_pairs(event.id) if event.exclude_declared else set()
    for contract_id, org_id, delegate_id, level in db.session.execute(
        select(Vote.contract_id, Vote.organisation_id, Vote.delegate_id, Vote.level).where(
            Vote.event_id == event.id
        )
    ):
        if (delegate_id, contract_id) not in excluded:
            votes[(contract_id, org_id)].append(level)
    resolutions = {
        (r.contract_id, r.organisation_id): r.level
        for r in db.session.scalars(select(Resolution).join(Contract).where(Contract.event_id == event.id))
    }
    positions = {}
    delegate_votes: dict[str, list[int]] = defaultdict(list)
    for (contract_id, org_id), levels in votes.items():
        key = (orgs[org_id], contracts[contract_id])
        positions[key] = combine_votes(levels, event.rule, resolutions.get((contract_id, org_id)))
        delegate_votes[contracts[contract_id]].extend(levels)
    return positions, delegate_votes


def event_matrix(event: Event) -> tuple[Matrix, dict[tuple[str, str], Position], dict[str, list[int]]]:
    """The matrix, each CCG's position and every delegate level per contract."""
    org_rows = list(
        db.session.scalars(
            select(Organisation).where(Organisation.event_id == event.id).order_by(Organisation.position)
        )
    )
    contract_rows = list(
        db.session.scalars(select(Contract).where(Contract.event_id == event.id).order_by(Contract.position))
    )
    orgs = {org.id: org.code for org in org_rows}
    contracts = {c.id: c.code for c in contract_rows}
    holdings = [
        (orgs[org_id], contracts[contract_id])
        for contract_id, org_id in db.session.execute(
            select(Holding.contract_id, Holding.organisation_id).where(
                Holding.contract_id.in_(list(contracts))
            )
        )
    ]
    positions, delegate_votes = _positions(event, orgs, contracts)
    matrix = build_matrix(
        [Row(org.code, org.name) for org in org_rows],
        [Column(c.code, c.name) for c in contract_rows],
        holdings,
        positions,
    )
    return matrix, positions, delegate_votes


def event_state(event: Event, for_console: bool = False) -> dict[str, Any]:
    """Everything a projector (or, with for_console, the facilitator's console) shows."""
    matrix, positions, delegate_votes = event_matrix(event)
    contracts = list(
        db.session.scalars(select(Contract).where(Contract.event_id == event.id).order_by(Contract.position))
    )
    holders: dict[str, list[str]] = defaultdict(list)
    for (org, contract), cell in matrix.cells.items():
        if cell != "NA":
            holders[contract].append(org)
    contract_states = []
    for contract in contracts:
        summary = summarise_contract(
            {org: positions.get((org, contract.code), Position()) for org in holders[contract.code]},
            holders[contract.code],
        )
        contract_states.append(
            {
                "code": contract.code,
                "name": contract.name,
                "status": contract.status,
                "holders": summary.holders,
                "voted": summary.voted,
                "turnout": round(summary.turnout, 3),
                "counts": {str(level): n for level, n in summary.counts.items()},
                "split": summary.split,
                "modal": summary.modal_label,
                "votes": {
                    str(level): n for level, n in count_votes(delegate_votes.get(contract.code, [])).items()
                },
                "results_hidden": contract.results_hidden,
                "closes_at": iso(contract.closes_at),
            }
        )
    open_codes = [c.code for c in contracts if c.status == "open"]
    rows = []
    for row in matrix.rows:
        cells = matrix.row_labels(row.code)
        rows.append({"code": row.code, "name": row.name, "cells": cells})
    state: dict[str, Any] = {
        "event": {"id": event.id, "name": event.name, "join_code": event.join_code},
        "levels": {str(level): label for level, label in LEVELS.items()},
        "contracts": contract_states,
        "open": open_codes,
        "matrix": {"columns": [c.code for c in matrix.columns], "rows": rows},
    }
    if for_console:
        state.update(_console_extras(event, matrix, open_codes))
    return state


def _console_extras(event: Event, matrix: Matrix, open_codes: list[str]) -> dict[str, Any]:
    delegates = db.session.execute(
        select(Organisation.code, Delegate.status, func.count(Delegate.id))
        .join(Organisation, Organisation.id == Delegate.organisation_id)
        .where(Delegate.event_id == event.id)
        .group_by(Organisation.code, Delegate.status)
    )
    active: dict[str, int] = defaultdict(int)
    for code, status, n in delegates:
        if status == ACTIVE:
            active[code] += n
    organisations = []
    for row in matrix.rows:
        held_open = [c for c in open_codes if matrix.cell(row.code, c) != "NA"]
        voted_open = [c for c in held_open if matrix.cell(row.code, c) != ""]
        organisations.append(
            {
                "code": row.code,
                "name": row.name,
                "delegates": active[row.code],
                "open_held": len(held_open),
                "open_voted": len(voted_open),
            }
        )
    pending = [
        {"id": d.id, "name": d.name, "organisation": d.organisation.name}
        for d in db.session.scalars(
            select(Delegate)
            .where(Delegate.event_id == event.id, Delegate.status == PENDING)
            .order_by(Delegate.id)
        )
    ]
    splits = [
        {"contract": contract, "organisation": org, "levels": [int(x) for x in label.split("/")]}
        for (org, contract), label in matrix.cells.items()
        if "/" in label
    ]
    return {"organisations": organisations, "pending": pending, "splits": splits}


def delegate_ballot(
    event: Event, organisation: Organisation, context: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What a CCG's phones show: every contract the CCG holds, with its money and activity."""
    rows = db.session.execute(
        select(Contract, Holding)
        .join(Holding, Holding.contract_id == Contract.id)
        .where(Contract.event_id == event.id, Holding.organisation_id == organisation.id)
        .order_by(Contract.position)
    )
    contracts = [
        {
            "code": contract.code,
            "name": contract.name,
            "description": contract.description,
            "status": contract.status,
            "value_gbp": holding.value_pence / 100,
            "activity": holding.activity,
        }
        for contract, holding in rows
    ]
    from voting.services.phones import stage_context, stage_view
    from voting.services.polls import event_polls, poll_state

    if context is None:
        context = stage_context(event)
    return stage_view(event, organisation, context) | {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "contracts": contracts,
        "levels": {str(level): label for level, label in LEVELS.items()},
        "stage": event.stage,
        "polls": [
            poll_state(poll, with_results=False) for poll in event_polls(event.id) if poll.status == "open"
        ],
    }
