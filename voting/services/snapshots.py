"""Read side: the whole state of an event as plain data.

event_matrix builds it from every vote (exports, the API, Stage 3); what screens see live comes from
the event's tally (services.tallies), which reads only the votes cast since the last snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from voting.domain.aggregation import Position, combine_votes, fingerprint, summarise_contract
from voting.domain.levels import LEVELS
from voting.domain.matrix import NA, Column, Matrix, Row, build_matrix
from voting.domain.states import ContractState, PollState
from voting.extensions import db
from voting.models import Contract, Event, Holding, Organisation, Vote
from voting.services import layout, tallies
from voting.services.interests import declared_pairs
from voting.timefmt import iso


def _positions(
    event: Event, orgs: dict[int, str], contracts: dict[int, str]
) -> tuple[dict[tuple[str, str], Position], dict[str, list[int]]]:
    votes: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for contract_id, org_id, delegate_id, level in counted_votes(event):
        votes[(contract_id, org_id)][delegate_id] = level
    resolutions = tallies.resolutions(event.id)
    positions = {}
    delegate_votes: dict[str, list[int]] = defaultdict(list)
    for (contract_id, org_id), by_delegate in votes.items():
        key = (orgs[org_id], contracts[contract_id])
        settlement = resolutions.get((contract_id, org_id))
        levels = list(by_delegate.values())
        positions[key] = combine_votes(levels, event.rule, settlement, fingerprint(by_delegate))
        delegate_votes[contracts[contract_id]].extend(levels)
    return positions, delegate_votes


def counted_votes(event: Event, contract_id: int | None = None) -> list[tuple[int, int, int, int]]:
    """(contract, organisation, delegate, level) of every vote that counts: not a removed delegate's, and not
    one left out for a declared interest (when the event leaves those out)."""
    excluded = declared_pairs(event.id) if event.exclude_declared else set()
    revoked = tallies.revoked_delegates(event.id)
    query = select(Vote.contract_id, Vote.organisation_id, Vote.delegate_id, Vote.level).where(
        Vote.event_id == event.id
    )
    if contract_id is not None:
        query = query.where(Vote.contract_id == contract_id)
    return [
        (contract, org, delegate, level)
        for contract, org, delegate, level in db.session.execute(query)
        if (delegate, contract) not in excluded and delegate not in revoked
    ]


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
    """Everything a projector (or, with for_console, the facilitator's console) shows.

    Built from the event's kept layout and live tally, so no vote is read twice: one pass over the
    CCGs x contracts. It says what event_matrix, built from every vote, says (test_tallies.py).
    """
    shape = layout.current(event)
    tally = tallies.current(event)
    cells = {org_id: list(blank) for org_id, blank in shape.blank_rows.items()}
    held: dict[int, dict[str, Position]] = defaultdict(dict)  # per contract: its holders' positions
    for (contract_id, org_id), label in tally.labels.items():
        if (contract_id, org_id) in shape.held:  # a position where nobody holds the contract is left out
            cells[org_id][shape.column[contract_id]] = label
            held[contract_id][shape.orgs[shape.row[org_id]][1]] = tally.positions[(contract_id, org_id)]
    rows = [{"code": code, "name": name, "cells": cells[org_id]} for org_id, code, name in shape.orgs]
    state: dict[str, Any] = {
        "event": {"id": event.id, "name": event.name, "join_code": event.join_code},
        "levels": {str(level): label for level, label in LEVELS.items()},
        "contracts": [_contract_state(c, shape, tally, held[c.id]) for c in shape.contracts],
        "open": [c.code for c in shape.contracts if c.status == ContractState.OPEN],
        "matrix": {"columns": [c.code for c in shape.contracts], "rows": rows},
    }
    if for_console:
        state["organisations"] = _organisations(shape, rows)
        state["pending"] = shape.pending_list()
        splits = sorted(
            (shape.row[org_id], shape.column[contract_id], tally.positions[(contract_id, org_id)])
            for contract_id, org_id in tally.splits
            if (contract_id, org_id) in shape.held
        )
        state["splits"] = [
            {
                "contract": shape.contracts[column].code,
                "organisation": shape.orgs[row][1],
                "levels": list(p.levels),
            }
            for row, column, p in splits
        ]
    return state


def _contract_state(
    contract: layout.ContractInfo, shape: layout.Layout, tally: tallies.Counts, held: dict[str, Position]
) -> dict[str, Any]:
    summary = summarise_contract(held, shape.holder_codes[contract.id])
    return {
        "code": contract.code,
        "name": contract.name,
        "status": contract.status,
        "holders": summary.holders,
        "voted": summary.voted,
        "turnout": round(summary.turnout, 3),
        "counts": {str(level): n for level, n in summary.counts.items()},
        "split": summary.split,
        "modal": summary.modal_label,
        "votes": {str(level): n for level, n in tally.level_counts(contract.id).items()},
        "results_hidden": contract.results_hidden,
        "closes_at": iso(contract.closes_at),
    }


def _organisations(shape: layout.Layout, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per CCG: admitted delegates, and how many of the open contracts it holds it has voted on."""
    open_columns = [i for i, c in enumerate(shape.contracts) if c.status == ContractState.OPEN]
    organisations = []
    for (org_id, code, name), row in zip(shape.orgs, rows, strict=True):
        held_open = [row["cells"][i] for i in open_columns if row["cells"][i] != NA]
        organisations.append(
            {
                "code": code,
                "name": name,
                "delegates": shape.active.get(org_id, 0),
                "open_held": len(held_open),
                "open_voted": sum(1 for cell in held_open if cell != ""),
            }
        )
    return organisations


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
            "round": contract.vote_round,  # a phone's vote from an earlier round no longer counts
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
            poll_state(poll, with_results=False)
            for poll in event_polls(event.id)
            if poll.status == PollState.OPEN
        ],
    }
