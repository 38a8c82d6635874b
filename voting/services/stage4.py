"""Stage 4 "So who and how will we make it work?": arrangements, co-ordinators, models, governance,
contributions and cost splits - and no orphan services."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from sqlalchemy import select

from voting.domain import collaborations as collab
from voting.domain import costs, governance, suggestions
from voting.domain.states import Stage
from voting.errors import Closed, Conflict, Invalid, NotAllowed, NotFound
from voting.extensions import db
from voting.models import (
    Arrangement,
    ArrangementBallot,
    ArrangementMember,
    Contract,
    Delegate,
    Event,
    Holding,
    Organisation,
)
from voting.models.base import utcnow
from voting.models.delegate import ACTIVE
from voting.models.stage import CONFIRMED, StageVersion
from voting.realtime.publish import publisher
from voting.services import stage4_ballots as ballots
from voting.services.activity import member_activity_shares
from voting.services.log import record
from voting.services.stage3 import neighbours_of, payload_cells

CSS = "CSS"


def confirmed_version(event: Event) -> StageVersion | None:
    """The latest frozen confirmed matrix (stage 3's result), or None before stage 3 was finished."""
    return db.session.scalar(
        select(StageVersion)
        .where(StageVersion.event_id == event.id, StageVersion.kind == CONFIRMED)
        .order_by(StageVersion.number.desc())
        .limit(1)
    )


def _confirmed(event: Event) -> StageVersion:
    version = confirmed_version(event)
    if version is None:
        raise Invalid("There is no confirmed matrix yet: finish stage 3 first.")
    return version


def _codes(event: Event) -> tuple[dict[int, str], dict[str, int]]:
    rows = db.session.execute(
        select(Organisation.id, Organisation.code).where(Organisation.event_id == event.id)
    ).all()
    return {i: c for i, c in rows}, {c: i for i, c in rows}


def create_from(event: Event, version: StageVersion) -> None:
    """Proposed arrangements from a confirmed matrix (in the caller's transaction)."""
    payload = json.loads(version.payload)
    orgs = [row["code"] for row in payload["rows"]]
    contracts = [c["code"] for c in payload["columns"]]
    proposals = collab.propose(payload_cells(payload), orgs, contracts, neighbours_of(event))
    _write(event, version, proposals, {})


def _write(
    event: Event, version: StageVersion, arrs: list[collab.Arrangement], kept: dict[str, Arrangement]
) -> None:
    _ids, org_ids = _codes(event)
    contract_ids = dict(
        db.session.execute(select(Contract.code, Contract.id).where(Contract.event_id == event.id)).all()
    )
    for arr in arrs:
        row = kept.get(arr.key)
        if row is None:
            row = Arrangement(
                event_id=event.id,
                version_id=version.id,
                contract_id=contract_ids[arr.contract],
                key=arr.key,
                level=arr.level,
            )
            db.session.add(row)
            db.session.flush()
        members = {
            m.organisation_id: m
            for m in db.session.scalars(
                select(ArrangementMember).where(ArrangementMember.arrangement_id == row.id)
            )
        }
        wanted = {org_ids[code] for code in arr.members}
        for org_id, member in members.items():
            if org_id not in wanted:
                db.session.delete(member)
        for org_id in wanted - set(members):
            db.session.add(ArrangementMember(arrangement_id=row.id, organisation_id=org_id))


def _rows(event: Event) -> tuple[StageVersion, list[Arrangement]]:
    version = _confirmed(event)
    rows = list(
        db.session.scalars(
            select(Arrangement).where(Arrangement.version_id == version.id).order_by(Arrangement.id)
        )
    )
    return version, rows


def load(event: Event) -> list[collab.Arrangement]:
    """The current arrangements as domain objects."""
    _version, rows = _rows(event)
    codes, _ = _codes(event)
    contract_codes = dict(
        db.session.execute(select(Contract.id, Contract.code).where(Contract.event_id == event.id)).all()
    )
    members: dict[int, list[str]] = defaultdict(list)
    for arrangement_id, org_id in db.session.execute(
        select(ArrangementMember.arrangement_id, ArrangementMember.organisation_id).where(
            ArrangementMember.arrangement_id.in_([r.id for r in rows])
        )
    ):
        members[arrangement_id].append(codes[org_id])
    return [
        collab.Arrangement(contract_codes[r.contract_id], r.level, tuple(sorted(members[r.id])), r.key)
        for r in rows
    ]


def edit(event: Event, operation: str, **arguments: Any) -> None:
    """Move a CCG between groups, merge two groups or split one; then save the result."""
    if event.stage != Stage.ARRANGING:
        raise Invalid("Arrangements are edited at stage 4.")
    current = load(event)
    try:
        if operation == "move":
            contract, org = str(arguments.get("contract", "")), str(arguments.get("organisation", ""))
            if contract not in holders(event):
                raise NotFound(f"There is no contract {contract} in this event.")
            if org not in _codes(event)[1]:
                raise NotFound(f"There is no CCG {org} in this event.")
            changed = collab.move(current, contract, org, arguments.get("to") or None)
        elif operation == "merge":
            changed = collab.merge(current, str(arguments.get("key", "")), str(arguments.get("other", "")))
        elif operation == "split":
            members = arguments.get("members", [])
            if not isinstance(members, list):
                raise Invalid("Give the CCGs for the new group as a list of codes.")
            changed = collab.split(current, str(arguments.get("key", "")), [str(m) for m in members])
        else:
            raise Invalid("Choose move, merge or split.")
    except (collab.UnknownArrangement, collab.ChangeRefused) as error:
        # The domain's own sentence (str() of a KeyError would quote it); never a library's message.
        message = str(error.args[0]) if error.args else ""
        raise Invalid(message or "That change is not possible.") from None
    version, rows = _rows(event)
    by_key = {row.key: row for row in rows}
    surviving = {arr.key for arr in changed}
    for key, row in by_key.items():
        if key not in surviving:
            db.session.delete(row)
    db.session.flush()
    _write(event, version, changed, {k: v for k, v in by_key.items() if k in surviving})
    record(event.id, f"arrangement_{operation}", json.dumps(arguments, default=str))
    db.session.commit()
    publisher.contracts_changed(event.id)


def holders(event: Event) -> dict[str, set[str]]:
    """Contract code -> codes of the CCGs that hold it."""
    result: dict[str, set[str]] = defaultdict(set)
    for contract, org in db.session.execute(
        select(Contract.code, Organisation.code)
        .join(Holding, Holding.contract_id == Contract.id)
        .join(Organisation, Organisation.id == Holding.organisation_id)
        .where(Contract.event_id == event.id)
    ):
        result[contract].add(org)
    return dict(result)


def problems(event: Event) -> list[collab.Problem]:
    """Every gap and contradiction; finalising waits until there are none."""
    names = dict(
        db.session.execute(
            select(Organisation.code, Organisation.name).where(Organisation.event_id == event.id)
        ).all()
    )
    return collab.check(load(event), holders(event), names)


def arrangement(event: Event, key: str) -> Arrangement:
    """One arrangement of the current confirmed version, by key."""
    _version, rows = _rows(event)
    for row in rows:
        if row.key == key:
            return row
    raise NotFound(f"There is no arrangement {key}.")


def rule_of(row: Arrangement) -> governance.Rule:
    """The arrangement's decision rule as a domain object."""
    whole = row.quorum.isascii() and row.quorum.isdigit()  # "²" is a digit to isdigit(), not to int()
    quorum: int | Fraction = int(row.quorum) if whole else Fraction(row.quorum)
    return governance.Rule(
        row.rule_kind, Fraction(row.rule_threshold), row.rule_at_least, quorum, row.majority_binds_all
    )


def _number(text: str) -> Fraction | None:
    """A fraction such as 2/3 or a whole number, or None when the text is not one."""
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):  # "abc", "1/0": said in our own words by the caller
        return None


