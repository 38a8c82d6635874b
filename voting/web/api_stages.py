"""API v1, continued: polls, facilitation controls and conflicts of interest (docs/api.md)."""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify

from voting.domain.states import PollState
from voting.models import Event
from voting.services import delegates, facilitation, interests, polls, votes
from voting.web.api import bp, delegate_api, facilitator_api, refuse
from voting.web.declared import DELEGATE, declare
from voting.web.schemas import (
    AnswerBody,
    Answered,
    Declarations,
    Done,
    Reset,
    SecondsBody,
    Settings,
    SettingsBody,
    VoteRecorded,
)
from voting.web.schemas_polls import Poll, PollBody, ProxyVoteBody
from voting.web.schemas_stages import DeclarationBody


def _answer(call: Any, *args: Any, status: int = 200) -> tuple[Response, int]:
    """Run a service call and answer with its result (a refusal is answered by the web layer's handler)."""
    result = call(*args)
    return jsonify(result if isinstance(result, dict) else {"ok": True}), status


@bp.post("/events/<int:event_id>/polls")
@facilitator_api
@declare(
    json=PollBody, ok={201: (Poll, "The poll with its results.")}, errors=(401, 404, 413), tags=["polls"]
)
def create_poll(event: Event, json: PollBody) -> tuple[Response, int]:
    """Create a poll: yes/no/unsure, single choice with options, or a 1-5 scale; named or anonymous."""
    poll = polls.create_poll(event, json.kind, json.question, json.options, json.anonymous)
    return jsonify(polls.poll_state(poll)), 201


@bp.get("/events/<int:event_id>/polls/<int:poll_id>")
@facilitator_api
@declare(ok={200: (Poll, "The poll with its results.")}, errors=(401, 404), tags=["polls"])
def show_poll(event: Event, poll_id: int) -> tuple[Response, int]:
    """A poll with its results."""
    return _answer(lambda: polls.poll_state(polls.event_poll(event, poll_id)))


@bp.post("/events/<int:event_id>/polls/<int:poll_id>/open", defaults={"action": "open"})
@bp.post("/events/<int:event_id>/polls/<int:poll_id>/close", defaults={"action": "close"})
@bp.post("/events/<int:event_id>/polls/<int:poll_id>/hide", defaults={"action": "hide"})
@bp.post("/events/<int:event_id>/polls/<int:poll_id>/reveal", defaults={"action": "reveal"})
@facilitator_api
@declare(ok={200: (Poll, "The poll with its results.")}, errors=(401, 404, 422), tags=["polls"])
def poll_action(event: Event, poll_id: int, action: str) -> tuple[Response, int]:
    """Open, close, hide or reveal a poll."""

    def run() -> dict[str, Any]:
        poll = polls.event_poll(event, poll_id)
        if action in ("open", "close"):
            polls.set_status(poll, PollState.OPEN if action == "open" else PollState.CLOSED)
        else:
            polls.set_hidden(poll, action == "hide")
        return polls.poll_state(poll)

    return _answer(run)


@bp.post("/events/<int:event_id>/polls/<int:poll_id>/countdown")
@facilitator_api
@declare(json=SecondsBody, ok={200: (Done, "Started.")}, errors=(401, 404, 413), tags=["polls"])
def poll_countdown(event: Event, poll_id: int, json: SecondsBody) -> tuple[Response, int]:
    """Close an open poll by itself after 5-3600 seconds."""
    return _answer(lambda: polls.start_countdown(polls.event_poll(event, poll_id), json.seconds))


@bp.post("/events/<int:event_id>/contracts/<contract>/hide", defaults={"action": "hide"})
@bp.post("/events/<int:event_id>/contracts/<contract>/reveal", defaults={"action": "reveal"})
@facilitator_api
@declare(ok={200: (Done, "Done.")}, errors=(401, 404, 422), tags=["facilitation"])
def hide_results(event: Event, contract: str, action: str) -> tuple[Response, int]:
    """Hide the contract's results on the projector until revealed, or reveal them."""
    return _answer(facilitation.set_results_hidden, event, [contract], action == "hide")


