"""API v1, continued: polls, facilitation controls and conflicts of interest (docs/api.md)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from voting.models import Event
from voting.services import ServiceError, delegates, facilitation, interests, is_id, polls, votes
from voting.web.api import bp, facilitator_api, json_body, refuse, voting_delegate


def _answer(call: Any, *args: Any, status: int = 200) -> tuple[Response, int]:
    """Run a service call and turn a refusal into its sentence and status."""
    try:
        result = call(*args)
    except ServiceError as error:
        return refuse(error.message, error.status)
    return jsonify(result if isinstance(result, dict) else {"ok": True}), status


@bp.post("/events/<int:event_id>/polls")
@facilitator_api
def create_poll(event: Event) -> tuple[Response, int]:
    """Create a poll: yes/no/unsure, single choice with options, or a 1-5 scale; named or anonymous."""
    body = json_body()
    options = body.get("options") or []
    if not isinstance(options, list):
        return refuse("Give the options as a list.", 422)
    try:
        poll = polls.create_poll(
            event,
            str(body.get("kind", "")),
            str(body.get("question", "")),
            [str(o) for o in options],
            bool(body.get("anonymous", False)),
        )
    except ServiceError as error:
        return refuse(error.message, error.status)
    return jsonify(polls.poll_state(poll)), 201


@bp.get("/events/<int:event_id>/polls/<int:poll_id>")
@facilitator_api
def show_poll(event: Event, poll_id: int) -> tuple[Response, int]:
    """A poll with its results."""
    return _answer(lambda: polls.poll_state(polls.event_poll(event, poll_id)))


@bp.post("/events/<int:event_id>/polls/<int:poll_id>/<any(open, close, hide, reveal):action>")
@facilitator_api
def poll_action(event: Event, poll_id: int, action: str) -> tuple[Response, int]:
    """Open, close, hide or reveal a poll."""

    def run() -> dict[str, Any]:
        poll = polls.event_poll(event, poll_id)
        if action in ("open", "close"):
            polls.set_status(poll, "open" if action == "open" else "closed")
        else:
            polls.set_hidden(poll, action == "hide")
        return polls.poll_state(poll)

    return _answer(run)


@bp.post("/events/<int:event_id>/polls/<int:poll_id>/countdown")
@facilitator_api
def poll_countdown(event: Event, poll_id: int) -> tuple[Response, int]:
    """Close an open poll by itself after `seconds`."""
    return _answer(
        lambda: polls.start_countdown(polls.event_poll(event, poll_id), json_body().get("seconds"))
    )


@bp.post("/events/<int:event_id>/contracts/<contract>/<any(hide, reveal):action>")
@facilitator_api
def hide_results(event: Event, contract: str, action: str) -> tuple[Response, int]:
    """Hide a contract's results from the projector until revealed."""
    return _answer(facilitation.set_results_hidden, event, [contract], action == "hide")


@bp.post("/events/<int:event_id>/contracts/<contract>/countdown")
@facilitator_api
def countdown(event: Event, contract: str) -> tuple[Response, int]:
    """Close an open vote by itself after `seconds`."""
    return _answer(facilitation.start_countdown, event, [contract], json_body().get("seconds"))


@bp.post("/events/<int:event_id>/contracts/<contract>/reset")
@facilitator_api
def reset(event: Event, contract: str) -> tuple[Response, int]:
    """Remove a closed contract's votes (each removal audited) so it can be voted again."""
    try:
        removed = facilitation.reset_contract(event, contract)
    except ServiceError as error:
        return refuse(error.message, error.status)
    return jsonify(contract=contract, removed=removed), 200


@bp.post("/events/<int:event_id>/proxy-vote")
@facilitator_api
def proxy_vote(event: Event) -> tuple[Response, int]:
    """Record a vote for a delegate without a phone (audited as entered by the facilitator)."""
    body = json_body()
    delegate_id = body.get("delegate")
    delegate = delegates.event_delegate(event.id, delegate_id) if is_id(delegate_id) else None
    if delegate is None:
        return refuse("That delegate is not part of this event.", 404)
    vote_id = body.get("vote_id") or polls_vote_id()
    try:
        result = votes.cast_vote(
            delegate, body.get("contract"), body.get("level"), vote_id, entered_by="facilitator"
        )
    except ServiceError as error:
        return refuse(error.message, error.status)
    return jsonify(
        ok=True, contract=result.contract, level=result.level, duplicate=result.duplicate, seq=result.seq
    ), 200


def polls_vote_id() -> str:
    """A server-made vote id for calls that did not bring one."""
    import secrets

    return secrets.token_urlsafe(16)


@bp.put("/events/<int:event_id>/settings")
@facilitator_api
def settings(event: Event) -> tuple[Response, int]:
    """Event settings: `exclude_declared` (leave declared delegates' votes out of results)."""
    body = json_body()
    if "exclude_declared" in body:
        if not isinstance(body["exclude_declared"], bool):
            return refuse("exclude_declared must be true or false.", 422)
        interests.set_exclude_declared(event, body["exclude_declared"])
    return jsonify(exclude_declared=event.exclude_declared, stage=event.stage), 200


@bp.get("/events/<int:event_id>/declarations")
@facilitator_api
def declarations(event: Event) -> Response:
    """Every declared interest."""
    return jsonify(declarations=interests.list_declarations(event.id))


@bp.post("/polls/<int:poll_id>/answer")
def answer_poll(poll_id: int) -> tuple[Response, int]:
    """A delegate answers a poll; the same vote_id never counts twice."""
    delegate = voting_delegate()
    if delegate is None:
        return refuse("Your voting link is not valid. Please scan your QR code again.", 401)
    body = json_body()
    return _answer(polls.answer, delegate, poll_id, body.get("answer"), body.get("vote_id"))


@bp.post("/declarations")
def declare() -> tuple[Response, int]:
    """A delegate declares an interest in a contract."""
    delegate = voting_delegate()
    if delegate is None:
        return refuse("Your voting link is not valid. Please scan your QR code again.", 401)
    body = json_body()
    try:
        interests.declare(delegate, str(body.get("contract", "")), str(body.get("interest", "")))
    except ServiceError as error:
        return refuse(error.message, error.status)
    return jsonify(ok=True), 201
