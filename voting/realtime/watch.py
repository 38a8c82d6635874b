"""The live connections this process holds, what credential each opened with, and which have lapsed.

A sign-out, a password change, a revoked API token, reissued links or a removed delegate may happen
on another server process, or in the `voting` command, which serves no connections at all. The
process where it happens drops its own connections at once (publish.drop_connections); every
server process also asks the database, every LIVE_CHECK_SECONDS (the publisher's background task),
whether the credentials its connections opened with still hold, and drops those that do not. That
needs no message between processes, so it works the same on one SQLite process without a queue.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

SESSION, API, DELEGATE = "session", "api", "delegate"


@dataclass(frozen=True)
class Held:
    """A connection's credential: a sign-in (its id's hash), an API token (its number) or a delegate
    (id, the link hash it joined with, and its status then: admission changes the rooms it hears)."""

    kind: str
    key: str | int
    token_hash: str = ""
    status: str = ""


class Watch:
    """This process's connections and their credentials (the disconnect handler forgets them)."""

    def __init__(self) -> None:
        self._held: dict[str, Held] = {}
        self._lock = threading.Lock()

    def hold(self, sid: str, held: Held) -> None:
        with self._lock:
            self._held[sid] = held

    def release(self, sid: str) -> None:
        with self._lock:
            self._held.pop(sid, None)

    def held(self) -> dict[str, Held]:
        with self._lock:
            return dict(self._held)


def lapsed(held: dict[str, Held]) -> list[str]:
    """The connections whose credential no longer holds; call inside a read transaction."""
    from voting.services.credentials import delegate_standing, live_api_tokens, live_sessions

    by_kind: dict[str, set[str | int]] = {SESSION: set(), API: set(), DELEGATE: set()}
    for credential in held.values():
        by_kind[credential.kind].add(credential.key)
    sessions = live_sessions(str(key) for key in by_kind[SESSION]) if by_kind[SESSION] else set()
    tokens = live_api_tokens(int(key) for key in by_kind[API]) if by_kind[API] else set()
    standing = delegate_standing(int(key) for key in by_kind[DELEGATE]) if by_kind[DELEGATE] else {}
    gone = []
    for sid, credential in held.items():
        if credential.kind == SESSION:
            still = credential.key in sessions
        elif credential.kind == API:
            still = credential.key in tokens
        else:
            still = standing.get(int(credential.key)) == (credential.status, credential.token_hash)
        if not still:
            gone.append(sid)
    return gone