@bp.post("/events/<int:event_id>/contracts/<contract>/countdown")
@facilitator_api
@declare(json=SecondsBody, ok={200: (Done, "Started.")}, errors=(401, 404, 413), tags=["facilitation"])
def countdown(event: Event, contract: str, json: SecondsBody) -> tuple[Response, int]:
    """Close an open vote by itself after 5-3600 seconds."""
    return _answer(facilitation.start_countdown, event, [contract], json.seconds)


@bp.post("/events/<int:event_id>/contracts/<contract>/reset")
@facilitator_api
@declare(ok={200: (Reset, "How many votes were removed.")}, errors=(401, 404, 422), tags=["facilitation"])
def reset(event: Event, contract: str) -> tuple[Response, int]:
    """Remove a closed contract's votes (each removal audited) so it can be voted again."""
    removed = facilitation.reset_contract(event, contract)
    return jsonify(contract=contract, removed=removed), 200


@bp.post("/events/<int:event_id>/proxy-vote")
@facilitator_api
@declare(
    json=ProxyVoteBody,
    ok={200: (VoteRecorded, "Recorded.")},
    errors=(401, 403, 404, 409, 413, 423),
    tags=["voting"],
)
def proxy_vote(event: Event, json: ProxyVoteBody) -> tuple[Response, int]:
    """A vote for a delegate without a phone (audited as entered by the facilitator)."""
    delegate = delegates.event_delegate(event.id, json.delegate)
    if delegate is None:
        return refuse("That delegate is not part of this event.", 404)
    vote_id = json.vote_id or polls_vote_id()
    result = votes.cast_vote(delegate, json.contract, json.level, vote_id, entered_by="facilitator")
    return jsonify(
        ok=True, contract=result.contract, level=result.level, duplicate=result.duplicate, seq=result.seq
    ), 200


def polls_vote_id() -> str:
    """A server-made vote id for calls that did not bring one."""
    import secrets

    return secrets.token_urlsafe(16)


@bp.put("/events/<int:event_id>/settings")
@facilitator_api
@declare(
    json=SettingsBody,
    ok={200: (Settings, "The settings now.")},
    errors=(401, 404, 413),
    tags=["facilitation"],
)
def settings(event: Event, json: SettingsBody) -> tuple[Response, int]:
    """Event settings: `exclude_declared` (leave declared delegates' votes out of results)."""
    if "exclude_declared" in json.model_fields_set:
        interests.set_exclude_declared(event, json.exclude_declared)
    return jsonify(exclude_declared=event.exclude_declared, stage=event.stage), 200


@bp.get("/events/<int:event_id>/declarations")
@facilitator_api
@declare(ok={200: (Declarations, "The declarations.")}, errors=(401, 404), tags=["facilitation"])
def declarations(event: Event) -> Response:
    """Every declared interest."""
    return jsonify(declarations=interests.list_declarations(event.id))


@bp.post("/polls/<int:poll_id>/answer")
@delegate_api
@declare(
    json=AnswerBody,
    ok={200: (Answered, "Recorded (or a resend).")},
    errors=(401, 403, 404, 409, 413, 423),
    security=DELEGATE,
    tags=["polls"],
)
def answer_poll(poll_id: int, json: AnswerBody) -> tuple[Response, int]:
    """Answer a poll (delegate); the same vote_id never counts twice."""
    return _answer(polls.answer, g.delegate, poll_id, json.answer, json.vote_id)


@bp.post("/declarations", endpoint="declare")
@delegate_api
@declare(
    json=DeclarationBody,
    ok={201: (Done, "Recorded.")},
    errors=(401, 403, 404, 413),
    security=DELEGATE,
    tags=["facilitation"],
)
def declare_interest(json: DeclarationBody) -> tuple[Response, int]:
    """Declare a conflict of interest in a contract (delegate)."""
    interests.declare(g.delegate, json.contract, json.interest)
    return jsonify(ok=True), 201
