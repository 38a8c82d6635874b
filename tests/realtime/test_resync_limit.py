"""A phone's requests for its snapshot again are limited per connection (RESYNC_LIMIT)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.realtime.conftest import collect, settle
from voting.config import Config

Factory = Callable[..., Any]


def names(socket: Any) -> list[str]:
    return [message["name"] for message in socket.get_received()]


def test_a_flood_of_resyncs_gets_no_more_snapshots_than_the_limit_per_connection(
    app: Flask, connect: Factory, new_event: Factory, delegate: Factory
) -> None:
    """The app's setting, "5 per 10 seconds": the last snapshot sent still stands, and a new
    connection (a reload) counts afresh."""
    assert Config.RESYNC_LIMIT == "5 per 10 seconds"
    token = delegate(new_event(), "00Q")["token"]
    settle(app)  # pushes from setting the event up have gone out
    phone = connect("delegate", join_token=token)
    assert [m["name"] for m in collect(phone, 0.3)][:1] == ["ballot"]  # its snapshot (and any late push)
    for _ in range(8):
        phone.emit("resync")
    assert names(phone) == ["ballot"] * 5
    assert phone.is_connected()

    reloaded = connect("delegate", join_token=token)
    assert [m["name"] for m in collect(reloaded, 0.3)][:1] == ["ballot"]
    reloaded.emit("resync")
    assert names(reloaded) == ["ballot"]
