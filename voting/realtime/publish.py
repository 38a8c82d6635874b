"""Every outgoing push goes through here: after commit, coalesced, a few times a second at most.

Services only mark an event dirty (no I/O, safe to call anywhere after a commit); a background
task builds one fresh snapshot per dirty event - from the database, with the votes taken from the
event's live tally (services.tallies) - in a read transaction that takes no write lock, and pushes
it with a sequence number, so a screen never depends on having seen earlier pushes (numbered by
the database snapshot it was read from when there is one: see Publisher.next_seq).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from voting.db_setup import begin_read, snapshot_version
from voting.extensions import db, socketio
from voting.models import Event, Organisation
from voting.realtime import rooms
from voting.realtime.watch import Watch, lapsed

log = logging.getLogger(__name__)

STATE, BALLOTS = "state", "ballots"
TIMER_TICKS = 3  # check countdowns every few pushes (0.3 s at the default interval)


class Publisher:
    """Coalesces changes per event and pushes snapshots from one background task."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.interval = float(app.config["PUSH_INTERVAL"])
        self._dirty: dict[int, set[str]] = {}
        self._lock = threading.Lock()
        self._seq = 0
        self._task: Any = None
        self._stopped = False
        self.watch = Watch()
        # Credentials are checked every LIVE_CHECK_SECONDS: that many pushes' ticks, at least one.
        self.check_ticks = max(1, round(float(app.config["LIVE_CHECK_SECONDS"]) / self.interval))

    def next_seq(self) -> int:
        """The number screens order pushes by; call it inside the read the push is built from.

        Screens drop a push numbered lower than one they have shown. With several processes (one
        database, pushes relayed through the message queue) a process's clock cannot order them:
        process A may read before B's vote commits yet number its push after B's fuller one (clocks
        differ between machines; one process's counter can run ahead of the clock), and the
        projector would stop on the stale state. On PostgreSQL the number is the read's own snapshot
        (db_setup.snapshot_version): a push never outranks one built from a later snapshot, and the
        process that commits the last change pushes after its commit, so the final state always
        wins. On SQLite (one machine) wall-clock milliseconds, increasing across restarts too.
        """
        version = snapshot_version()
        if version is not None:
            return version
        with self._lock:
            self._seq = max(self._seq + 1, int(time.time() * 1000))
            return self._seq

    def mark(self, event_id: int, *kinds: str) -> None:
        with self._lock:
            self._dirty.setdefault(event_id, set()).update(kinds)
        self.ensure_running()

    def ensure_running(self) -> None:
        """Start the background task once (the server starts it at boot, so countdowns fire)."""
        with self._lock:
            if self._task is None:
                self._task = socketio.start_background_task(self._run)

    def stop(self) -> None:
        self._stopped = True

    def _run(self) -> None:
        ticks = 0
        while not self._stopped:
            socketio.sleep(self.interval)
            ticks += 1
            if ticks % TIMER_TICKS == 0:
                self._close_due()
            if ticks % self.check_ticks == 0:
                self._drop_lapsed()
            with self._lock:
                dirty, self._dirty = self._dirty, {}
            for event_id, kinds in dirty.items():
                try:
                    self.flush(event_id, kinds)
                except Exception:
                    log.exception("push for event %s failed", event_id)

    def _close_due(self) -> None:
        from voting.services.facilitation import close_due

        try:
            with self.app.app_context():
                close_due()
        except Exception:
            log.exception("closing votes whose countdown ran out failed")

    def _drop_lapsed(self) -> None:
        """Drop this process's connections whose sign-in, API token or delegate link was withdrawn
        anywhere (another process, the `voting` command) since they connected (realtime.watch)."""
        held = self.watch.held()
        if not held:
            return
        try:
            with self.app.app_context():
                begin_read()
                gone = lapsed(held)
                db.session.remove()
        except Exception:
            log.exception("checking live connections' credentials failed")
            return
        for sid in gone:
            self.watch.release(sid)
            socketio.server.disconnect(sid, namespace="/", ignore_queue=True)
        if gone:
            log.info("dropped %s connections whose credentials were withdrawn", len(gone))

    def flush(self, event_id: int, kinds: set[str]) -> None:
        """Build the snapshots (then end the transaction), and only then push them."""
        with self.app.app_context():
            begin_read()  # a snapshot of its own: never waits for, or holds up, a vote's commit
            event = db.session.get(Event, event_id)
            if event is None:
                return
            pushes = []
            if STATE in kinds:
                pushes.extend(screen_pushes(event, self.next_seq()))
            if BALLOTS in kinds:
                pushes.extend(ballot_pushes(event, self.next_seq()))
            db.session.remove()
            for name, payload, room in pushes:
                socketio.emit(name, payload, to=room)


