"""The phone's no-JavaScript forms beyond the vote: polls, declarations, Stage 3 and Stage 4.

Each is a plain form post with a CSRF token, then a redirect back to the phone page with a flash
message (redirect-after-post). With JavaScript the page makes the same calls through the JSON API.
"""

from __future__ import annotations

import re

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from voting.domain.levels import parse_level
from voting.domain.states import Stage
from voting.errors import Refusal
from voting.extensions import db
from voting.models import Delegate, Event, Poll
from voting.models.delegate import ACTIVE
from voting.services import interests, polls, stage3, stage4
from voting.web.delegate import bp, current_delegate

ANCHOR = re.compile(r"[A-Za-z0-9_-]{1,80}")
NOT_ADMITTED = "The facilitator has not let you in yet. Please wait until this page changes by itself."
TOPICS = {"coordinator": "co-ordinator", "model": "model"}


def _back(anchor: str | None = None) -> BaseResponse:
    """Back to the phone page; on success at the part just used, on a refusal at the top (the message)."""
    if anchor is not None and not ANCHOR.fullmatch(anchor):
        anchor = None
    return redirect(url_for(".vote", _anchor=anchor), code=303)


def _refuse(message: str) -> BaseResponse:
    flash(message, "error")
    return _back()


def _admitted() -> Delegate | BaseResponse:
    """The signed-in, admitted delegate, or where to send a browser that is not one."""
    delegate = current_delegate()
    if delegate is None:
        return redirect(url_for(".enter_code"))
    if delegate.status != ACTIVE:
        return _refuse(NOT_ADMITTED)
    return delegate


@bp.post("/vote/poll")
def poll_form() -> BaseResponse:
    """Answer a poll (named answers can be changed while it is open; anonymous ones cannot)."""
    delegate = _admitted()
    if not isinstance(delegate, Delegate):
        return delegate
    raw_id = request.form.get("poll", "")
    poll_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() else None
    answer = request.form.get("answer", "")
    try:
        result = polls.answer(delegate, poll_id, answer, request.form.get("vote_id"))
    except Refusal as error:
        return _refuse(error.message)
    poll = db.session.get(Poll, poll_id)
    if result["duplicate"]:
        flash("This answer had already been sent, so nothing changed. Your answer is shown below.", "info")
    elif poll is not None and poll.anonymous:
        flash("Answer saved and counted anonymously. It can't be changed.", "success")
    else:
        flash(f"Answer saved: {answer.strip()}.", "success")
    return _back(f"poll-{poll_id}")


@bp.post("/vote/declare")
def declare_form() -> BaseResponse:
    """Declare an interest in a contract; the facilitator sees it."""
    delegate = _admitted()
    if not isinstance(delegate, Delegate):
        return delegate
    contract = request.form.get("contract", "").strip()
    try:
        interests.declare(delegate, contract, request.form.get("interest", ""))
    except Refusal as error:
        return _refuse(error.message)
    flash(f"Interest declared for contract {contract}. The facilitator can see it.", "success")
    return _back(request.form.get("anchor"))


@bp.post("/vote/confirm")
def confirm_form() -> BaseResponse:
    """Stage 3: confirm the CCG's position on a contract, or change it with a short reason."""
    delegate = _admitted()
    if not isinstance(delegate, Delegate):
        return delegate
    contract = request.form.get("contract", "").strip()
    action = request.form.get("action", "")
    try:
        stage3.confirm(delegate, contract, action, request.form.get("level"), request.form.get("reason", ""))
    except Refusal as error:
        return _refuse(error.message)
    if action == "amend":
        level = parse_level(request.form.get("level"))
        flash(f"Changed: your CCG's position on contract {contract} is now level {level}.", "success")
    else:
        flash(f"Confirmed: your CCG's position on contract {contract}.", "success")
    return _back(f"confirm-{contract}")


@bp.post("/vote/arrangement")
def arrangement_form() -> BaseResponse:
    """Stage 4: a delegate votes yes, no or abstain for their CCG on a proposed co-ordinator or model."""
    delegate = _admitted()
    if not isinstance(delegate, Delegate):
        return delegate
    event = db.session.get(Event, delegate.event_id)
    if event is None or event.stage != Stage.ARRANGING:
        return _refuse("Voting on co-ordinators and models happens at stage 4. This page has changed since.")
    key = request.form.get("key", "")
    topic = request.form.get("topic", "")
    choice = request.form.get("ballot", "")
    try:
        decision = stage4.cast_ballot(delegate, key, topic, choice)
    except Refusal as error:
        return _refuse(error.message)
    ccg = stage4.ballot_view(delegate, key, topic)["ccg"]["text"]
    flash(f"You voted {choice} on the proposed {TOPICS[topic]}. {ccg} {decision.reason}", "success")
    return _back(request.form.get("anchor"))