def _rule_problem(row: Arrangement) -> str | None:
    """What is wrong with the arrangement's decision rule, in the facilitator's words; None if nothing."""
    if _number(row.rule_threshold) is None:
        return "give the majority threshold as a fraction such as 2/3"
    if _number(row.quorum) is None:
        return "give the quorum as a whole number of members or a fraction such as 1/2"
    try:
        rule_of(row)
    except governance.RuleError as error:  # the domain's own sentence, never a library's message
        return str(error)
    return None


def update(event: Event, key: str, fields: dict[str, Any]) -> None:
    """Set the co-ordinator, the model, the decision rule and quorum, or the cost split method."""
    row = arrangement(event, key)
    members = set(_member_codes(row))
    if "coordinator" in fields:
        coordinator = str(fields["coordinator"])
        if coordinator not in members and coordinator not in (CSS, ""):
            raise Invalid("The co-ordinator must be a member CCG or a commissioning support service (CSS).")
        row.coordinator = coordinator
    if "model" in fields:
        model = fields["model"]
        if not isinstance(model, str) or (model not in suggestions.MODELS and model != ""):
            raise Invalid("Choose one of the six models of technical appendix 2.")
        row.model = str(fields["model"])
    for name in ("rule_kind", "rule_threshold", "quorum", "on_disagreement", "cost_method"):
        if name in fields:
            setattr(row, name, str(fields[name]).strip())
    for name in ("rule_at_least", "majority_binds_all"):
        if name in fields:
            setattr(row, name, bool(fields[name]))
    if any(len(value) > 32 or "e" in value.lower() for value in (row.rule_threshold, row.quorum)):
        # Fraction("1e-999999999") would build a number with a billion digits: refuse exponents.
        db.session.rollback()
        raise Invalid("That decision rule is not valid: give fractions such as 2/3 and whole numbers.")
    sentence = _rule_problem(row)
    if sentence is not None:
        db.session.rollback()
        raise Invalid(f"That decision rule is not valid: {sentence}.")
    if row.cost_method not in costs.METHODS:
        db.session.rollback()
        raise Invalid("Split costs by value share, equally, or by custom percentages.")
    record(event.id, "arrangement_update", f"{key} {json.dumps(fields, default=str)}")
    db.session.commit()
    publisher.contracts_changed(event.id)


