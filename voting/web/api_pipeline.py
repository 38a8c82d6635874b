"""API v1, continued: the stage pipeline, Stage 3 confirmations and Stage 4 arrangements."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify
from sqlalchemy import select

from voting.domain.states import Stage
from voting.errors import Refusal
from voting.extensions import db
from voting.models import Event, StageVersion
from voting.services import is_id, stage3, stage4, stages
from voting.web import http_status
from voting.web.api import bp, facilitator_api, json_body, refuse, voting_delegate


def _run(call: Any, *args: Any, **kwargs: Any) -> tuple[Response, int]:
    result = call(*args, **kwargs)
    return jsonify(result if isinstance(result, dict) else {"ok": True}), 200


@bp.post("/events/<int:event_id>/stage")
@facilitator_api
def move_stage(event: Event) -> tuple[Response, int]:
    """Go to the next stage (freezing this one's result) or back to an earlier stage."""
    stage = json_body().get("stage")
    if not isinstance(stage, int) or isinstance(stage, bool):
        return refuse("Give the stage as a number from 1 to 4.", 422)
    return _run(stages.move_to, event, stage)


@bp.get("/events/<int:event_id>/versions")
@facilitator_api
def versions(event: Event) -> Response:
    """Every frozen version: indicative and confirmed matrices, arrangements."""
    return jsonify(versions=[stages.version_summary(v) for v in stages.all_versions(event.id)])


@bp.get("/events/<int:event_id>/versions/<int:version_id>")
@facilitator_api
def version(event: Event, version_id: int) -> tuple[Response, int]:
    """One frozen version with its full content."""
    found = (
        db.session.scalar(
            select(StageVersion).where(StageVersion.id == version_id, StageVersion.event_id == event.id)
        )
        if is_id(version_id)
        else None
    )
    if found is None:
        return refuse("There is no such version in this event.", 404)
    return jsonify({**stages.version_summary(found), "payload": json.loads(found.payload)}), 200


@bp.post("/events/<int:event_id>/contracts/<contract>/rerun")
@facilitator_api
def rerun(event: Event, contract: str) -> tuple[Response, int]:
    """Stage 3: vote on one contract again (its votes reset, audited, and it opens)."""
    return _run(stage3.rerun, event, contract)


@bp.get("/events/<int:event_id>/stage3")
@facilitator_api
def stage3_state(event: Event) -> tuple[Response, int]:
    """Open flags, contracts ranked by disagreement, value-weighted results, the working matrix."""
    return _run(stage3.console_extras, event)


@bp.post("/confirmations")
def confirm() -> tuple[Response, int]:
    """A delegate confirms their CCG's position on a contract, or amends it with a reason."""
    delegate = voting_delegate()
    if delegate is None:
        return refuse("Your voting link is not valid. Please scan your QR code again.", 401)
    body = json_body()
    return _run(
        stage3.confirm,
        delegate,
        str(body.get("contract", "")),
        str(body.get("action", "")),
        body.get("level"),
        str(body.get("reason", "")),
    )


@bp.get("/events/<int:event_id>/arrangements")
@facilitator_api
def arrangements(event: Event) -> tuple[Response, int]:
    """Every arrangement in full, and the problems that stop finalising."""

    def build() -> dict[str, Any]:
        return {
            **stage4.arrangements_payload(event),
            "problems": [
                {"kind": p.kind, "contract": p.contract, "organisation": p.org, "message": p.message}
                for p in stage4.problems(event)
            ],
        }

    return _run(build)


@bp.post("/events/<int:event_id>/arrangements/edit")
@facilitator_api
def edit(event: Event) -> tuple[Response, int]:
    """Move a CCG (`contract`, `organisation`, `to` key or null), merge (`key`, `other`) or split (`key`, `members`)."""
    body = json_body()
    operation = str(body.get("operation", ""))
    # Only the edit's own fields: any other key in the body must not reach the call as an argument.
    fields = ("contract", "organisation", "to", "key", "other", "members")
    return _run(stage4.edit, event, operation, **{name: body[name] for name in fields if name in body})


@bp.patch("/events/<int:event_id>/arrangements/<key>")
@facilitator_api
def update(event: Event, key: str) -> tuple[Response, int]:
    """Set co-ordinator, model, decision rule, quorum, what happens on disagreement, cost method."""
    return _run(stage4.update, event, key, json_body())


@bp.post("/events/<int:event_id>/arrangements/<key>/contributions")
@facilitator_api
def contribution(event: Event, key: str) -> tuple[Response, int]:
    """A member's contribution (role, days or WTE, notes) and, for custom splits, its percentage."""
    body = json_body()
    return _run(
        stage4.contribute,
        event,
        key,
        str(body.get("organisation", "")),
        str(body.get("role", "")),
        str(body.get("days", "")),
        str(body.get("notes", "")),
        str(body.get("percent", "")),
    )


@bp.post("/arrangements/<key>/ballot")
def ballot(key: str) -> tuple[Response, int]:
    """A member CCG's delegate votes yes/no/abstain on the proposed co-ordinator or model."""
    delegate = voting_delegate()
    if delegate is None:
        return refuse("Your voting link is not valid. Please scan your QR code again.", 401)
    body = json_body()

    def cast() -> dict[str, Any]:
        topic = str(body.get("topic", ""))
        decision = stage4.cast_ballot(delegate, key, topic, str(body.get("ballot", "")))
        return {
            "passed": decision.passed,
            "reason": decision.reason,
            **stage4.ballot_view(delegate, key, topic),
        }

    return _run(cast)


@bp.post("/events/<int:event_id>/finalise")
@facilitator_api
def finalise(event: Event) -> tuple[Response, int]:
    """Freeze the arrangements; refused (409) while anything is orphaned or contradictory."""
    try:
        frozen = stages.finalise(event)
    except Refusal as error:
        problems = (
            [{"contract": p.contract, "message": p.message} for p in stage4.problems(event)]
            if event.stage == Stage.ARRANGING
            else []
        )
        return jsonify(error=error.message, problems=problems), 409 if problems else http_status(error)
    return jsonify(stages.version_summary(frozen)), 200
