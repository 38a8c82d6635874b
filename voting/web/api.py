"""Public HTTP API v1 (docs/api.md). Facilitator calls carry an API token; delegates their own token."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, abort, g, jsonify, request, session
from flask_limiter import RequestLimit
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from voting.audit import head as audit_head
from voting.extensions import db, limiter
from voting.models import Delegate, Event
from voting.services import auth, contracts, delegates, events, imports, is_id, voters, votes
from voting.services.screens import console_state
from voting.services.snapshots import event_matrix
from voting.web import rate_limits
from voting.web.common import public_url
from voting.web.declared import DELEGATE, Document, declare, document, json_object
from voting.web.facilitator import matrix_download
from voting.web.schemas import (
    ContractStatus,
    DelegateBody,
    DelegateCreated,
    EventBody,
    EventCreated,
    Imported,
    ImportErrors,
    VoteBody,
    VoteRecorded,
)
from voting.web.schemas_reads import ConsoleState, MatrixJson

bp = Blueprint("api", __name__, url_prefix="/api/v1")
INVALID_LINK = "Your voting link is not valid. Please scan your QR code again."
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def json_body() -> dict[str, Any]:
    """The body as a JSON object, else a 400 with a sentence (routes not yet declared)."""
    body = json_object()
    if body is None:
        abort(400, description="Send a JSON object.")
    return body


@bp.post("/events")
@facilitator_api
@declare(json=EventBody, ok={201: (EventCreated, "Created.")}, errors=(401, 413), tags=["events"])
def create_event(json: EventBody) -> tuple[Response, int]:
    """Create an event.

    422 when the name is empty or longer than 200 characters."""
    event = events.create_event(json.name)
    return jsonify(id=event.id, join_code=event.join_code), 201


@bp.get("/events/<int:event_id>")
@facilitator_api
@declare(ok={200: (ConsoleState, "The console's state.")}, errors=(401, 404), tags=["events"])
def show_event(event: Event) -> Response:
    """The whole live state of an event, as the console sees it."""
    return jsonify(console_state(event))


IMPORT_BODY = {
    "required": True,
    "description": "The file itself: CSV (UTF-8, a BOM is fine; Windows-1252 is read too) or XLSX "
    "(detected from its bytes; first sheet). Limit 5 MB, 50,000 rows.",
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        XLSX: {"schema": {"type": "string", "contentMediaType": XLSX}},
    },
}


# One rule per kind, so that the description has one path per kind, as the routes are called.
@bp.put("/events/<int:event_id>/organisations", defaults={"kind": "organisations"})
@bp.put("/events/<int:event_id>/contracts", defaults={"kind": "contracts"})
@facilitator_api
@declare(
    ok={
        200: (Imported, "Everything imported (all or nothing)."),
        422: (ImportErrors, "Every problem in the file; nothing was changed."),
    },
    errors=(401, 404, 413),
    tags=["imports"],
    request_body=IMPORT_BODY,
)
def import_file(event: Event, kind: str) -> tuple[Response, int]:
    """Replace the event's organisations or contracts from a file (CSV or XLSX); all or nothing."""
    runner = imports.import_organisations if kind == "organisations" else imports.import_contracts
    count, problems = runner(event, request.get_data())
    if problems:
        return jsonify(errors=[problem.to_dict() for problem in problems]), 422
    return jsonify(imported=count), 200


@bp.post("/events/<int:event_id>/delegates")
@facilitator_api
@declare(
    json=DelegateBody,
    ok={201: (DelegateCreated, "The token is shown once.")},
    errors=(401, 404, 413),
    tags=["delegates"],
)
def add_delegate(event: Event, json: DelegateBody) -> tuple[Response, int]:
    """Create a delegate with a personal link; the token and join URL are returned once."""
    delegate, token = delegates.create_delegate(event, json.organisation, json.name)
    return jsonify(
        id=delegate.id, token=token, join_url=public_url("delegate.personal_link", token=token)
    ), 201


