"""Delegate phones: join by personal link or event code, then vote. Works without JavaScript.

The later parts of the phone page (polls, declarations, Stage 3 and Stage 4) post to the routes in
delegate_stages.py; this module builds what the page shows for them.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import RequestLimit
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from voting.db_setup import read_transaction
from voting.domain.suggestions import MODELS
from voting.errors import Refusal
from voting.extensions import db, limiter
from voting.models import Arrangement, ArrangementBallot, Contract, Declaration, Delegate, Event
from voting.models.delegate import ACTIVE, PENDING, REVOKED
from voting.models.stage import CONFIRMED
from voting.services import delegates, events, polls, votes
from voting.services.contracts import organisations_of
from voting.services.phones import chain_position
from voting.services.snapshots import delegate_ballot
from voting.services.stages import STAGES, latest_version
from voting.services.voters import Voter
from voting.web import rate_limits

bp = Blueprint("delegate", __name__)
LINK_WITHDRAWN = "This voting link is not valid any more. Ask the facilitator for a new one."


def current_delegate() -> Delegate | None:
    """The delegate this browser joined as, if they are still allowed in: not removed, and the link
    they joined with is still theirs (reissuing links ends the sessions opened with the old ones)."""
    delegate_id = session.get("delegate")
    delegate = db.session.get(Delegate, delegate_id) if isinstance(delegate_id, int) else None
    if delegate is None or delegate.status == REVOKED or not joined_with_current_link(delegate):
        if session.pop("delegate", None) is not None:
            flash(LINK_WITHDRAWN, "error")  # shown on the join page it is sent to
        session.pop("delegate_token", None)
        return None
    return delegate


def joined_with_current_link(delegate: Delegate) -> bool:
    """True when this session joined with the delegate's current link (its hash is in the session)."""
    return session.get("delegate_token") == delegate.token_hash


def _join_as(delegate: Delegate) -> None:
    kept = {key: session[key] for key in ("facilitator", "facilitator_session") if key in session}
    session.clear()  # new identity, new session (a signed-in facilitator stays signed in)
    session.update(kept)
    session["delegate"] = delegate.id
    # Which link this session joined with: every delegate action compares it with the current one.
    session["delegate_token"] = delegate.token_hash
    session.permanent = True


@bp.get("/j/<token>")
def personal_link(token: str) -> BaseResponse:
    """A personal link or QR: join as that delegate, then drop the token from the address bar."""
    delegate = delegates.find_by_token(token)
    if delegate is None or delegate.status == REVOKED:
        abort(404, description=LINK_WITHDRAWN)
    _join_as(delegate)
    return redirect(url_for(".vote"))


@bp.route("/join", methods=["GET", "POST"])
def enter_code() -> str | BaseResponse:
    """Type the event's short code from the projector."""
    error = None
    if request.method == "POST":
        event = events.find_by_join_code(request.form.get("code", ""))
        if event is not None:
            return redirect(url_for(".join", code=event.join_code))
        error = "There is no event with that code. Check the code on the projector and try again."
    return render_template("delegate/enter_code.html", error=error), 404 if error else 200


def too_many_joins(limit: RequestLimit) -> Response | None:
    """The join page with its sentence, past JOIN_LIMIT_PER_BROWSER or JOIN_LIMIT_PER_EVENT."""
    event = events.find_by_join_code((request.view_args or {}).get("code", ""))
    if event is None:
        return None  # no such event: the general sentence (the view would have said 404)
    minutes = rate_limits.minutes_to_wait(limit)
    error = (
        f"Too many requests to join have come in. Try again in {minutes} minute"
        f"{'' if minutes == 1 else 's'}, or ask the facilitator for your personal link."
    )
    return rate_limits.answer(_join_page(event, error))


# Per browser, then per event, never per address. Flask-Limiter checks the decorator nearest the
# function first and stops at the first limit reached, so a browser turned away does not use up the
# event's count (tests/web/test_delegate_pages.py).
@bp.route("/e/<code>", methods=["GET", "POST"])
@limiter.limit(
    rate_limits.join_limit_per_event, key_func=rate_limits.event_key, methods=["POST"],
    on_breach=too_many_joins,
)  # fmt: skip
@limiter.limit(
    rate_limits.join_limit_per_browser, key_func=rate_limits.browser_key, methods=["POST"],
    on_breach=too_many_joins,
)  # fmt: skip
def join(code: str) -> str | BaseResponse:
    """Join an event by its code: pick your CCG, type your name, wait to be admitted."""
    event = events.find_by_join_code(code)
    if event is None:
        abort(404, description="There is no event with that code. Check the code on the projector.")
    error, status = None, 200
    if request.method == "POST":
        browser = rate_limits.browser_key()  # the cookie the join limit counts by
        try:
            delegate, _token = delegates.request_admission(
                event, request.form.get("organisation", ""), request.form.get("name", "")
            )
        except Refusal as problem:
            error, status = problem.message, 422
        else:
            _join_as(delegate)
            session["joiner"] = browser.removeprefix("browser:")  # it keeps its count after joining
            return redirect(url_for(".vote"))
    return _join_page(event, error), status


