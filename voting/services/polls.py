"""Quick polls: Stage 1 "Do we have an appetite for collaboration?", or any question at any time."""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from voting.domain import polls as rules
from voting.domain.aggregation import combine_choices
from voting.domain.states import PollState, guard_answer, guard_poll_countdown, guard_poll_move, poll_target
from voting.errors import Conflict, Invalid, NotAllowed, NotFound
from voting.extensions import db
from voting.models import Delegate, Event, Organisation, Poll, PollAnswer, PollReceipt, PollTally
from voting.models.base import utcnow
from voting.models.delegate import ACTIVE, REVOKED
from voting.realtime.publish import publisher
from voting.services import is_id
from voting.services.log import record
from voting.services.votes import VOTE_ID
from voting.timefmt import iso

log = logging.getLogger(__name__)


def create_poll(event: Event, kind: str, question: str, options: list[str] | None, anonymous: bool) -> Poll:
    """A new poll, ready to open."""
    question = " ".join((question or "").split())
    if not question:
        raise Invalid("Type the question delegates will see.")
    if len(question) > 500:
        raise Invalid("Keep the question to 500 characters or fewer.")
    if kind not in rules.KINDS:
        raise Invalid("Choose yes/no/unsure, a single choice, or a 1 to 5 scale.")
    try:
        allowed = rules.poll_options(kind, [o for o in (options or []) if o.strip()])
    except rules.OptionsError as error:  # the domain's own sentence, never a library's message
        raise Invalid(f"{error}.") from None
    poll = Poll(
        event_id=event.id,
        kind=kind,
        question=question,
        options=json.dumps(list(allowed)),
        anonymous=bool(anonymous),
    )
    db.session.add(poll)
    db.session.flush()
    record(event.id, "create_poll", f"{poll.id} {kind}{' anonymous' if anonymous else ''}: {question}")
    db.session.commit()
    publisher.contracts_changed(event.id)
    return poll


def event_poll(event: Event, poll_id: object) -> Poll:
    """A poll of this event, or a 404 refusal."""
    poll = db.session.get(Poll, poll_id) if is_id(poll_id) else None
    if poll is None or poll.event_id != event.id:
        raise NotFound("There is no such poll in this event.")
    return poll


def set_status(poll: Poll, status: str) -> None:
    """Open or close a poll (closing freezes its results)."""
    target = poll_target(status)
    guard_poll_move(poll.status, target, poll.anonymous)
    poll.status = target.value
    poll.closes_at = None
    poll.closed_at = utcnow() if target == PollState.CLOSED else None
    record(poll.event_id, "closed_poll" if target == PollState.CLOSED else "open_poll", str(poll.id))
    db.session.commit()
    publisher.contracts_changed(poll.event_id)


def start_countdown(poll: Poll, seconds: object) -> None:
    """Close an open poll by itself after `seconds`; the server's clock decides."""
    from voting.services.facilitation import countdown_end

    guard_poll_countdown(poll.status)
    poll.closes_at = countdown_end(seconds)
    record(poll.event_id, "countdown_poll", f"{poll.id} until {poll.closes_at.isoformat()}")
    db.session.commit()
    publisher.contracts_changed(poll.event_id)


def set_hidden(poll: Poll, hidden: bool) -> None:
    """Hide a poll's results from the projector, or reveal them."""
    poll.results_hidden = bool(hidden)
    record(poll.event_id, "hide_poll" if hidden else "reveal_poll", str(poll.id))
    db.session.commit()
    publisher.votes_changed(poll.event_id)


