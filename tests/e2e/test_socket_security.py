"""Socket.IO on the real server: the Origin is checked, and oversized messages end the connection."""

from __future__ import annotations

import gc
import time

import pytest
import requests
import socketio

from tests.e2e.conftest import LiveServer


def facilitator_token(server: LiveServer) -> tuple[str, int]:
    token = server.cli("api-token").strip().splitlines()[-1]
    made = requests.post(
        f"{server.url}/api/v1/events",
        json={"name": "Sockets"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    return token, int(made.json()["id"])


# websocket-client leaves the refused handshake's socket for the garbage collector; not ours to fix.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_a_page_on_another_site_cannot_open_a_connection(live_server: LiveServer) -> None:
    token, event = facilitator_token(live_server)
    auth = {"audience": "projector", "event": event, "token": token}
    stranger = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        stranger.connect(
            live_server.url, auth=auth, headers={"Origin": "http://evil.example"}, transports=["websocket"]
        )
    same_site = socketio.Client(reconnection=False)
    same_site.connect(live_server.url, auth=auth, transports=["websocket"])  # sends our own origin
    assert same_site.connected
    same_site.disconnect()
    del stranger
    gc.collect()  # collect the refused handshake's socket here, under this test's warning filter


def test_an_oversized_message_ends_the_connection(live_server: LiveServer) -> None:
    token, event = facilitator_token(live_server)
    client = socketio.Client(reconnection=False)
    client.connect(
        live_server.url,
        auth={"audience": "console", "event": event, "token": token},
        transports=["websocket"],
    )
    client.emit("resync", {"padding": "x" * 64 * 1024})  # the cap is 16 KB
    deadline = time.monotonic() + 5
    while client.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not client.connected