def _member_codes(row: Arrangement) -> list[str]:
    return list(
        db.session.scalars(
            select(Organisation.code)
            .join(ArrangementMember, ArrangementMember.organisation_id == Organisation.id)
            .where(ArrangementMember.arrangement_id == row.id)
            .order_by(Organisation.code)
        )
    )


def contribute(
    event: Event, key: str, organisation: str, role: str, days: str, notes: str, percent: str = ""
) -> None:
    """A member records what it contributes (expertise or capacity) and, for custom splits, its percentage."""
    row = arrangement(event, key)
    org = db.session.scalar(
        select(Organisation).where(Organisation.event_id == event.id, Organisation.code == organisation)
    )
    member = db.session.get(ArrangementMember, (row.id, org.id)) if org else None
    if member is None:
        raise NotFound(f"{organisation} is not a member of arrangement {key}.")
    if percent:
        try:
            value = Decimal(percent)
            if value < 0:  # NaN raises InvalidOperation here too
                raise InvalidOperation
        except InvalidOperation:
            raise Invalid("The percentage must be a number of 0 or more.") from None
        # Infinity, 1e999999999 or 1e-999999999 would be stored and then break (or stall) the cost split.
        # The column holds 20 characters: "000000000000000000001" is 1, but too long to keep as typed.
        if value > 100 or value != value.quantize(Decimal("0.000001")) or len(percent.strip()) > 20:
            raise Invalid("The percentage must be from 0 to 100, with at most 6 decimal places.")
    member.contribution_role, member.contribution_days = role.strip()[:200], days.strip()[:20]
    member.contribution_notes, member.cost_percent = notes.strip()[:1000], percent.strip()
    record(event.id, "contribution", f"{key} {organisation}")
    db.session.commit()
    publisher.contracts_changed(event.id)