def answer(delegate: Delegate, poll_id: object, raw_answer: object, vote_id: object) -> dict[str, Any]:
    """Record a delegate's answer once per vote_id; anonymous answers are counted, never stored."""
    if not isinstance(vote_id, str) or not VOTE_ID.fullmatch(vote_id):
        raise Invalid("The answer could not be read (missing or malformed vote id). Please try again.")
    if delegate.status != ACTIVE:
        raise NotAllowed("You can't answer polls until the facilitator admits you.")
    poll = db.session.get(Poll, poll_id) if is_id(poll_id) else None
    if poll is None or poll.event_id != delegate.event_id:
        raise NotFound("There is no such poll in this event.")
    if db.session.get(PollReceipt, (poll.id, delegate.id, vote_id)) is not None:
        _refuse_changed_resend(poll, delegate, raw_answer)
        db.session.rollback()
        return {"ok": True, "duplicate": True}
    guard_answer(poll.status, poll.closes_at, utcnow())  # open, unless its countdown has passed
    try:
        option = rules.validate_answer(poll.kind, json.loads(poll.options), raw_answer)  # type: ignore[arg-type]
    except ValueError:
        raise Invalid("Choose one of the answers shown.") from None
    if poll.anonymous:
        _count_anonymously(poll, delegate, option)
    else:
        existing = db.session.scalar(
            select(PollAnswer).where(PollAnswer.poll_id == poll.id, PollAnswer.delegate_id == delegate.id)
        )
        if existing is None:
            db.session.add(
                PollAnswer(
                    poll_id=poll.id,
                    delegate_id=delegate.id,
                    organisation_id=delegate.organisation_id,
                    answer=option,
                )
            )
        else:
            existing.answer, existing.at = option, utcnow()
    db.session.add(PollReceipt(poll_id=poll.id, delegate_id=delegate.id, vote_id=vote_id))
    event_id = poll.event_id
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return {"ok": True, "duplicate": True}
    publisher.votes_changed(event_id)
    return {"ok": True, "duplicate": False}


def _refuse_changed_resend(poll: Poll, delegate: Delegate, raw_answer: object) -> None:
    """A resent vote_id must carry the same answer. Named polls can check; anonymous ones keep no
    answer to check against (that is the point), so a resend there is simply acknowledged."""
    if poll.anonymous:
        return
    stored = db.session.scalar(
        select(PollAnswer.answer).where(PollAnswer.poll_id == poll.id, PollAnswer.delegate_id == delegate.id)
    )
    try:
        option = rules.validate_answer(poll.kind, json.loads(poll.options), raw_answer)  # type: ignore[arg-type]
    except ValueError:
        option = None
    if stored is not None and option != stored:
        raise Conflict("This answer was already sent with a different choice. Please answer again.")


def _count_anonymously(poll: Poll, delegate: Delegate, option: str) -> None:
    answered = db.session.scalar(
        select(PollReceipt).where(PollReceipt.poll_id == poll.id, PollReceipt.delegate_id == delegate.id)
    )
    if answered is not None:
        raise Conflict("You have already answered this anonymous poll; anonymous answers can't be changed.")
    tally = db.session.get(PollTally, (poll.id, delegate.organisation_id, option))
    if tally is None:
        db.session.add(
            PollTally(poll_id=poll.id, organisation_id=delegate.organisation_id, answer=option, count=1)
        )
    else:
        tally.count += 1


def results(poll: Poll) -> dict[str, Any]:
    """Counts overall and per CCG, with each CCG's combined answer (named polls); see `_anonymous`."""
    if poll.anonymous:
        return _anonymous(poll)
    options = json.loads(poll.options)
    codes = dict(
        db.session.execute(
            select(Organisation.id, Organisation.code).where(Organisation.event_id == poll.event_id)
        ).all()
    )
    # A removed delegate's answer no longer counts, as their contract votes do not.
    answers: list[tuple[str | None, str | int]] = [
        (codes[org_id], option)
        for org_id, option in db.session.execute(
            select(PollAnswer.organisation_id, PollAnswer.answer)
            .join(Delegate, Delegate.id == PollAnswer.delegate_id)
            .where(PollAnswer.poll_id == poll.id, Delegate.status != REVOKED)
        )
    ]
    tally = rules.tally(poll.kind, options, answers)
    return {
        "overall": tally.overall,
        "total": tally.total,
        "mean": tally.mean,
        "by_org": tally.by_org,
        # The CCG's answer is its delegates' plurality, as for contract votes; a tie is a split.
        "position_by_org": {
            org: "/".join(combine_choices(Counter(counts).elements())) for org, counts in tally.by_org.items()
        },
        "answered_by_org": {org: sum(c.values()) for org, c in tally.by_org.items()},
        "withheld": "",
    }


