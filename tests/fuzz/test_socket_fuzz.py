"""Hypothesis against the Socket.IO handlers, through Flask-SocketIO's test client (handlers run in
the test's thread, so an exception in one fails the example).

- connect with any JSON as `auth` and no credentials: always refused, never an exception;
- connect with the facilitator's API token and any other fields: connected exactly when the audience
  is a screen and `event` is the id of an event, and then the first push is a snapshot;
- a phone with its session connects whatever else `auth` holds, and `resync` with any data (or
  none) never raises; the same for a screen, which gets nothing back from `resync`.

Strings include lone surrogates ("\\ud800"): valid JSON, not valid Unicode.
"""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings

from tests.fuzz.conftest import World
from voting.extensions import socketio

# The app and its world are built once per test and shared by all examples: connections are
# independent, and the handlers only read (pytest's function-scoped fixtures are fine here).
FUZZ = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=20),  # any code point, surrogates included
    st.text(st.characters(categories=["Cs", "Ll"]), max_size=4),  # lone surrogates are rare otherwise
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),  # JSON has neither
    TEXT,
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=12,
)
# Any JSON as the whole `auth`, but not a bare number: the Socket.IO wire format puts an optional
# numeric packet id right before the payload, so python-socketio's decoder (not this app) reads
# "0.5" as id 0 and then fails on ".5". Real clients send an object (or nothing).
TOP_LEVEL = st.one_of(
    st.none(), st.booleans(), TEXT, st.lists(JSON, max_size=4), st.dictionaries(TEXT, JSON, max_size=4)
)
AUDIENCES = st.one_of(st.sampled_from(["projector", "console", "delegate", "Projector", ""]), JSON)


def auth_dicts(event_ids: list[int], token: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Auth objects shaped like the real ones (audience, event, token) with any values and extra keys."""
    return st.builds(
        lambda base, extra: {**extra, **base},
        st.fixed_dictionaries(
            {},
            optional={
                "audience": AUDIENCES,
                "event": st.one_of(
                    st.sampled_from(event_ids), st.sampled_from([0, -1, True, 2**63, "1", 1.0]), JSON
                ),
                "token": token,
            },
        ),
        st.dictionaries(TEXT, JSON, max_size=3),
    )


def connect(app: Flask, client: FlaskClient, auth: Any) -> Any:
    return socketio.test_client(app, flask_test_client=client, auth=auth)


def close(socket: Any) -> None:
    if socket.is_connected():
        socket.disconnect()


@FUZZ
@given(data=st.data())
def test_no_credentials_are_always_refused(app: Flask, world: World, data: st.DataObject) -> None:
    stranger = app.test_client()  # no session cookie
    shaped = auth_dicts(world.events, st.one_of(TEXT, JSON))
    auth = data.draw(st.one_of(shaped, TOP_LEVEL), label="auth")
    socket = connect(app, stranger, auth)
    try:
        assert not socket.is_connected()
        assert not socket.queue  # nothing was pushed to it either
    finally:
        close(socket)


@FUZZ
@given(data=st.data())
def test_a_facilitator_token_opens_only_a_real_screen(app: Flask, world: World, data: st.DataObject) -> None:
    auth = data.draw(auth_dicts(world.events, st.just(world.facilitator)), label="auth")
    auth["token"] = world.facilitator
    socket = connect(app, app.test_client(), auth)
    try:
        event_id = auth.get("event")
        expected = (
            auth.get("audience") in ("projector", "console")
            and isinstance(event_id, int)
            and not isinstance(event_id, bool)
            and event_id in world.events
        )
        assert socket.is_connected() == expected
        event("connected" if expected else "refused")  # shown by --hypothesis-show-statistics
        if expected:
            first = socket.get_received()[0]
            assert first["name"] == "state" and first["args"][0]["event"]["id"] == event_id
            assert isinstance(first["args"][0]["seq"], int)
            socket.emit("resync", data.draw(JSON, label="resync data"))
            # Screens reconnect rather than resync: no phone snapshot, at most a coalesced state push.
            assert all(message["name"] == "state" for message in socket.get_received())
    finally:
        close(socket)


@FUZZ
@given(data=st.data())
def test_a_phone_connects_and_resyncs_whatever_it_sends(
    app: Flask, world: World, data: st.DataObject
) -> None:
    phone = app.test_client()
    personal_link = phone.get(f"/j/{world.delegates['2']}")  # sets the phone's session
    assert personal_link.status_code in (200, 302)
    auth = data.draw(auth_dicts(world.events, st.one_of(TEXT, JSON)), label="auth")
    auth["audience"] = "delegate"
    socket = connect(app, phone, auth)
    try:
        assert socket.is_connected()
        first = socket.get_received()[0]
        assert first["name"] == "ballot" and isinstance(first["args"][0]["seq"], int)
        for args in data.draw(st.lists(st.lists(JSON, max_size=3), max_size=3), label="resyncs"):
            socket.emit("resync", *args)
        for message in socket.get_received():
            assert message["name"] == "ballot"
    finally:
        close(socket)
