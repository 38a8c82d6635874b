"""The stage-specific part of what a CCG's phones show: Stage 3 rows and flags, Stage 4 arrangements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from voting.domain.states import Stage
from voting.extensions import db
from voting.models import Event, Organisation
from voting.models.chain import AuditLink
from voting.services import stage3, stage4


def stage_context(event: Event) -> dict[str, Any]:
    """Work shared by every CCG's phone view, done once per push."""
    # Each stage works from the result frozen by the stage before it; until there is one, nothing to show.
    if event.stage == Stage.CONFIRMING and stage3.indicative_version(event) is not None:
        state = stage3.working(event)
        _all, open_flags = stage3.flags_for(event, state)
        return {"stage3": (state, open_flags)}
    if event.stage == Stage.ARRANGING and stage4.confirmed_version(event) is not None:
        return {"stage4": stage4.arrangements_payload(event)}
    return {}


def stage_view(event: Event, organisation: Organisation, context: dict[str, Any]) -> dict[str, Any]:
    """This CCG's part of the stage context."""
    if "stage3" in context:
        state, open_flags = context["stage3"]
        return {"stage3": stage3.phone_view(event, organisation, state, open_flags)}
    if "stage4" in context:
        mine = [
            a
            for a in context["stage4"]["arrangements"]
            if any(m["organisation"] == organisation.code for m in a["members"])
        ]
        return {"stage4": {"arrangements": mine}}
    return {}


def chain_position(event_id: int) -> int:
    """The newest seq of the event's audit chain this transaction sees (0 before the first link).

    A phone's own snapshot carries it as `as_of`; every vote answer carries its record's seq. Seqs
    are handed out in commit order (one writer at a time: voting.db_setup), so a snapshot whose
    as_of is below a vote's seq was read before that vote was committed and must not undo it on
    the phone. Read it in the same read transaction as the votes it stands for.
    """
    seq = db.session.scalar(select(func.max(AuditLink.seq)).where(AuditLink.event_id == event_id))
    return int(seq or 0)