def screen_pushes(event: Event, seq: int) -> list[tuple[str, dict[str, Any], str]]:
    """The state message for the console and the projector (which sees no names of people)."""
    from voting.services.screens import screen_states

    console, projector = screen_states(event)
    console["seq"] = projector["seq"] = seq
    return [
        ("state", console, rooms.screen(event.id, "console")),
        ("state", projector, rooms.screen(event.id, "projector")),
    ]


def ballot_pushes(event: Event, seq: int) -> list[tuple[str, dict[str, Any], str]]:
    """One ballot per CCG (not per phone): the contracts it holds and their status."""
    from voting.services.phones import stage_context
    from voting.services.snapshots import delegate_ballot

    pushes = []
    context = stage_context(event)
    for organisation in db.session.scalars(select(Organisation).where(Organisation.event_id == event.id)):
        ballot = delegate_ballot(event, organisation, context)
        ballot["seq"] = seq
        pushes.append(("ballot", ballot, rooms.organisation(event.id, organisation.id)))
    return pushes


def drop_connections(room: str) -> None:
    """Disconnect every connection in a room (this process's); they must authenticate again."""
    for sid, _eio_sid in list(socketio.server.manager.get_participants("/", room)):
        socketio.server.disconnect(sid, namespace="/")


class _PublisherProxy:
    """What services call; resolves the current app's publisher."""

    def init_app(self, app: Flask) -> None:
        app.extensions["voting_publisher"] = Publisher(app)

    @property
    def _current(self) -> Publisher:
        return current_app.extensions["voting_publisher"]  # type: ignore[no-any-return]

    def next_seq(self) -> int:
        return self._current.next_seq()

    def hold(self, sid: str, held: Any) -> None:
        """A connection opened with this credential (realtime.watch); starts the checks if need be."""
        self._current.watch.hold(sid, held)
        self._current.ensure_running()

    def release(self, sid: str) -> None:
        """A connection closed."""
        self._current.watch.release(sid)

    def votes_changed(self, event_id: int) -> None:
        """A vote or resolution changed tallies: screens need a fresh state."""
        self._current.mark(event_id, STATE)

    def contracts_changed(self, event_id: int) -> None:
        """Contracts opened, closed or re-imported: screens and every CCG's ballot change."""
        self._current.mark(event_id, STATE, BALLOTS)

    def event_changed(self, event_id: int) -> None:
        """Organisations or delegates changed."""
        self._current.mark(event_id, STATE, BALLOTS)

    def delegate_changed(self, event_id: int, delegate_id: int) -> None:
        """A delegate was admitted or removed: tell their phones now, refresh the console soon."""
        self._current.mark(event_id, STATE)
        room = rooms.delegate(event_id, delegate_id)
        socketio.emit("status_changed", {}, to=room)
        # Drop their connections: a reconnect is authenticated afresh (admitted phones join their
        # CCG's room, removed ones are refused), so a client that ignores the message gains nothing.
        drop_connections(room)


publisher = _PublisherProxy()
