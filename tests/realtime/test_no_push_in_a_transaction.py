"""Nothing is pushed while the code pushing it holds a database transaction.

Under eventlet a push can yield to other connections; if it did so inside a write transaction the
write lock would be held across it and every vote would wait behind one slow screen. So every emit -
the publisher's coalesced states and ballots, and the direct messages services send - must come
after the transaction that produced it has ended.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, has_app_context

from tests.realtime.conftest import collect
from voting.extensions import db, socketio
from voting.models import Delegate
from voting.services import delegates

Factory = Callable[..., Any]


@pytest.fixture
def emits(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """(event name, whether the emitting context's session was in a transaction) for every emit."""
    seen: list[tuple[str, bool]] = []
    real = socketio.emit

    def checked(event: str, *args: Any, **kwargs: Any) -> Any:
        seen.append((event, has_app_context() and db.session().in_transaction()))
        return real(event, *args, **kwargs)

    monkeypatch.setattr(socketio, "emit", checked)
    return seen


def test_votes_openings_and_admissions_push_only_after_their_transaction(
    app: Flask,
    emits: list[tuple[str, bool]],
    connect: Factory,
    new_event: Factory,
    delegate: Factory,
    vote: Factory,
    api: Factory,
) -> None:
    event_id = new_event()
    people = [delegate(event_id, org, f"Delegate {i}") for i, org in enumerate(["00Q", "00R", "00S"])]
    projector = connect("projector", event_id)
    phone = connect("delegate", join_token=people[0]["token"])
    for i, person in enumerate(people):
        vote(person["token"], "3", 1 + i, f"vote-tx-{i:04d}")
    api("post", f"/events/{event_id}/contracts/2/open")
    api("post", f"/events/{event_id}/contracts/2/close")
    with app.app_context():  # the console's "remove" (a service call: it tells the phone directly)
        delegates.revoke(db.session.get(Delegate, people[1]["id"]))
    collect(projector, 0.5)
    collect(phone, 0.1)

    names = {name for name, _inside in emits}
    assert {"state", "ballot", "status_changed"} <= names, names  # every kind of push was exercised
    inside = [name for name, in_transaction in emits if in_transaction]
    assert inside == [], f"pushed while holding a transaction: {inside}"
