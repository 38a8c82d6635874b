"""Every Socket.IO handler. Connections are authenticated here, at the handshake; they carry
pushes only - votes and sign-in go over HTTP."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import request, session
from flask_socketio import ConnectionRefusedError, disconnect, emit, join_room

from voting.db_setup import reader
from voting.errors import Invalid, NotAllowed, Refusal, Unauthorised
from voting.extensions import db, socketio
from voting.models import Delegate, Event
from voting.models.delegate import ACTIVE, PENDING
from voting.realtime import rooms
from voting.realtime.publish import publisher
from voting.realtime.watch import API, DELEGATE, SESSION, Held
from voting.services import is_id
from voting.services.auth import find_api_token
from voting.services.phones import chain_position
from voting.services.polls import answered_polls, own_answers
from voting.services.screens import screen_states
from voting.services.snapshots import delegate_ballot
from voting.services.tokens import hash_token
from voting.services.votes import own_votes
from voting.web.common import facilitator_signed_in
from voting.web.rate_limits import resync_allowed

log = logging.getLogger(__name__)


def _screen_credential(auth: dict[str, Any], event_id: int) -> Held | None:
    """The facilitator's sign-in (checked against its record) or an API token valid for this event."""
    if facilitator_signed_in():
        return Held(SESSION, hash_token(session["facilitator_session"]))
    token = auth.get("token")
    found = find_api_token(token) if isinstance(token, str) else None
    if found is None or found.event_id not in (None, event_id):
        return None
    return Held(API, found.id)


def _screen_snapshot(event: Event, audience: str) -> dict[str, Any]:
    console, projector = screen_states(event)
    state = console if audience == "console" else projector
    state["seq"] = publisher.next_seq()
    return state


def _delegate_snapshot(delegate: Delegate) -> dict[str, Any]:
    if delegate.status != ACTIVE:
        # Waiting to be let in: the page shows only "Waiting to be let in", so the socket sends only
        # what that page needs (its status), not the CCG's contracts, values, polls or votes.
        return {"seq": publisher.next_seq(), "status": delegate.status}
    event = db.session.get(Event, delegate.event_id)
    assert event is not None
    # Read first, in the same read transaction as the votes: how new this snapshot is.
    as_of = chain_position(event.id)
    ballot = delegate_ballot(event, delegate.organisation)
    ballot["as_of"] = as_of
    ballot["seq"] = publisher.next_seq()
    ballot["status"] = delegate.status
    ballot["votes"] = own_votes(delegate)
    ballot["poll_answers"] = {str(k): v for k, v in own_answers(delegate).items()}
    ballot["polls_answered"] = sorted(answered_polls(delegate))
    return ballot


def _session_delegate() -> Delegate | None:
    """The session's delegate, if not removed and the link it joined with is still theirs."""
    delegate_id = session.get("delegate")
    if not isinstance(delegate_id, int):
        return None
    delegate = db.session.get(Delegate, delegate_id)
    if delegate is None or delegate.status not in (ACTIVE, PENDING):
        return None
    if session.get("delegate_token") != delegate.token_hash:
        return None  # the facilitator reissued the links since this phone joined
    return delegate


def refusals_refuse_the_connection(handler: Callable[..., None]) -> Callable[..., None]:
    """What a typed refusal becomes on Socket.IO, decided once: the connection is refused with its
    sentence (the client's connect_error carries it); the read is ended first."""

    @wraps(handler)
    def wrapped(*args: Any) -> None:
        try:
            handler(*args)
        except Refusal as refusal:
            db.session.rollback()
            raise ConnectionRefusedError(refusal.message) from None

    return wrapped


def connect(auth: Any = None) -> None:
    """Join the rooms this connection may hear, then send it a full snapshot."""
    auth = auth if isinstance(auth, dict) else {}
    audience = auth.get("audience")
    if audience in ("projector", "console"):
        event = db.session.get(Event, auth["event"]) if is_id(auth.get("event")) else None
        held = None if event is None else _screen_credential(auth, event.id)
        if event is None or held is None:
            raise NotAllowed("Sign in as the facilitator to see this screen.")
        snapshot, event_id = _screen_snapshot(event, audience), event.id
        db.session.rollback()  # end the read before any network I/O (and touch no object after it:
        join_room(rooms.screen(event_id, audience))  # an expired attribute would begin another)
        join_room(rooms.FACILITATORS)
        if held.kind == SESSION:
            join_room(rooms.facilitator_session(session["facilitator_session"]))
        else:
            join_room(rooms.api_token(int(held.key)))
        publisher.hold(request.sid, held)  # type: ignore[attr-defined]
        emit("state", snapshot)
        return
    if audience == "delegate":
        delegate = _session_delegate()
        if delegate is None:
            raise Unauthorised("This voting link is no longer valid.")
        snapshot = _delegate_snapshot(delegate)
        delegate_id, event_id, org_id = delegate.id, delegate.event_id, delegate.organisation_id
        held = Held(DELEGATE, delegate.id, delegate.token_hash, delegate.status)
        db.session.rollback()
        join_room(rooms.delegate(event_id, delegate_id))
        if held.status == ACTIVE:
            join_room(rooms.organisation(event_id, org_id))
        publisher.hold(request.sid, held)  # type: ignore[attr-defined]
        emit("ballot", snapshot)
        return
    raise Invalid("Unknown screen.")


def resync(*_data: Any) -> None:
    """A phone that suspects it missed something asks for its snapshot again (screens reconnect).
    Whatever it sends with the request (any number of arguments) is ignored."""
    if not resync_allowed(request.sid):  # type: ignore[attr-defined]  (RESYNC_LIMIT per connection)
        return  # a flood of resyncs gets no more snapshots; the last one sent still stands
    if "delegate" not in session:
        return  # a screen: screens reconnect rather than resync
    delegate = _session_delegate()
    if delegate is None:
        db.session.rollback()
        disconnect()  # removed, or its link reissued: it reconnects, is refused, and says so
        return
    snapshot = _delegate_snapshot(delegate)
    db.session.rollback()
    emit("ballot", snapshot)


def closed(*_reason: Any) -> None:
    """A connection ended: its credential need not be checked any more."""
    publisher.release(request.sid)  # type: ignore[attr-defined]


def register() -> None:
    """Attach the handlers to the current Socket.IO server (create_app calls this for every app).

    Every create_app() builds a new server, and Flask-SocketIO's decorators only reach the server
    that exists when this module is first imported, so a second app would have had no handlers.
    """
    # Handlers carry pushes only (votes and sign-in go over HTTP): every one of them only reads.
    socketio.on_event("connect", reader(refusals_refuse_the_connection(connect)))
    socketio.on_event("resync", reader(resync))
    socketio.on_event("disconnect", reader(closed))