def cast_ballot(delegate: Delegate, key: str, topic: str, ballot: str) -> governance.Decision:
    """A delegate of a member CCG votes yes, no or abstain, for their CCG, on its arrangement's proposed
    co-ordinator or model. Returns the members' decision; `ballot_view` says where the CCG stands."""
    event = db.session.get(Event, delegate.event_id)
    assert event is not None
    if delegate.status != ACTIVE:
        raise NotAllowed("Only admitted delegates can vote on their CCG's arrangements.")
    if event.stage != Stage.ARRANGING:
        raise Closed("Arrangements are voted on at stage 4.")
    row = arrangement(event, key)
    if topic not in ("coordinator", "model"):
        raise Invalid("Vote on the co-ordinator or the model.")
    proposal = row.coordinator if topic == "coordinator" else row.model
    if not proposal:
        raise Conflict(f"No {topic} has been proposed for this arrangement yet.")
    if delegate.organisation.code not in _member_codes(row):
        raise NotAllowed("Only member CCGs vote on their arrangement.")
    if ballot not in governance.BALLOTS:
        raise Invalid("Vote yes, no or abstain.")
    existing = db.session.scalar(
        select(ArrangementBallot).where(
            ArrangementBallot.arrangement_id == row.id,
            ArrangementBallot.topic == topic,
            ArrangementBallot.delegate_id == delegate.id,
        )
    )
    # One ballot per delegate: two delegates of one CCG no longer overwrite each other; the CCG's
    # ballot is their combination (stage4_ballots), a split when they are tied.
    if existing is None:
        db.session.add(
            ArrangementBallot(
                arrangement_id=row.id,
                topic=topic,
                proposal=proposal,
                organisation_id=delegate.organisation_id,
                ballot=ballot,
                delegate_id=delegate.id,
            )
        )
    else:
        existing.proposal, existing.ballot, existing.at = proposal, ballot, utcnow()
    record(
        event.id,
        "arrangement_ballot",
        f"{key} {topic}={proposal} {delegate.organisation.code} delegate {delegate.id}: {ballot}",
        actor="delegate",
    )
    db.session.commit()
    publisher.contracts_changed(event.id)
    return decision(row, topic)


def decision(row: Arrangement, topic: str) -> governance.Decision:
    """The members' decision on the current proposal, under the arrangement's rule and quorum.

    Each member CCG's ballot combines its delegates'; a split CCG counts neither way (governance.decide).
    """
    combined = ballots.ccg_ballots(row, topic)
    settled = {code: choices[0] for code, choices in combined.items() if len(choices) == 1}
    split = {code for code, choices in combined.items() if len(choices) > 1}
    members = set(_member_codes(row))
    return governance.decide(rule_of(row), members or {"-"}, settled, split)


def ballot_view(delegate: Delegate, key: str, topic: str) -> dict[str, Any]:
    """The delegate's own ballot and their CCG's combined one (split when its delegates are tied)."""
    event = db.session.get(Event, delegate.event_id)
    assert event is not None
    row = arrangement(event, key)
    code = delegate.organisation.code
    choices = ballots.ccg_ballots(row, topic).get(code, ())
    return {
        "your_vote": ballots.own_ballot(delegate, row, topic),
        "ccg": {"ballot": list(choices), "split": len(choices) > 1, "text": ballots.position_text(choices)},
    }


def _values(row: Arrangement, members: list[str]) -> dict[str, Decimal]:
    values = {
        code: Decimal(pence) / 100
        for code, pence in db.session.execute(
            select(Organisation.code, Holding.value_pence)
            .join(Organisation, Organisation.id == Holding.organisation_id)
            .where(Holding.contract_id == row.contract_id)
        )
    }
    return {m: values.get(m, Decimal(0)) for m in members}


