"""Delegate phones: join by personal link or event code, then vote. Works without JavaScript."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from voting.extensions import db
from voting.models import Delegate, Event
from voting.models.delegate import ACTIVE, PENDING, REVOKED
from voting.services import ServiceError, delegates, events, votes
from voting.services.contracts import organisations_of
from voting.services.snapshots import delegate_ballot

bp = Blueprint("delegate", __name__)


def current_delegate() -> Delegate | None:
    """The delegate this browser joined as, if they are still allowed in."""
    delegate_id = session.get("delegate")
    delegate = db.session.get(Delegate, delegate_id) if isinstance(delegate_id, int) else None
    if delegate is None or delegate.status == REVOKED:
        session.pop("delegate", None)
        return None
    return delegate


def _join_as(delegate: Delegate) -> None:
    facilitator = session.get("facilitator")
    session.clear()  # new identity, new session
    if facilitator:
        session["facilitator"] = True
    session["delegate"] = delegate.id
    session.permanent = True


@bp.get("/j/<token>")
def personal_link(token: str) -> BaseResponse:
    """A personal link or QR: join as that delegate, then drop the token from the address bar."""
    delegate = delegates.find_by_token(token)
    if delegate is None or delegate.status == REVOKED:
        abort(404, description="This voting link is not valid any more. Ask the facilitator for a new one.")
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


@bp.route("/e/<code>", methods=["GET", "POST"])
def join(code: str) -> str | BaseResponse:
    """Join an event by its code: pick your CCG, type your name, wait to be admitted."""
    event = events.find_by_join_code(code)
    if event is None:
        abort(404, description="There is no event with that code. Check the code on the projector.")
    error = None
    if request.method == "POST":
        try:
            delegate, _token = delegates.request_admission(
                event, request.form.get("organisation", ""), request.form.get("name", "")
            )
        except ServiceError as problem:
            error = problem.message
        else:
            _join_as(delegate)
            return redirect(url_for(".vote"))
    return render_template(
        "delegate/join.html",
        event=event,
        organisations=organisations_of(event),
        error=error,
        form=request.form,
    ), 422 if error else 200


@bp.get("/vote")
def vote() -> str | BaseResponse:
    """The phone page: the open contracts for this CCG, one large choice per level."""
    delegate = current_delegate()
    if delegate is None:
        return redirect(url_for(".enter_code"))
    event = db.session.get(Event, delegate.event_id)
    assert event is not None
    ballot = delegate_ballot(event, delegate.organisation)
    return render_template(
        "delegate/vote.html",
        event=event,
        delegate=delegate,
        ballot=ballot,
        mine=votes.own_votes(delegate),
        pending=delegate.status == PENDING,
        active=delegate.status == ACTIVE,
        new_vote_id=lambda: secrets.token_urlsafe(16),
    )


@bp.post("/vote")
def vote_form() -> BaseResponse:
    """The no-JavaScript vote: a plain form post, then back to the page with the outcome."""
    delegate = current_delegate()
    if delegate is None:
        return redirect(url_for(".enter_code"))
    contract = request.form.get("contract", "")
    try:
        result = votes.cast_vote(delegate, contract, request.form.get("level"), request.form.get("vote_id"))
        flash(f"Vote saved: contract {result.contract}, level {result.level}.", "success")
    except ServiceError as error:
        flash(error.message, "error")
    return redirect(url_for(".vote", _anchor=f"contract-{contract}"), code=303)
