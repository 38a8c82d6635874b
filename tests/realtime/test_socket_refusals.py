"""On Socket.IO a typed refusal becomes a refused connection carrying its sentence, decided once
(realtime/handlers.py: refusals_refuse_the_connection)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_socketio import ConnectionRefusedError

from voting.errors import Invalid, NotAllowed, Unauthorised
from voting.realtime.handlers import refusals_refuse_the_connection


@pytest.mark.parametrize("kind", [Invalid, NotAllowed, Unauthorised])
def test_a_refusal_refuses_the_connection_with_its_sentence(app: Flask, kind: type[Exception]) -> None:
    def handler(*_args: Any) -> None:
        raise kind("Sign in as the facilitator to see this screen.")

    with app.app_context(), pytest.raises(ConnectionRefusedError) as refused:
        refusals_refuse_the_connection(handler)({})
    assert refused.value.error_args == {"message": "Sign in as the facilitator to see this screen."}


def test_a_screen_without_a_credential_is_not_connected(socket_client: Any, make_event: Any) -> None:
    """The projector's socket is refused without the facilitator's sign-in or an API token."""
    event = make_event()
    socket = socket_client(auth={"audience": "projector", "event": event["id"]})
    assert not socket.is_connected()
    delegate = socket_client(auth={"audience": "delegate"})
    assert not delegate.is_connected()