@bp.post("/events/<int:event_id>/contracts/<contract>/open", defaults={"action": "open"})
@bp.post("/events/<int:event_id>/contracts/<contract>/close", defaults={"action": "close"})
@facilitator_api
@declare(ok={200: (ContractStatus, "The contract's status.")}, errors=(401, 404, 422), tags=["voting"])
def voting_control(event: Event, contract: str, action: str) -> tuple[Response, int]:
    """Open or close voting on a contract.

    Opening an open contract or closing a closed one changes nothing."""
    change = contracts.open_contracts if action == "open" else contracts.close_contracts
    change(event, [contract])
    found = events.find_contract(event.id, contract.strip())  # as select_contracts found it
    return jsonify(contract=contract, status=found.status if found else None), 200


# One rule per format, so that the description has one path per format, as the routes are called.
@bp.get("/events/<int:event_id>/matrix.json", defaults={"fmt": "json"})
@bp.get("/events/<int:event_id>/matrix.csv", defaults={"fmt": "csv"})
@bp.get("/events/<int:event_id>/matrix.xlsx", defaults={"fmt": "xlsx"})
@facilitator_api
@declare(
    ok={200: (MatrixJson, "The matrix (CSV: UTF-8 with a BOM, legend after a blank line).")},
    errors=(401, 404),
    tags=["matrix"],
    files={"csv": "text/csv", "xlsx": XLSX},
)
def matrix(event: Event, fmt: str) -> Response:
    """The matrix in the Annex 2 layout, as JSON, CSV or an Excel workbook."""
    if fmt != "json":
        return matrix_download(event, fmt)
    result, _positions, _votes = event_matrix(event)
    return jsonify(
        columns=[{"id": c.code, "name": c.name} for c in result.columns],
        rows=[{"code": r.code, "name": r.name, "cells": result.row_labels(r.code)} for r in result.rows],
        audit_head=audit_head(event.id),  # read in the same snapshot as the matrix (a GET reads one)
    )


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


def too_many_votes(_limit: RequestLimit) -> Response:
    """The answer past VOTE_LIMIT (per delegate, not per address: a whole hall shares one)."""
    response, status = refuse(
        "Too many votes too quickly. Wait a few seconds: your vote is kept and sent again.", 429
    )
    response.status_code = status
    response.headers["Retry-After"] = "5"
    return response


def voter_api(view: Callable[..., Any]) -> Callable[..., Any]:
    """Require the delegate's token (or the phone page's session); the view finds it in g.voter.
    Runs before the body is read: a wrong token is a 401 whatever the body."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        voter = voting_voter()  # no query in the common case: the vote's transaction checks the rest
        if voter is None:
            return refuse(INVALID_LINK, 401)
        g.voter = voter
        return view(*args, **kwargs)

    return wrapped


def delegate_api(view: Callable[..., Any]) -> Callable[..., Any]:
    """Require the delegate's token (or session), loaded into g.delegate, before the body is read."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        delegate = voting_delegate()
        if delegate is None:
            return refuse(INVALID_LINK, 401)
        g.delegate = delegate
        return view(*args, **kwargs)

    return wrapped


@bp.post("/vote")
@limiter.limit(
    rate_limits.vote_limit,
    key_func=rate_limits.delegate_key,
    exempt_when=rate_limits.no_delegate,  # no delegate named: answered 401 below, nothing counted
    on_breach=too_many_votes,
)
@voter_api
@declare(
    json=VoteBody,
    ok={200: (VoteRecorded, "Recorded (or a resend of a recorded vote).")},
    errors=(401, 403, 409, 413, 423, 429),
    security=DELEGATE,
    tags=["voting"],
)
def vote(json: VoteBody) -> tuple[Response, int]:
    """Cast or change a vote (delegate); resending the same vote_id never counts twice.

    The phone page may send its session cookie and an X-CSRFToken header instead of the token."""
    result = votes.cast_vote(g.voter, json.contract, json.level, json.vote_id, sent_round=json.round)
    return jsonify(
        ok=True, contract=result.contract, level=result.level, duplicate=result.duplicate, seq=result.seq
    ), 200


@bp.get("/openapi.json")
@declare(ok={200: (Document, "OpenAPI 3.1.")}, security=[], tags=["meta"])
def openapi_json() -> Response:
    """This description (no token needed)."""
    return jsonify(document())