def describe(event: Event, row: Arrangement) -> dict[str, Any]:
    """Everything known about one arrangement: members and shares, suggestions, rule, decisions, costs."""
    members = _member_codes(row)
    values = _values(row, members)
    shares = suggestions.member_shares(values) if members else {}
    suggested_model, model_reason = suggestions.suggest_model(shares) if members else (None, "")
    details = {
        m.organisation_id: m
        for m in db.session.scalars(
            select(ArrangementMember).where(ArrangementMember.arrangement_id == row.id)
        )
    }
    _ids, org_ids = _codes(event)
    try:
        percents = {m: Decimal(details[org_ids[m]].cost_percent or "0") for m in members}
        split = costs.split_costs(Decimal(100), members, row.cost_method, values, percents) if members else {}
        cost_problem = ""
    except costs.SplitRefused as error:  # the domain's own sentence
        split, cost_problem = {}, str(error)
    except (
        ValueError,
        ArithmeticError,
    ):  # a stored percentage that is not a number: our words, not Decimal's
        split, cost_problem = {}, "The cost split could not be worked out: check the members' percentages."
    contract = db.session.get(Contract, row.contract_id)
    activity = (
        member_activity_shares(event.id, contract.provider_code, members)
        if contract and contract.provider_code
        else {}
    )
    return {
        "key": row.key,
        "contract": contract.code if contract else "",
        "level": row.level,
        "members": [
            {
                "organisation": m,
                "value_gbp": float(values[m]),
                "value_share": round(float(shares.get(m, 0)), 4),
                "activity_share": round(activity[m], 4) if m in activity else None,
                "cost_percent": float(split[m]) if m in split else None,
                "contribution": {
                    "role": details[org_ids[m]].contribution_role,
                    "days": details[org_ids[m]].contribution_days,
                    "notes": details[org_ids[m]].contribution_notes,
                },
            }
            for m in members
        ],
        "suggested_coordinator": suggestions.suggest_coordinator(shares) if shares else None,
        "suggested_model": suggested_model,
        "model_reason": model_reason,
        "coordinator": row.coordinator,
        "model": row.model,
        "rule": {
            "kind": row.rule_kind,
            "threshold": row.rule_threshold,
            "at_least": row.rule_at_least,
            "quorum": row.quorum,
            "majority_binds_all": row.majority_binds_all,
            "described": governance.describe(rule_of(row)),
            "on_disagreement": row.on_disagreement,
        },
        "decisions": {
            topic: {
                "passed": d.passed,
                "reason": d.reason,
                "positions": ballots.positions_payload(row, topic),
            }
            for topic in ("coordinator", "model")
            if (row.coordinator if topic == "coordinator" else row.model) and members
            for d in [decision(row, topic)]
        },
        "cost_method": row.cost_method,
        "cost_problem": cost_problem,
    }


def arrangements_payload(event: Event) -> dict[str, Any]:
    """The Stage 4 result: every arrangement in full."""
    version, rows = _rows(event)
    return {"confirmed_version": version.number, "arrangements": [describe(event, row) for row in rows]}


def console_extras(event: Event) -> dict[str, Any]:
    """Arrangements and the problems still to fix, for the console."""
    if confirmed_version(event) is None:
        return {}  # no confirmed matrix to work from yet
    payload = arrangements_payload(event)
    found = problems(event)
    confirmed = json.loads(_confirmed(event).payload)
    codes = [c["code"] for c in confirmed["columns"]]
    rows = [{"code": r["code"], "name": r["name"], "cells": r["cells"]} for r in confirmed["rows"]]
    return {
        "stage4": {
            **payload,
            "matrix": {"columns": codes, "rows": rows},
            "problems": [{"kind": p.kind, "contract": p.contract, "message": p.message} for p in found],
        }
    }
