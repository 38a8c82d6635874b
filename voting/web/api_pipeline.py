"""API v1, continued: the stage pipeline, Stage 3 confirmations and Stage 4 arrangements."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, g, jsonify
from sqlalchemy import select

from voting.domain.states import Stage
from voting.errors import Refusal
from voting.extensions import db
from voting.models import Event, StageVersion
from voting.services import is_id, stage3, stage4, stages
from voting.web import http_status
from voting.web.api import bp, delegate_api, facilitator_api, refuse
from voting.web.declared import DELEGATE, declare
from voting.web.schemas import Done
from voting.web.schemas_reads import Arrangements, Stage3
from voting.web.schemas_stages import (
    ArrangementBody,
    BallotBody,
    ConfirmationBody,
    ContributionBody,
    Decision,
    EditBody,
    FinaliseRefused,
    StageBody,
    StageMoved,
    Version,
    VersionContent,
    Versions,
)


def _run(call: Any, *args: Any, **kwargs: Any) -> tuple[Response, int]:
    result = call(*args, **kwargs)
    return jsonify(result if isinstance(result, dict) else {"ok": True}), 200


@bp.post("/events/<int:event_id>/stage")
@facilitator_api
@declare(json=StageBody, ok={200: (StageMoved, "The stage now.")}, errors=(401, 404, 413), tags=["stages"])
def move_stage(event: Event, json: StageBody) -> tuple[Response, int]:
    """Move to the next stage (freezing this one's result) or back to an earlier stage."""
    return _run(stages.move_to, event, json.stage)


@bp.get("/events/<int:event_id>/versions")
@facilitator_api
@declare(ok={200: (Versions, "The versions, oldest first.")}, errors=(401, 404), tags=["stages"])
def versions(event: Event) -> Response:
    """Every frozen version: indicative and confirmed matrices, arrangements."""
    return jsonify(versions=[stages.version_summary(v) for v in stages.all_versions(event.id)])


@bp.get("/events/<int:event_id>/versions/<int:version_id>")
@facilitator_api
@declare(ok={200: (VersionContent, "The version.")}, errors=(401, 404), tags=["stages"])
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
@declare(ok={200: (Done, "Reset and opened.")}, errors=(401, 404, 422), tags=["stages"])
def rerun(event: Event, contract: str) -> tuple[Response, int]:
    """Stage 3: vote on one contract again (its votes reset, audited, and it opens)."""
    return _run(stage3.rerun, event, contract)


@bp.get("/events/<int:event_id>/stage3")
@facilitator_api
@declare(ok={200: (Stage3, "Stage 3.")}, errors=(401, 404, 422), tags=["stages"])
def stage3_state(event: Event) -> tuple[Response, int]:
    """Open flags, contracts ranked by disagreement, value-weighted results, the working matrix."""
    return _run(stage3.console_extras, event)


@bp.post("/confirmations")
@delegate_api
@declare(
    json=ConfirmationBody,
    ok={200: (Done, "Recorded.")},
    errors=(401, 403, 413, 423),
    security=DELEGATE,
    tags=["stages"],
)
def confirm(json: ConfirmationBody) -> tuple[Response, int]:
    """Stage 3: confirm the CCG's position on a contract, or amend it with a reason (delegate)."""
    return _run(stage3.confirm, g.delegate, json.contract, json.action, json.level, json.reason)


@bp.get("/events/<int:event_id>/arrangements")
@facilitator_api
@declare(ok={200: (Arrangements, "The arrangements.")}, errors=(401, 404, 422), tags=["stages"])
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
@declare(json=EditBody, ok={200: (Done, "Done.")}, errors=(401, 404, 413), tags=["stages"])
def edit(event: Event, json: EditBody) -> tuple[Response, int]:
    """Stage 4: move a CCG, merge two arrangements or split one."""
    fields = json.model_dump(exclude_unset=True, exclude={"operation"})  # the edit's own fields only
    return _run(stage4.edit, event, json.operation, **fields)


@bp.patch("/events/<int:event_id>/arrangements/<key>")
@facilitator_api
@declare(json=ArrangementBody, ok={200: (Done, "Done.")}, errors=(401, 404, 413), tags=["stages"])
def update(event: Event, key: str, json: ArrangementBody) -> tuple[Response, int]:
    """Stage 4: set co-ordinator, model, decision rule, quorum, what happens on disagreement, cost method."""
    return _run(stage4.update, event, key, json.model_dump(exclude_unset=True))


@bp.post("/events/<int:event_id>/arrangements/<key>/contributions")
@facilitator_api
@declare(json=ContributionBody, ok={200: (Done, "Done.")}, errors=(401, 404, 413), tags=["stages"])
def contribution(event: Event, key: str, json: ContributionBody) -> tuple[Response, int]:
    """Stage 4: a member's contribution (role, days or WTE, notes) and (custom split) percentage."""
    return _run(
        stage4.contribute, event, key, json.organisation, json.role, json.days, json.notes, str(json.percent)
    )


@bp.post("/arrangements/<key>/ballot")
@delegate_api
@declare(
    json=BallotBody,
    ok={200: (Decision, "The decision under the arrangement's rule.")},
    errors=(401, 403, 404, 409, 413, 423),
    security=DELEGATE,
    tags=["stages"],
)
def ballot(key: str, json: BallotBody) -> tuple[Response, int]:
    """Stage 4: a member CCG votes yes/no/abstain on the proposed co-ordinator or model (delegate)."""
    delegate = g.delegate

    def cast() -> dict[str, Any]:
        decision = stage4.cast_ballot(delegate, key, json.topic, json.ballot)
        return {
            "passed": decision.passed,
            "reason": decision.reason,
            **stage4.ballot_view(delegate, key, json.topic),
        }

    return _run(cast)


@bp.post("/events/<int:event_id>/finalise")
@facilitator_api
@declare(
    ok={
        200: (Version, "The frozen version."),
        409: (FinaliseRefused, "What must be fixed first."),
        422: (FinaliseRefused, "Not at stage 4."),
    },
    errors=(401, 404),
    tags=["stages"],
)
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