def _join_page(event: Event, error: str | None) -> str:
    return render_template(
        "delegate/join.html",
        event=event,
        organisations=organisations_of(event),
        error=error,
        form=request.form,
    )


@bp.get("/vote")
def vote() -> str | BaseResponse:
    """The phone page: the open contracts for this CCG, one large choice per level."""
    delegate = current_delegate()
    if delegate is None:
        return redirect(url_for(".enter_code"))
    event = db.session.get(Event, delegate.event_id)
    assert event is not None
    as_of = chain_position(event.id)  # how new the votes on this page are (static/js/phone.js)
    ballot = delegate_ballot(event, delegate.organisation)
    return render_template(
        "delegate/vote.html",
        event=event,
        delegate=delegate,
        ballot=ballot,
        mine=votes.own_votes(delegate),
        as_of=as_of,
        pending=delegate.status == PENDING,
        active=delegate.status == ACTIVE,
        new_vote_id=lambda: secrets.token_urlsafe(16),
        **_stage_parts(event, delegate, ballot),
    )


def _stage_parts(event: Event, delegate: Delegate, ballot: dict[str, Any]) -> dict[str, Any]:
    """What the polls, declarations and Stage 3 and 4 parts of the page need beyond the ballot."""
    return {
        "stage_title": STAGES.get(event.stage, ""),
        "poll_answers": polls.own_answers(delegate),
        "polls_answered": polls.answered_polls(delegate),
        "declared": _own_declarations(delegate),
        "contracts_by_code": {c["code"]: c for c in ballot["contracts"]},
        "stage3_items": _stage3_items(ballot.get("stage3")),
        "names": {org.code: org.name for org in organisations_of(event)},
        "own_ballots": _own_ballots(delegate) if "stage4" in ballot else {},
        "models": {key: model.title for key, model in MODELS.items()},
    }


def _stage3_items(view: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Per contract the CCG holds: its own cell, whether that is a single level, flags and status."""
    if not view:
        return []
    own = next((row["cells"] for row in view["rows"] if row["self"]), [])
    items = []
    for index, code in enumerate(view["contracts"]):
        cell = own[index] if index < len(own) else ""
        items.append(
            {
                "code": code,
                "cell": cell,
                "level": cell if cell in ("1", "2", "3", "4", "5") else None,
                "flags": [f["message"] for f in view["flags"] if f["contract"] == code],
                "status": view["status"].get(code, ""),
            }
        )
    return items


def _own_declarations(delegate: Delegate) -> dict[str, list[str]]:
    """Contract code -> the interests this delegate has declared in it, oldest first."""
    declared: dict[str, list[str]] = defaultdict(list)
    for code, interest in db.session.execute(
        select(Contract.code, Declaration.interest)
        .join(Contract, Contract.id == Declaration.contract_id)
        .where(Declaration.delegate_id == delegate.id)
        .order_by(Declaration.id)
    ):
        declared[code].append(interest)
    return dict(declared)


def _own_ballots(delegate: Delegate) -> dict[str, str]:
    """'<arrangement key> <topic>' -> this delegate's own yes/no/abstain on the proposal as it stands now."""
    version = latest_version(delegate.event_id, CONFIRMED)
    if version is None:
        return {}
    rows = db.session.execute(
        select(
            Arrangement.key,
            Arrangement.coordinator,
            Arrangement.model,
            ArrangementBallot.topic,
            ArrangementBallot.proposal,
            ArrangementBallot.ballot,
        )
        .join(Arrangement, Arrangement.id == ArrangementBallot.arrangement_id)
        .where(Arrangement.version_id == version.id, ArrangementBallot.delegate_id == delegate.id)
    )
    return {
        f"{key} {topic}": choice
        for key, coordinator, model, topic, proposal, choice in rows
        if proposal == (coordinator if topic == "coordinator" else model)
    }


@bp.post("/vote")
def vote_form() -> BaseResponse:
    """The no-JavaScript vote: a plain form post, then back to the page with the outcome.

    The same vote path as the API's: who is voting is read first, without the write lock, then the
    vote goes to the group-commit writer, which checks the delegate again in its own transaction.
    """
    with read_transaction():
        delegate = current_delegate()
        voter = None if delegate is None else Voter(delegate.id, delegate.token_hash)
    if voter is None:
        return redirect(url_for(".enter_code"))
    contract = request.form.get("contract", "")
    try:
        result = votes.cast_vote(
            voter,
            contract,
            request.form.get("level"),
            request.form.get("vote_id"),
            sent_round=request.form.get("round"),
        )
        flash(f"Vote saved: contract {result.contract}, level {result.level}.", "success")
    except Refusal as error:
        flash(error.message, "error")
    return redirect(url_for(".vote", _anchor=f"contract-{contract}"), code=303)
