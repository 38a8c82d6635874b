"""Who is voting: a delegate's fixed identity by token or id, remembered per app (process).

Only what never changes is remembered: that a delegate id exists, and which delegate a token hash
once named (a hash is never given to anyone else). It never answers whether a link is still valid:
the Voter carries the hash it came with, and every action compares it with the delegate's current
one, and reads their status, in the action's own transaction - a vote in `services.votes`, every
other action in `web.api.voting_delegate` / `web.delegate.current_delegate` - so a reissued or
revoked link is refused at once by every process, and nothing here ever needs invalidating. What it
saves is a query before the vote's request body is read, outside the write transaction.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, select

from voting.db_setup import read_transaction
from voting.models import Delegate
from voting.services import is_id
from voting.services.tokens import hash_token

MAX_REMEMBERED = 100_000  # a national event has a few thousand delegates; forget all past this
_ID_BY_TOKEN = select(Delegate.id).where(Delegate.token_hash == bindparam("token_hash"))
_ID = select(Delegate.id).where(Delegate.id == bindparam("id"))


@dataclass(frozen=True)
class Voter:
    """A delegate as the vote path needs them; token_hash is set when they came by their token."""

    id: int
    token_hash: str | None = None


class _Remembered:
    def __init__(self) -> None:
        self.by_token: dict[str, int] = {}
        self.ids: set[int] = set()
        self.lock = threading.Lock()

    def add(self, delegate_id: int, token_hash: str | None) -> None:
        with self.lock:
            if len(self.by_token) + len(self.ids) >= MAX_REMEMBERED:
                self.by_token.clear()
                self.ids.clear()
            self.ids.add(delegate_id)
            if token_hash is not None:
                self.by_token[token_hash] = delegate_id


def _remembered() -> _Remembered:
    return current_app.extensions.setdefault("voting_voters", _Remembered())  # type: ignore[no-any-return]


def by_token(token: str) -> Voter | None:
    """The delegate this personal token names (whatever their status), or None."""
    if not token:
        return None
    token_hash = hash_token(token)
    known = _remembered()
    delegate_id = known.by_token.get(token_hash)
    if delegate_id is None:
        with read_transaction() as connection:
            delegate_id = connection.scalar(_ID_BY_TOKEN, {"token_hash": token_hash})
        if delegate_id is None:
            return None
        known.add(delegate_id, token_hash)
    return Voter(delegate_id, token_hash)


def by_id(delegate_id: object) -> Voter | None:
    """The delegate with this id (a phone's session names it), whatever their status, or None."""
    if not is_id(delegate_id):
        return None
    assert isinstance(delegate_id, int)
    known = _remembered()
    if delegate_id not in known.ids:
        with read_transaction() as connection:
            if connection.scalar(_ID, {"id": delegate_id}) is None:
                return None
        known.add(delegate_id, None)
    return Voter(delegate_id)
