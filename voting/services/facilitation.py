"""Facilitation controls: hide and reveal results, countdowns, resetting a contract, proxy votes."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from voting.db_setup import begin_read, begin_write
from voting.domain.states import (
    ContractState,
    Phase,
    PollState,
    guard_contract_countdown,
    guard_contract_reset,
    phase,
)
from voting.errors import Invalid
from voting.extensions import db
from voting.models import Contract, Event, Poll, Resolution, Vote, VoteAudit
from voting.models.base import utcnow
from voting.realtime.publish import publisher
from voting.services.contracts import select_contracts
from voting.services.log import record

log = logging.getLogger(__name__)

MAX_COUNTDOWN = 60 * 60


def set_results_hidden(event: Event, codes: list[str] | None, hidden: bool) -> list[str]:
    """Hide results from the projector (to avoid herding) or reveal them."""
    changed = []
    for contract in select_contracts(event, codes):
        if contract.results_hidden != hidden:
            contract.results_hidden = hidden
            changed.append(contract.code)
    record(event.id, "hide_results" if hidden else "reveal_results", ",".join(changed))
    db.session.commit()
    publisher.votes_changed(event.id)
    return changed


def start_countdown(event: Event, codes: list[str] | None, seconds: object) -> list[str]:
    """Close the (open) contracts by themselves after `seconds`; the server's clock decides."""
    closes_at = countdown_end(seconds)
    duration = int(str(seconds))
    chosen = select_contracts(event, codes)
    guard_contract_countdown([c.status for c in chosen])
    contracts = [c for c in chosen if c.status == ContractState.OPEN]
    for contract in contracts:
        contract.closes_at = closes_at
    record(event.id, "countdown", f"{duration}s {','.join(c.code for c in contracts)}")
    db.session.commit()
    publisher.contracts_changed(event.id)
    return [c.code for c in contracts]


def countdown_end(seconds: object) -> datetime:
    """When a countdown of `seconds` (5 s to an hour) started now ends, by the server's clock."""
    try:
        duration = int(str(seconds))
    except ValueError:
        raise Invalid("Give the countdown in whole seconds.") from None
    if not 5 <= duration <= MAX_COUNTDOWN:
        raise Invalid("A countdown must be between 5 seconds and an hour.")
    return utcnow() + timedelta(seconds=duration)


def _contracts_due(now: datetime) -> list[Contract]:
    """Open contracts whose countdown has passed (the rule is the domain's; SQL only narrows to countdowns)."""
    counting = db.session.scalars(
        select(Contract).where(Contract.status == ContractState.OPEN.value, Contract.closes_at.is_not(None))
    )
    return [c for c in counting if phase(c.status, c.closes_at, now) is Phase.TIMED_OUT]


def _polls_due(now: datetime) -> list[Poll]:
    """Open polls whose countdown has passed."""
    counting = db.session.scalars(
        select(Poll).where(Poll.status == PollState.OPEN.value, Poll.closes_at.is_not(None))
    )
    return [p for p in counting if phase(p.status, p.closes_at, now) is Phase.TIMED_OUT]


def _nothing_due(now: datetime) -> bool:
    """Look without the write lock first: the timer asks three times a second and nearly always finds
    nothing, and taking SQLite's write lock to find nothing would make it wait (blocking the event
    loop) whenever another process - a `voting` command, a backup - is writing."""
    if db.session().in_transaction():
        return False  # inside the caller's transaction: just do the work there
    begin_read()
    try:
        return not _contracts_due(now) and not _polls_due(now)
    finally:
        db.session.rollback()


def close_due() -> list[int]:
    """Close every open contract whose countdown has run out; returns the events touched."""
    now = utcnow()
    if _nothing_due(now):
        return []
    begin_write()  # something is due: look again, under the write lock, and close it
    due = _contracts_due(now)
    due_polls = _polls_due(now)
    events = sorted({contract.event_id for contract in due} | {poll.event_id for poll in due_polls})
    for contract in due:
        contract.status = ContractState.CLOSED.value
        contract.closed_at = contract.closes_at
        record(contract.event_id, "close", f"{contract.code} (countdown)", actor="timer")
    for poll in due_polls:
        poll.status, poll.closed_at = PollState.CLOSED.value, poll.closes_at
        record(poll.event_id, "close_poll", f"{poll.id} (countdown)", actor="timer")
    db.session.commit()
    for event_id in events:
        publisher.contracts_changed(event_id)
    return events


def reset_contract(event: Event, code: str) -> int:
    """Remove every vote on a contract so it can be voted again, in a new round; each removal is audited."""
    (contract,) = select_contracts(event, [code])
    guard_contract_reset(code, contract.status)
    votes = list(db.session.scalars(select(Vote).where(Vote.contract_id == contract.id)))
    for vote in votes:
        db.session.add(
            VoteAudit(
                event_id=event.id,
                contract_id=contract.id,
                delegate_id=vote.delegate_id,
                vote_id=f"reset-{vote.id}-{secrets.token_urlsafe(12)}",  # unique even for a reset within a second
                old_level=vote.level,
                new_level=None,
                entered_by="reset",
                vote_round=contract.vote_round,
            )
        )
    db.session.execute(delete(Vote).where(Vote.contract_id == contract.id))
    db.session.execute(delete(Resolution).where(Resolution.contract_id == contract.id))
    contract.status, contract.opened_at, contract.closed_at, contract.closes_at = (
        ContractState.READY.value,
        None,
        None,
        None,
    )
    # A new round: a vote made before now (still in a phone's outbox, or resent) is refused, not counted.
    contract.vote_round += 1
    record(event.id, "reset", f"{code}: {len(votes)} votes removed")
    db.session.commit()
    publisher.contracts_changed(event.id)
    return len(votes)