def _anonymous(poll: Poll) -> dict[str, Any]:
    """An anonymous poll's results: nothing that lets anyone tell who answered what (docs/security.md).

    Counts that change after each answer would give each answer away to whoever compares two of them
    (the projector, the console, the API all show them), so while the poll is open only the number of
    answers shows. Once it is closed (and it can't be opened again) the counts per answer show once,
    overall only, and only when at least ANONYMOUS_POLL_MIN_ANSWERS delegates of at least
    ANONYMOUS_POLL_MIN_CCGS CCGs answered - the app's rule, not the framework's: with fewer, the
    counts would be one delegate's or one CCG's answer. Never per CCG.
    """
    counts: Counter[str] = Counter()
    organisations: set[int] = set()
    for org_id, option, count in db.session.execute(
        select(PollTally.organisation_id, PollTally.answer, PollTally.count).where(
            PollTally.poll_id == poll.id
        )
    ):
        counts[option] += count
        if count:
            organisations.add(org_id)
    total = sum(counts.values())
    min_answers = int(current_app.config.get("ANONYMOUS_POLL_MIN_ANSWERS", 3))
    min_ccgs = int(current_app.config.get("ANONYMOUS_POLL_MIN_CCGS", 2))
    withheld = ""
    if poll.status != PollState.CLOSED:
        withheld = "Anonymous poll: only the number of answers shows until it closes."
    elif total < min_answers or len(organisations) < min_ccgs:
        withheld = (
            f"Anonymous poll: the answers are not shown, because fewer than {min_answers} delegates "
            f"of at least {min_ccgs} CCGs answered and they could be told apart."
        )
    result: dict[str, Any] = {
        "overall": None,
        "total": total,
        "mean": None,
        "by_org": {},
        "position_by_org": {},
        "answered_by_org": {},
        "withheld": withheld,
    }
    if not withheld:
        options = json.loads(poll.options)
        tally = rules.tally(poll.kind, options, [(None, option) for option in counts.elements()])
        result.update(overall=tally.overall, mean=tally.mean)
    return result


def poll_state(poll: Poll, with_results: bool = True) -> dict[str, Any]:
    """A poll as screens and the API show it."""
    state: dict[str, Any] = {
        "id": poll.id,
        "kind": poll.kind,
        "question": poll.question,
        "options": json.loads(poll.options),
        "anonymous": poll.anonymous,
        "status": poll.status,
        "results_hidden": poll.results_hidden,
        "closes_at": iso(poll.closes_at),
    }
    if with_results:
        state["results"] = results(poll)
    return state


def event_polls(event_id: int) -> list[Poll]:
    """The event's polls, oldest first."""
    return list(db.session.scalars(select(Poll).where(Poll.event_id == event_id).order_by(Poll.id)))


def own_answers(delegate: Delegate) -> dict[int, str]:
    """The delegate's named answers per poll (anonymous answers are not kept, so not shown)."""
    rows = db.session.execute(
        select(PollAnswer.poll_id, PollAnswer.answer).where(PollAnswer.delegate_id == delegate.id)
    )
    return dict(rows.all())


def answered_polls(delegate: Delegate) -> set[int]:
    """Polls the delegate has answered (named or anonymous)."""
    return set(db.session.scalars(select(PollReceipt.poll_id).where(PollReceipt.delegate_id == delegate.id)))
