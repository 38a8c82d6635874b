"""Public HTTP API v1 (docs/api.md). Facilitator calls carry an API token; delegates their own token."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request, session
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from voting.audit import head as audit_head
from voting.extensions import db
from voting.models import Delegate, Event
from voting.services import ServiceError, auth, contracts, delegates, events, imports, is_id, voters, votes
from voting.services.screens import console_state
from voting.services.snapshots import event_matrix
from voting.web.common import public_url
from voting.web.facilitator import matrix_download
from voting.web.throttle import Throttle

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def bearer() -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def refuse(message: str, status: int) -> tuple[Response, int]:
    return jsonify(error=message), status


def facilitator_api(view: Callable[..., Any]) -> Callable[..., Any]:
    """Require a facilitator API token; event ids in the path must exist."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not auth.api_token_valid(bearer(), kwargs.get("event_id")):
            return refuse("A valid facilitator API token is required.", 401)
        if "event_id" in kwargs:
            event_id = kwargs.pop("event_id")
            event = db.session.get(Event, event_id) if is_id(event_id) else None
            if event is None:
                return refuse("There is no such event.", 404)
            kwargs["event"] = event
        return view(*args, **kwargs)

    return wrapped


def json_object() -> dict[str, Any] | None:
    """The body as a JSON object, or None: not JSON, not an object, nested too deeply to read, or
    text no database can store (a lone surrogate such as "\\ud800" is valid JSON but not Unicode)."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return None
    if not isinstance(body, dict) or not _storable(body):
        return None
    return body


def _storable(value: object) -> bool:
    """True when every string in a parsed JSON value (keys too) encodes as UTF-8; no recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


def json_body() -> dict[str, Any]:
    body = json_object()
    if body is None:
        abort(400, description="Send a JSON object.")
    return body


@bp.post("/events")
@facilitator_api
def create_event() -> tuple[Response, int]:
    """Create an event."""
    try:
        event = events.create_event(str(json_body().get("name", "")))
    except ServiceError as error:
        return refuse(error.message, error.status)
    return jsonify(id=event.id, join_code=event.join_code), 201


@bp.get("/events/<int:event_id>")
@facilitator_api
def show_event(event: Event) -> Response:
    """The whole live state of an event, as the console sees it."""
    return jsonify(console_state(event))


@bp.put("/events/<int:event_id>/<any(organisations, contracts):kind>")
@facilitator_api
def import_file(event: Event, kind: str) -> tuple[Response, int]:
    """Replace organisations or contracts from a CSV (or XLSX) body; all or nothing."""
    runner = imports.import_organisations if kind == "organisations" else imports.import_contracts
    count, problems = runner(event, request.get_data())
    if problems:
        return jsonify(errors=[problem.to_dict() for problem in problems]), 422
    return jsonify(imported=count), 200


@bp.post("/events/<int:event_id>/delegates")
@facilitator_api
def add_delegate(event: Event) -> tuple[Response, int]:
    """Create a delegate; the token and join URL are returned once."""
    body = json_body()
    try:
        delegate, token = delegates.create_delegate(
            event, str(body.get("organisation", "")), str(body.get("name", ""))
        )
    except ServiceError as error:
        return refuse(error.message, error.status)
    return jsonify(
        id=delegate.id, token=token, join_url=public_url("delegate.personal_link", token=token)
    ), 201


@bp.post("/events/<int:event_id>/contracts/<contract>/<any(open, close):action>")
@facilitator_api
def voting_control(event: Event, contract: str, action: str) -> tuple[Response, int]:
    """Open or close voting on one contract."""
    change = contracts.open_contracts if action == "open" else contracts.close_contracts
    try:
        change(event, [contract])
    except ServiceError as error:
        return refuse(error.message, error.status)
    found = events.find_contract(event.id, contract.strip())  # as select_contracts found it
    return jsonify(contract=contract, status=found.status if found else None), 200


@bp.get("/events/<int:event_id>/matrix.<any(csv, xlsx, json):fmt>")
@facilitator_api
def matrix(event: Event, fmt: str) -> Response:
    """The matrix in the Annex 2 layout."""
    if fmt != "json":
        return matrix_download(event, fmt)
    result, _positions, _votes = event_matrix(event)
    return jsonify(
        columns=[{"id": c.code, "name": c.name} for c in result.columns],
        rows=[{"code": r.code, "name": r.name, "cells": result.row_labels(r.code)} for r in result.rows],
        audit_head=audit_head(event.id),  # read in the same snapshot as the matrix (a GET reads one)
    )


def vote_allowed(delegate_id: int) -> bool:
    """Per delegate, not per address (a whole hall shares one): 60 votes in 10 seconds is plenty
    for a 20-contract ballot with resends, and stops a runaway client."""
    limiter = current_app.extensions.setdefault("vote_throttle", Throttle(limit=60, window=10))
    return bool(limiter.allow(f"delegate:{delegate_id}"))


def voting_voter() -> voters.Voter | None:
    """The delegate's own token, or the phone page's session cookie with its CSRF header.

    Either way the Voter carries the hash of the link it came with, which the action itself compares
    with the delegate's current one (a vote inside its own transaction; the others in
    voting_delegate), so a reissued link stops working at once on every process.
    """
    token = bearer()
    if token:
        return voters.by_token(token)
    delegate_id = session.get("delegate")
    joined_with = session.get("delegate_token")
    if not isinstance(delegate_id, int) or not isinstance(joined_with, str):
        return None
    try:
        validate_csrf(request.headers.get("X-CSRFToken", ""))
    except ValidationError:
        return None
    voter = voters.by_id(delegate_id)
    return None if voter is None else voters.Voter(voter.id, joined_with)


def voting_delegate() -> Delegate | None:
    """The same delegate, loaded in this request's transaction, if the link it came with is still
    theirs; for routes that need more than who it is (a vote checks in its own transaction).
    Whether they may act (admitted, not removed) each action says in the same transaction, with its
    own 403 sentence."""
    voter = voting_voter()
    if voter is None:
        return None
    delegate = db.session.get(Delegate, voter.id)
    if delegate is None or delegate.token_hash != voter.token_hash:
        return None
    return delegate


@bp.post("/vote")
def vote() -> tuple[Response, int]:
    """Cast or change a vote; resending the same vote_id never counts twice."""
    delegate = voting_voter()  # no query in the common case: the vote's transaction checks the rest
    if delegate is None:
        return refuse("Your voting link is not valid. Please scan your QR code again.", 401)
    if not vote_allowed(delegate.id):
        response, status = refuse(
            "Too many votes too quickly. Wait a few seconds: your vote is kept and sent again.", 429
        )
        response.headers["Retry-After"] = "5"
        return response, status
    body = json_object()
    if body is None:
        return refuse("The vote could not be read. Please try again.", 400)
    try:
        result = votes.cast_vote(
            delegate,
            body.get("contract"),
            body.get("level"),
            body.get("vote_id"),
            sent_round=body.get("round"),
        )
    except ServiceError as error:
        return refuse(error.message, error.status)
    return jsonify(
        ok=True, contract=result.contract, level=result.level, duplicate=result.duplicate, seq=result.seq
    ), 200
