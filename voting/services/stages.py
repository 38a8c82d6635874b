"""The four stages of Annex 2 as a pipeline, each stage's result frozen as a dated version."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from voting.domain.replay import freeze_detail
from voting.domain.states import ContractState, Stage, stage_move
from voting.errors import Invalid
from voting.extensions import db
from voting.models import Contract, Event, StageVersion
from voting.models.stage import ARRANGEMENTS, CONFIRMED, INDICATIVE
from voting.realtime.publish import publisher
from voting.services.log import record
from voting.timefmt import iso

STAGES = {
    1: "Do we have an appetite for collaboration?",
    2: "What do we want to collaborate on?",
    3: "Are we sure?",
    4: "So who and how will we make it work?",
}


def latest_version(event_id: int, kind: str) -> StageVersion | None:
    """The newest frozen version of a kind, or None."""
    return db.session.scalar(
        select(StageVersion)
        .where(StageVersion.event_id == event_id, StageVersion.kind == kind)
        .order_by(StageVersion.number.desc())
        .limit(1)
    )


def freeze(event: Event, kind: str, payload: dict[str, Any]) -> StageVersion:
    """Add a new numbered version (in the caller's transaction); earlier ones are kept as they were."""
    number = (
        db.session.scalar(
            select(func.max(StageVersion.number)).where(
                StageVersion.event_id == event.id, StageVersion.kind == kind
            )
        )
        or 0
    ) + 1
    version = StageVersion(event_id=event.id, kind=kind, number=number, payload=json.dumps(payload))
    db.session.add(version)
    db.session.flush()
    # The chained freeze line carries the version's fingerprints: `voting audit verify` and a
    # steering pack's own check hold the stored and exported versions to them.
    record(event.id, "freeze", freeze_detail(kind, number, payload))
    return version


def version_summary(version: StageVersion) -> dict[str, Any]:
    """How exports and screens name a version: kind, number and when it was frozen."""
    return {
        "id": version.id,
        "kind": version.kind,
        "number": version.number,
        "frozen_at": iso(version.created_at),
    }


def all_versions(event_id: int) -> list[StageVersion]:
    """Every frozen version of the event, oldest first."""
    return list(
        db.session.scalars(
            select(StageVersion).where(StageVersion.event_id == event_id).order_by(StageVersion.id)
        )
    )


def _refuse_open_votes(event: Event) -> None:
    open_codes = list(
        db.session.scalars(
            select(Contract.code).where(
                Contract.event_id == event.id, Contract.status == ContractState.OPEN.value
            )
        )
    )
    if open_codes:
        raise Invalid(f"Close the open votes first (contract {', '.join(open_codes)}).")


def move_to(event: Event, stage: object) -> dict[str, Any]:
    """Go to the next stage (freezing this stage's result) or back to an earlier one (audited)."""
    from voting.services import stage3, stage4

    current = event.stage
    target = stage_move(current, stage)  # the next stage, or any earlier one
    frozen = None
    if target > current:
        if current in (Stage.VOTING, Stage.CONFIRMING):
            _refuse_open_votes(event)
        if current == Stage.VOTING:
            frozen = freeze(event, INDICATIVE, stage3.indicative_payload(event))
        elif current == Stage.CONFIRMING:
            frozen = freeze(event, CONFIRMED, stage3.confirmed_payload(event))
            stage4.create_from(event, frozen)
        record(event.id, "stage", f"{current} -> {target.value}")
    else:
        record(
            event.id, "stage_back", f"{current} -> {target.value}: later results are kept as frozen versions"
        )
    event.stage = target.value
    db.session.commit()
    publisher.contracts_changed(event.id)
    return {"stage": target.value, "frozen": version_summary(frozen) if frozen else None}


def finalise(event: Event) -> StageVersion:
    """Freeze the Stage 4 arrangements, only when nothing is orphaned or contradictory."""
    from voting.services import stage4

    if event.stage != Stage.ARRANGING:
        raise Invalid("Arrangements are finalised at stage 4.")
    problems = stage4.problems(event)
    if problems:
        raise Invalid(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} must be fixed first: "
            + " ".join(p.message for p in problems[:5])
        )
    version = freeze(event, ARRANGEMENTS, stage4.arrangements_payload(event))
    db.session.commit()
    publisher.contracts_changed(event.id)
    return version
