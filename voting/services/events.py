"""Creating and finding events."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from voting.errors import Invalid
from voting.extensions import db
from voting.models import Contract, Event, Organisation
from voting.services.log import record

# No 0/O, 1/I/L: the code is read off a projector and typed on a phone.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _new_join_code() -> str:
    while True:
        code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(6))
        if db.session.scalar(select(Event.id).where(Event.join_code == code)) is None:
            return code


def create_event(name: str) -> Event:
    """A new, empty event with its own join code."""
    name = (name or "").strip()
    if not name:
        raise Invalid("Give the event a name.")
    if len(name) > 200:
        raise Invalid("The event name must be 200 characters or fewer.")
    event = Event(name=name, join_code=_new_join_code())
    db.session.add(event)
    db.session.flush()
    record(event.id, "create_event", name)
    db.session.commit()
    return event


def find_by_join_code(code: str) -> Event | None:
    """The event with this join code (case and spaces ignored), or None."""
    cleaned = "".join((code or "").split()).upper()
    return db.session.scalar(select(Event).where(Event.join_code == cleaned))


def find_contract(event_id: int, code: str) -> Contract | None:
    """A contract of this event by its loaded id."""
    return db.session.scalar(select(Contract).where(Contract.event_id == event_id, Contract.code == code))


def find_organisation(event_id: int, code: str) -> Organisation | None:
    """An organisation of this event by its code."""
    return db.session.scalar(
        select(Organisation).where(Organisation.event_id == event_id, Organisation.code == code)
    )


def list_events() -> list[Event]:
    """Every event, newest first."""
    return list(db.session.scalars(select(Event).order_by(Event.created_at.desc(), Event.id.desc())))
