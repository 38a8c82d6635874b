"""Casting a vote: the one path from a phone (or the facilitator) to the matrix."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from voting.domain.levels import parse_level
from voting.extensions import db
from voting.models import Contract, Delegate, Holding, Vote, VoteAudit
from voting.models.base import utcnow
from voting.models.delegate import ACTIVE, PENDING
from voting.realtime.publish import publisher
from voting.services import ServiceError
from voting.timefmt import clock

log = logging.getLogger(__name__)

VOTE_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True)
class VoteResult:
    contract: str
    level: int
    duplicate: bool  # True when this vote_id had already been recorded


def _refuse_if_cannot_vote(delegate: Delegate) -> None:
    if delegate.status == PENDING:
        raise ServiceError("The facilitator has not admitted you yet. Please wait a moment.", 403)
    if delegate.status != ACTIVE:
        raise ServiceError("This voting link has been withdrawn. Please ask the facilitator for help.", 403)


def _already_recorded(delegate: Delegate, vote_id: str, contract: str, level: int) -> VoteResult | None:
    audit = db.session.scalar(
        select(VoteAudit).where(VoteAudit.delegate_id == delegate.id, VoteAudit.vote_id == vote_id)
    )
    if audit is None:
        return None
    recorded = db.session.get(Contract, audit.contract_id)
    if recorded is None or recorded.code != contract or audit.new_level != level:
        raise ServiceError("This vote was already sent with a different choice. Please vote again.", 409)
    return VoteResult(contract=contract, level=level, duplicate=True)


def _open_contract_held(delegate: Delegate, code: str) -> Contract:
    contract = db.session.scalar(
        select(Contract).where(Contract.event_id == delegate.event_id, Contract.code == code)
    )
    if contract is None:
        raise ServiceError(f"There is no contract {code} in this event.", 422)
    if db.session.get(Holding, (contract.id, delegate.organisation_id)) is None:
        raise ServiceError(
            f"Your CCG does not hold contract {code} ({contract.name}), so it is not voting on it.", 422
        )
    if contract.status == "ready":
        raise ServiceError(f"Voting on contract {code} has not opened yet.", 423)
    if contract.status == "open" and contract.closes_at is not None and contract.closes_at <= utcnow():
        # The countdown ran out; the timer may not have flipped the status yet. The server's clock decides.
        raise ServiceError(
            f"Voting on contract {code} closed at {clock(contract.closes_at, seconds=True)}. Your vote was not counted.",
            423,
        )
    if contract.status != "open":
        closed = f" at {clock(contract.closed_at)}" if contract.closed_at else ""
        raise ServiceError(f"Voting on contract {code} closed{closed}. Your vote was not counted.", 423)
    return contract


def cast_vote(
    delegate: Delegate,
    contract_code: object,
    raw_level: object,
    vote_id: object,
    entered_by: str = "delegate",
) -> VoteResult:
    """Record a delegate's level on an open contract, once per vote_id, committed before returning."""
    if not isinstance(vote_id, str) or not VOTE_ID.fullmatch(vote_id):
        raise ServiceError(
            "The vote could not be read (missing or malformed vote id). Please try again.", 422
        )
    code = str(contract_code or "").strip()
    level = parse_level(raw_level)
    if level is None:
        raise ServiceError("Choose one of the five levels, 1 to 5.", 422)
    _refuse_if_cannot_vote(delegate)
    duplicate = _already_recorded(delegate, vote_id, code, level)
    if duplicate is not None:
        db.session.rollback()
        return duplicate
    contract = _open_contract_held(delegate, code)
    vote = db.session.scalar(
        select(Vote).where(Vote.contract_id == contract.id, Vote.delegate_id == delegate.id)
    )
    old_level = vote.level if vote else None
    if vote is None:
        vote = Vote(
            event_id=delegate.event_id,
            contract_id=contract.id,
            delegate_id=delegate.id,
            organisation_id=delegate.organisation_id,
            level=level,
        )
        db.session.add(vote)
    else:
        vote.level = level
        vote.updated_at = utcnow()
    db.session.add(
        VoteAudit(
            event_id=delegate.event_id,
            contract_id=contract.id,
            delegate_id=delegate.id,
            vote_id=vote_id,
            old_level=old_level,
            new_level=level,
            entered_by=entered_by,
        )
    )
    event_id = delegate.event_id
    try:
        db.session.commit()
    except IntegrityError:
        # A concurrent copy of the same vote (two tabs, a resend) won the race: answer as it was answered.
        db.session.rollback()
        duplicate = _already_recorded(delegate, vote_id, code, level)
        if duplicate is None:
            raise
        return duplicate
    log.info("vote recorded: event %s contract %s delegate %s", event_id, code, delegate.id)
    publisher.votes_changed(event_id)
    return VoteResult(contract=code, level=level, duplicate=False)


def own_votes(delegate: Delegate) -> dict[str, int]:
    """The delegate's current level per contract code."""
    rows = db.session.execute(
        select(Contract.code, Vote.level)
        .join(Vote, Vote.contract_id == Contract.id)
        .where(Vote.delegate_id == delegate.id)
    )
    return {code: level for code, level in rows}
