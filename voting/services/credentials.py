"""Which of the credentials live connections opened with still hold, asked in bulk (realtime.watch).

Reads only; the caller runs it in a read transaction of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from sqlalchemy import select

from voting.extensions import db
from voting.models import ApiToken, Delegate, FacilitatorSession
from voting.services.auth import session_cutoff

CHUNK = 500  # ids per IN (...) list: well under every database's limit on bound parameters
T = TypeVar("T")


def _chunks(values: Iterable[T]) -> Iterator[list[T]]:
    items = sorted(set(values))  # type: ignore[type-var]
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def live_sessions(id_hashes: Iterable[str]) -> set[str]:
    """The facilitator sign-ins (by id hash) not yet signed out, ended by a password change or expired."""
    cutoff = session_cutoff()
    live: set[str] = set()
    for chunk in _chunks(id_hashes):
        live.update(
            db.session.scalars(
                select(FacilitatorSession.id_hash).where(
                    FacilitatorSession.id_hash.in_(chunk), FacilitatorSession.created_at >= cutoff
                )
            )
        )
    return live


def live_api_tokens(token_ids: Iterable[int]) -> set[int]:
    """The API tokens (by number) not revoked."""
    live: set[int] = set()
    for chunk in _chunks(token_ids):
        live.update(
            db.session.scalars(
                select(ApiToken.id).where(ApiToken.id.in_(chunk), ApiToken.revoked_at.is_(None))
            )
        )
    return live


def delegate_standing(delegate_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Each delegate's (status, current token hash); a deleted delegate is missing."""
    standing: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(delegate_ids):
        for delegate_id, status, token_hash in db.session.execute(
            select(Delegate.id, Delegate.status, Delegate.token_hash).where(Delegate.id.in_(chunk))
        ):
            standing[delegate_id] = (status, token_hash)
    return standing
