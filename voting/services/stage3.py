"""Stage 3 "Are we sure?": each CCG confirms or amends its positions beside its neighbours'."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from voting.domain import disagreement, flags
from voting.domain.aggregation import combine_votes
from voting.domain.levels import parse_level
from voting.domain.states import ContractState, Stage
from voting.errors import Closed, Invalid, NotAllowed
from voting.extensions import db
from voting.models import (
    Confirmation,
    Contract,
    Delegate,
    Event,
    Holding,
    Neighbour,
    Organisation,
    StageVersion,
)
from voting.models.stage import INDICATIVE
from voting.realtime.publish import publisher
from voting.services.contracts import open_contracts, select_contracts
from voting.services.facilitation import reset_contract
from voting.services.log import record
from voting.services.snapshots import event_matrix
from voting.services.tallies import revoked_delegates

Cells = dict[tuple[str, str], str]


def _matrix_payload(event: Event) -> dict[str, Any]:
    matrix, _positions, _votes = event_matrix(event)
    return {
        "columns": [{"code": c.code, "name": c.name} for c in matrix.columns],
        "rows": [{"code": r.code, "name": r.name, "cells": matrix.row_labels(r.code)} for r in matrix.rows],
    }


def indicative_payload(event: Event) -> dict[str, Any]:
    """The Stage 2 result as it stands: the matrix of CCG positions."""
    return _matrix_payload(event)


def payload_cells(payload: dict[str, Any]) -> Cells:
    """(org, contract) -> cell, from a frozen matrix payload."""
    codes = [c["code"] for c in payload["columns"]]
    return {
        (row["code"], code): cell
        for row in payload["rows"]
        for code, cell in zip(codes, row["cells"], strict=True)
    }


@dataclass
class Working:
    """The Stage 3 matrix as it stands, with who confirmed or amended what."""

    version: StageVersion
    payload: dict[str, Any]
    cells: Cells
    status: dict[tuple[str, str], str] = field(default_factory=dict)  # confirmed | amended
    split: dict[tuple[str, str], str] = field(default_factory=dict)  # cells whose delegates disagree: "2/3"
    changes: list[dict[str, Any]] = field(default_factory=list)


def working(event: Event) -> Working:
    """The indicative matrix, with re-run contracts' new votes and each CCG's confirmations applied."""
    version = _indicative(event)
    payload = json.loads(version.payload)
    base = payload_cells(payload)
    cells = dict(base)
    contracts = {c.id: c for c in db.session.scalars(select(Contract).where(Contract.event_id == event.id))}
    reruns = {c.code for c in contracts.values() if c.rerun_stage == Stage.CONFIRMING}
    if reruns:
        live, _positions, _votes = event_matrix(event)
        for (org, code), cell in live.cells.items():
            if code in reruns and (org, code) in cells:
                cells[(org, code)] = cell
    orgs = dict(
        db.session.execute(
            select(Organisation.id, Organisation.code).where(Organisation.event_id == event.id)
        ).all()
    )
    result = Working(version=version, payload=payload, cells=cells)
    revoked = revoked_delegates(event.id)
    # Each delegate's latest answer per cell; a removed delegate's answers no longer count.
    latest: dict[tuple[str, str], dict[int | None, Confirmation]] = defaultdict(dict)
    for confirmation in db.session.scalars(
        select(Confirmation).where(Confirmation.version_id == version.id).order_by(Confirmation.id)
    ):
        contract = contracts.get(confirmation.contract_id)
        if contract is None or confirmation.organisation_id not in orgs:
            continue
        if contract.code in reruns and contract.opened_at and confirmation.at < contract.opened_at:
            continue  # made before the re-run: the new vote replaced what it confirmed
        if confirmation.delegate_id in revoked or confirmation.level is None:
            continue
        latest[(orgs[confirmation.organisation_id], contract.code)][confirmation.delegate_id] = confirmation
    for key, answers in latest.items():
        # The CCG's answer combines its delegates' as its vote did: plurality, a tie is a split
        # (shown as "2/3", with the cell's flag left open), never the last one to press.
        position = combine_votes(a.level for a in answers.values() if a.level is not None)
        cells[key] = position.label
        if position.is_split:
            result.split[key] = position.label
            continue
        winners = [a for a in answers.values() if a.level == position.level]
        result.status[key] = "confirmed" if all(a.action == "confirm" for a in winners) else "amended"
    for key, status in result.status.items():
        if status == "amended" and cells[key] != base.get(key):
            result.changes.append(
                {"organisation": key[0], "contract": key[1], "from": base.get(key, ""), "to": cells[key]}
            )
    return result


def indicative_version(event: Event) -> StageVersion | None:
    """The latest frozen indicative matrix (stage 2's result), or None before stage 2 was finished."""
    return db.session.scalar(
        select(StageVersion)
        .where(StageVersion.event_id == event.id, StageVersion.kind == INDICATIVE)
        .order_by(StageVersion.number.desc())
        .limit(1)
    )


def _indicative(event: Event) -> StageVersion:
    version = indicative_version(event)
    if version is None:
        raise Invalid("There is no indicative matrix yet: finish stage 2 first.")
    return version


def neighbours_of(event: Event) -> dict[str, set[str]]:
    """The neighbour relation, both directions."""
    codes = dict(
        db.session.execute(
            select(Organisation.id, Organisation.code).where(Organisation.event_id == event.id)
        ).all()
    )
    result: dict[str, set[str]] = defaultdict(set)
    for a, b in db.session.execute(
        select(Neighbour.organisation_id, Neighbour.neighbour_id).where(
            Neighbour.organisation_id.in_(list(codes))
        )
    ):
        result[codes[a]].add(codes[b])
        result[codes[b]].add(codes[a])
    return dict(result)


def flags_for(event: Event, state: Working) -> tuple[list[flags.Flag], list[flags.Flag]]:
    """(all flags, open flags): a flag is open until its CCG confirms or amends that position."""
    orgs = [row["code"] for row in state.payload["rows"]]
    contracts = [c["code"] for c in state.payload["columns"]]
    names = {row["code"]: row["name"] for row in state.payload["rows"]}
    found = flags.compute_flags(state.cells, orgs, contracts, neighbours_of(event), names)
    return found, [f for f in found if (f.org, f.contract) not in state.status]


def confirmed_payload(event: Event) -> dict[str, Any]:
    """The Stage 3 result: the confirmed matrix and every change from the indicative one, with reasons."""
    state = working(event)
    reasons = _latest_reasons(event, state.version)
    codes = [c["code"] for c in state.payload["columns"]]
    return {
        "indicative_version": state.version.number,
        "columns": state.payload["columns"],
        "rows": [
            {**row, "cells": [state.cells[(row["code"], code)] for code in codes]}
            for row in state.payload["rows"]
        ],
        "changes": [
            {**change, "reason": reasons.get((change["organisation"], change["contract"]), "")}
            for change in state.changes
        ],
    }


def _latest_reasons(event: Event, version: StageVersion) -> dict[tuple[str, str], str]:
    rows = db.session.execute(
        select(Organisation.code, Contract.code, Confirmation.reason)
        .join(Organisation, Organisation.id == Confirmation.organisation_id)
        .join(Contract, Contract.id == Confirmation.contract_id)
        .where(Confirmation.version_id == version.id, Confirmation.action == "amend")
        .order_by(Confirmation.id)
    )
    return {(org, contract): reason for org, contract, reason in rows}


def confirm(
    delegate: Delegate, contract_code: str, action: str, raw_level: object = None, reason: str = ""
) -> None:
    """A delegate confirms their CCG's position on a contract as it is, or amends it with a short reason.

    Each delegate's answer is kept; the CCG's position combines its delegates' (`working`), so two
    delegates answering differently make a split, not whichever pressed last.
    """
    event = db.session.get(Event, delegate.event_id)
    assert event is not None
    if event.stage != Stage.CONFIRMING:
        raise Closed('Positions are confirmed at stage 3, "Are we sure?".')
    if delegate.status != "active":
        raise NotAllowed("Only admitted delegates can confirm their CCG's positions.")
    contract = db.session.scalar(
        select(Contract).where(Contract.event_id == event.id, Contract.code == contract_code)
    )
    if contract is None or db.session.get(Holding, (contract.id, delegate.organisation_id)) is None:
        raise Invalid(f"Your CCG does not hold contract {contract_code}.")
    if contract.status == ContractState.OPEN:
        raise Closed(f"Contract {contract_code} is being voted on again: vote on it instead.")
    state = working(event)
    current = state.cells.get((delegate.organisation.code, contract.code), "")
    reason = " ".join((reason or "").split())
    if action == "confirm":
        level = parse_level(current)
        if level is None:
            raise Invalid(
                f"Your CCG has no single position on contract {contract_code}: choose a level and give a reason."
            )
    elif action == "amend":
        level = parse_level(raw_level)
        if level is None:
            raise Invalid("Choose one of the five levels, 1 to 5.")
        if len(reason) < 3:
            raise Invalid("Give a short reason for the change, for example 'no neighbour wants a cluster'.")
        if len(reason) > 500:
            raise Invalid("Keep the reason to 500 characters or fewer.")
    else:
        raise Invalid("Choose confirm or amend.")
    db.session.add(
        Confirmation(
            event_id=event.id,
            version_id=state.version.id,
            contract_id=contract.id,
            organisation_id=delegate.organisation_id,
            delegate_id=delegate.id,
            action=action,
            level=level,
            reason=reason,
        )
    )
    record(
        event.id,
        action,
        f"{delegate.organisation.code} contract {contract.code}: {current or '-'} -> {level} {reason}",
        actor="delegate",
    )
    db.session.commit()
    publisher.contracts_changed(event.id)


def rerun(event: Event, contract_code: str) -> None:
    """Vote on one contract again during stage 3: its votes are reset (audited) and it opens."""
    if event.stage != Stage.CONFIRMING:
        raise Invalid("A vote is re-run during stage 3.")
    (contract,) = select_contracts(event, [contract_code])  # 404 for an unknown code; " 7" finds "7"
    reset_contract(event, contract.code)
    contract.rerun_stage = Stage.CONFIRMING.value
    db.session.commit()
    open_contracts(event, [contract.code], rerun=True)


def console_extras(event: Event) -> dict[str, Any]:
    """Open flags (falling live), contracts ranked by disagreement, value-weighted results."""
    state = working(event)
    everything, open_flags = flags_for(event, state)
    orgs = [row["code"] for row in state.payload["rows"]]
    contracts = [c["code"] for c in state.payload["columns"]]
    ranking = disagreement.rank_contracts(state.cells, orgs, contracts)
    return {
        "stage3": {
            "indicative_version": state.version.number,
            "flags_total": len(everything),
            "flags_open": len(open_flags),
            "open_flags": [
                {"organisation": f.org, "contract": f.contract, "kind": f.kind, "message": f.message}
                for f in open_flags
            ],
            "ranking": [
                {"contract": r.contract, "score": round(float(r.score), 3), "explanation": r.explanation}
                for r in ranking
            ],
            "weighted": _weighted(event, state.cells, contracts),
            "confirmed": sum(1 for s in state.status.values() if s == "confirmed"),
            "amended": sum(1 for s in state.status.values() if s == "amended"),
            # CCGs whose delegates confirmed or amended differently: shown split, flag left open.
            "split": [
                {"organisation": org, "contract": contract, "levels": label}
                for (org, contract), label in sorted(state.split.items())
            ],
            "matrix": {
                "columns": contracts,
                "rows": [
                    {
                        "code": r["code"],
                        "name": r["name"],
                        "cells": [state.cells[(r["code"], c)] for c in contracts],
                    }
                    for r in state.payload["rows"]
                ],
            },
        }
    }


def _weighted(event: Event, cells: Cells, contracts: list[str]) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for code, org, pence in db.session.execute(
        select(Contract.code, Organisation.code, Holding.value_pence)
        .join(Holding, Holding.contract_id == Contract.id)
        .join(Organisation, Organisation.id == Holding.organisation_id)
        .where(Contract.event_id == event.id)
    ):
        values[code][org] = Decimal(pence) / 100
    result = {}
    for code in contracts:
        positions = {
            org: int(cells[(org, code)]) for org in values[code] if cells.get((org, code), "").isdigit()
        }
        weights = disagreement.weighted_counts(positions, {org: values[code][org] for org in positions})
        result[code] = {
            str(level): {"ccgs": w.count, "value_share": round(float(w.share), 4)}
            for level, w in weights.items()
        }
    return result


def phone_view(
    event: Event, organisation: Organisation, state: Working, open_flags: list[flags.Flag]
) -> dict[str, Any]:
    """A CCG's own row beside its neighbours' rows, with its flags and what it has confirmed."""
    contracts = [c["code"] for c in state.payload["columns"]]
    view = flags.neighbour_view(state.cells, organisation.code, neighbours_of(event), contracts)
    names = {row["code"]: row["name"] for row in state.payload["rows"]}
    return {
        "contracts": list(view.contracts),
        "rows": [
            {"code": r.org, "name": names.get(r.org, r.org), "self": r.is_self, "cells": list(r.cells)}
            for r in view.rows
        ],
        "flags": [
            {"contract": f.contract, "kind": f.kind, "message": f.message}
            for f in open_flags
            if f.org == organisation.code
        ],
        "status": {
            contract: status for (org, contract), status in state.status.items() if org == organisation.code
        },
    }
