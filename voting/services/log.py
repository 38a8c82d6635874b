"""Record facilitator actions in the event's append-only log (inside the caller's transaction)."""

from __future__ import annotations

import logging

from voting.extensions import db
from voting.models import ActionLog

log = logging.getLogger(__name__)


def record(event_id: int, action: str, detail: str = "", actor: str = "facilitator") -> None:
    """Add one log line; committed with the change it describes."""
    db.session.add(ActionLog(event_id=event_id, actor=actor, action=action, detail=detail[:2000]))
    log.info("event %s: %s %s", event_id, action, detail)
