"""Delegates: personal links, joining by event code, admission and revocation."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select

from voting.errors import Invalid
from voting.extensions import db
from voting.models import (
    ArrangementBallot,
    Confirmation,
    Delegate,
    Event,
    Poll,
    PollAnswer,
    PollReceipt,
    Vote,
)
from voting.models.delegate import ACTIVE, PENDING, REVOKED
from voting.realtime.publish import publisher
from voting.services import is_id
from voting.services.events import find_organisation
from voting.services.log import record
from voting.services.tokens import hash_token, new_token

log = logging.getLogger(__name__)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid("Type your name so the facilitator knows who you are.")
    if len(name) > 120:
        raise Invalid("Names must be 120 characters or fewer.")
    return name


def _new(event: Event, organisation_code: str, name: str, status: str) -> tuple[Delegate, str]:
    organisation = find_organisation(event.id, (organisation_code or "").strip())
    if organisation is None:
        raise Invalid(f"There is no organisation '{organisation_code}' in this event.")
    token = new_token()
    delegate = Delegate(
        event_id=event.id,
        organisation_id=organisation.id,
        name=_clean_name(name),
        token_hash=hash_token(token),
        status=status,
    )
    db.session.add(delegate)
    db.session.flush()
    return delegate, token


def create_delegate(event: Event, organisation_code: str, name: str) -> tuple[Delegate, str]:
    """A delegate with a personal link; returns the token, which is shown once and never stored."""
    delegate, token = _new(event, organisation_code, name, ACTIVE)
    record(event.id, "create_delegate", f"{delegate.id} {organisation_code}")
    db.session.commit()
    publisher.event_changed(event.id)
    return delegate, token


def request_admission(event: Event, organisation_code: str, name: str) -> tuple[Delegate, str]:
    """A delegate who joined by event code; they wait until the facilitator admits them."""
    delegate, token = _new(event, organisation_code, name, PENDING)
    record(event.id, "request_admission", f"{delegate.id} {organisation_code}", actor="delegate")
    db.session.commit()
    publisher.event_changed(event.id)
    return delegate, token


def reissue_links(event: Event, only: set[int] | None = None) -> list[tuple[Delegate, str]]:
    """New personal links for the event's admitted delegates (or just `only`), in one transaction.

    Old links stop working everywhere at once, and so do the phones that joined with them: each
    delegate action compares the link a phone came with to the current one. Their open connections
    are dropped (here now, on other processes at their next credential check, realtime.watch).
    """
    issued = []
    for delegate in list_delegates(event.id):
        if delegate.status != ACTIVE or (only is not None and delegate.id not in only):
            continue
        token = new_token()
        delegate.token_hash = hash_token(token)
        issued.append((delegate, token))
    record(event.id, "reissue_links", ",".join(str(delegate.id) for delegate, _token in issued))
    db.session.commit()
    for delegate, _token in issued:
        publisher.delegate_changed(event.id, delegate.id)
    return issued


def admit(delegate: Delegate) -> None:
    """Let a waiting delegate vote."""
    if delegate.status != PENDING:
        raise Invalid(f"{delegate.name} is not waiting to be admitted.")
    delegate.status = ACTIVE
    record(delegate.event_id, "admit", str(delegate.id))
    db.session.commit()
    publisher.delegate_changed(delegate.event_id, delegate.id)


def revoke(delegate: Delegate) -> str:
    """Remove a delegate (or turn away a waiting one): their link and open connections stop working,
    and nothing they voted, answered or confirmed counts any more. Returns the sentence for the console.

    The CCG votes, not the person (framework Annex 2, Stage 2: "The CCG then voted"): a removed
    delegate no longer speaks for their CCG, so their part of its position goes with them.
    """
    if delegate.status == REVOKED:
        return f"{delegate.name} was already removed."
    delegate.status = REVOKED
    stopped = _what_stops_counting(delegate)
    record(
        delegate.event_id,
        "revoke",
        f"{delegate.id} {delegate.name} ({delegate.organisation.code}): {stopped}",
    )
    db.session.commit()
    publisher.delegate_changed(delegate.event_id, delegate.id)
    publisher.contracts_changed(delegate.event_id)  # their CCG's phones show its position without them
    return f"{delegate.name} removed; {stopped}"


def _what_stops_counting(delegate: Delegate) -> str:
    """A sentence counting the removed delegate's votes, answers, confirmations and ballots."""

    def count(model: Any, *where: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    named = count(PollAnswer, PollAnswer.delegate_id == delegate.id)
    anonymous = count(
        PollReceipt,
        PollReceipt.delegate_id == delegate.id,
        PollReceipt.poll_id.in_(select(Poll.id).where(Poll.anonymous.is_(True))),
    )
    parts = [
        _plural(count(Vote, Vote.delegate_id == delegate.id), "contract vote"),
        _plural(named, "poll answer"),
        _plural(count(Confirmation, Confirmation.delegate_id == delegate.id), "Stage 3 confirmation"),
        _plural(count(ArrangementBallot, ArrangementBallot.delegate_id == delegate.id), "Stage 4 ballot"),
    ]
    sentence = f"their {', '.join(parts)} no longer count."
    if anonymous:
        # Anonymous answers are counted without saying whose they are, so nobody can take one out.
        sentence += (
            f" {_plural(anonymous, 'anonymous poll answer')} still count: nobody knows what they were."
        )
    return sentence


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def turn_away_waiting(event: Event, delegate_ids: set[int]) -> int:
    """Turn away, in one transaction, those of `delegate_ids` still waiting; returns how many.

    Only the ids the facilitator saw (and confirmed by number) are turned away: someone who asked
    to join after the console drew its list is not caught by a click meant for the others.
    """
    waiting = list(
        db.session.scalars(
            select(Delegate).where(
                Delegate.event_id == event.id, Delegate.status == PENDING, Delegate.id.in_(delegate_ids)
            )
        )
    )
    if not waiting:
        raise Invalid("Nobody on that list is still waiting to be admitted.")
    for delegate in waiting:
        delegate.status = REVOKED
    ids = sorted(delegate.id for delegate in waiting)
    record(event.id, "turn_away_waiting", f"{len(ids)} waiting: " + ",".join(map(str, ids)))
    db.session.commit()
    for delegate_id in ids:
        publisher.delegate_changed(event.id, delegate_id)
    return len(ids)


def find_by_token(token: str) -> Delegate | None:
    """The delegate holding this token, whatever their status."""
    if not token:
        return None
    return db.session.scalar(select(Delegate).where(Delegate.token_hash == hash_token(token)))


def event_delegate(event_id: int, delegate_id: int) -> Delegate | None:
    """A delegate only if they belong to this event."""
    delegate = db.session.get(Delegate, delegate_id) if is_id(delegate_id) else None
    return delegate if delegate is not None and delegate.event_id == event_id else None


def list_delegates(event_id: int) -> list[Delegate]:
    """The event's delegates by organisation then name."""
    return list(
        db.session.scalars(
            select(Delegate)
            .where(Delegate.event_id == event_id)
            .order_by(Delegate.organisation_id, Delegate.name)
        )
    )
