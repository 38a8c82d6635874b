"""Facilitator password, sign-ins (server-side, ended by sign-out, a password change or expiry) and API tokens."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from voting.errors import Invalid, NotFound
from voting.extensions import db
from voting.models import ApiToken, Event, FacilitatorAccount, FacilitatorSession
from voting.models.base import utcnow
from voting.services.tokens import hash_token, new_token

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10


def set_password(password: str) -> None:
    """Set (or replace) the facilitator password, hashed with scrypt; every sign-in ends with it."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    account = db.session.get(FacilitatorAccount, 1)
    hashed = generate_password_hash(password, method="scrypt")
    if account is None:
        db.session.add(FacilitatorAccount(id=1, password_hash=hashed))
    else:
        account.password_hash = hashed
        account.changed_at = utcnow()
    # In the same transaction: no cookie from before the change can sign in after it, on any process.
    db.session.execute(delete(FacilitatorSession))
    db.session.commit()
    log.info("facilitator password changed")
    from voting.realtime import rooms
    from voting.realtime.publish import drop_connections

    # This process's screens close now; other processes' (and a CLI's, which serves none) close on
    # their next credential check (realtime.watch), which finds their sign-in gone.
    drop_connections(rooms.FACILITATORS)


def session_hours() -> float:
    """How long a sign-in lasts, from FACILITATOR_SESSION_HOURS (the app's setting)."""
    hours = current_app.config.get("FACILITATOR_SESSION_HOURS")
    return 12.0 if hours is None else float(hours)


def session_cutoff() -> datetime:
    """Sign-ins that began before this have expired."""
    return utcnow() - timedelta(hours=session_hours())


def start_session() -> str:
    """Record a new sign-in; returns its random id for the cookie (only its hash is stored)."""
    session_id = new_token()
    db.session.execute(delete(FacilitatorSession).where(FacilitatorSession.created_at < session_cutoff()))
    db.session.add(FacilitatorSession(id_hash=hash_token(session_id)))
    db.session.commit()
    log.info("facilitator signed in")
    return session_id


def session_valid(session_id: object) -> bool:
    """True while this sign-in has not been ended (sign-out, password change) nor expired."""
    if not isinstance(session_id, str) or not session_id:
        return False
    found = db.session.scalar(
        select(FacilitatorSession.id).where(
            FacilitatorSession.id_hash == hash_token(session_id),
            FacilitatorSession.created_at >= session_cutoff(),
        )
    )
    return found is not None


def end_session(session_id: object) -> None:
    """Sign out: the record goes, so a copy of the cookie stops working; this sign-in's screens close."""
    if not isinstance(session_id, str) or not session_id:
        return
    db.session.execute(delete(FacilitatorSession).where(FacilitatorSession.id_hash == hash_token(session_id)))
    db.session.commit()
    log.info("facilitator signed out")
    from voting.realtime import rooms
    from voting.realtime.publish import drop_connections

    drop_connections(rooms.facilitator_session(session_id))  # other processes: realtime.watch


def password_is_set() -> bool:
    """True once `voting set-password` (or the demo) has set a password."""
    return db.session.get(FacilitatorAccount, 1) is not None


def check_password(password: str) -> bool:
    """True when the password matches; always False before one is set (no default password)."""
    account = db.session.get(FacilitatorAccount, 1)
    if account is None:
        return False
    return check_password_hash(account.password_hash, password)


def issue_api_token(event_id: int | None = None) -> str:
    """Create a facilitator API token (for one event, or all); shown once, only its hash is kept."""
    if event_id is not None and db.session.get(Event, event_id) is None:
        raise NotFound(f"There is no event {event_id}.")
    token = new_token()
    db.session.add(ApiToken(token_hash=hash_token(token), event_id=event_id))
    db.session.commit()
    log.info("facilitator API token issued%s", f" for event {event_id}" if event_id else "")
    return token


def find_api_token(token: str) -> ApiToken | None:
    """The issued, unrevoked API token, or None."""
    if not token:
        return None
    return db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    )


def api_token_valid(token: str, event_id: int | None = None) -> bool:
    """True for an issued, unrevoked token that may act on this event (None: event-independent calls)."""
    found = find_api_token(token)
    if found is None:
        return False
    return found.event_id is None or found.event_id == event_id


def list_api_tokens() -> list[ApiToken]:
    """Every token issued (hashes only), newest first."""
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


def revoke_api_token(token_id: int) -> None:
    """Revoke a token by its number (from `voting api-token --list`); screens opened with it close."""
    found = db.session.get(ApiToken, token_id)
    if found is None:
        raise NotFound(f"There is no API token {token_id}.")
    if found.revoked_at is None:
        found.revoked_at = utcnow()
        db.session.commit()
        log.info("facilitator API token %s revoked", token_id)
    from voting.realtime import rooms
    from voting.realtime.publish import drop_connections

    drop_connections(rooms.api_token(token_id))  # other processes: realtime.watch
