"""Live screens and phones close when their credential is withdrawn somewhere else: by the `voting`
command (a process that serves no connections), or by another process on the same database.

The app under test is one in-process server on SQLite without a message queue; the other process
is a real one - the `voting` command, or a short Python script - on the same database file. Each
server process checks its connections' credentials every LIVE_CHECK_SECONDS (0.2 s in tests).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from tests.e2e.conftest import VOTING
from voting.extensions import db, socketio
from voting.models.base import utcnow
from voting.services import auth
from voting.services.tokens import hash_token

Factory = Callable[..., Any]
ANOTHER_PROCESS = """
import sys
from voting import create_app
from voting.extensions import db
from voting.models import Delegate, Event
from voting.services import delegates

app = create_app()
with app.app_context():
    delegate = db.session.get(Delegate, int(sys.argv[2]))
    if sys.argv[1] == "reissue":
        delegates.reissue_links(db.session.get(Event, delegate.event_id), {delegate.id})
    else:
        delegates.revoke(delegate)
"""


def elsewhere(app: Flask, *args: str, script: str = "") -> str:
    """Run the `voting` command (or a script) as a process of its own on the app's database."""
    env = os.environ | {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
    }
    command = [sys.executable, "-c", script, *args] if script else [VOTING, *args]
    done = subprocess.run(command, env=env, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def dropped(socket: Any, within: float = 5.0) -> bool:
    """True once the server has closed the connection (waits up to `within` seconds)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not socket.is_connected():
            return True
        time.sleep(0.05)
    return False


def screen(app: Flask, browser: FlaskClient, audience: str, event_id: int, token: str = "") -> Any:
    auth_data = {"audience": audience, "event": event_id} | ({"token": token} if token else {})
    socket = socketio.test_client(app, flask_test_client=browser, auth=auth_data)
    assert socket.is_connected()
    return socket


def test_set_password_from_the_command_line_closes_every_signed_in_screen(
    app: Flask, facilitator: FlaskClient, make_event: Factory
) -> None:
    """Before: `voting set-password` dropped the connections of its own process, which has none."""
    event = make_event()["id"]
    console = screen(app, facilitator, "console", event)
    projector = screen(app, facilitator, "projector", event)
    assert "Facilitator password set." in elsewhere(app, "set-password", "--password", "a brand new password")
    assert dropped(console) and dropped(projector)
    assert facilitator.get("/").headers["Location"].startswith("/login")
    assert not screen_connects(app, facilitator, event)


def screen_connects(app: Flask, browser: FlaskClient, event_id: int) -> bool:
    socket = socketio.test_client(
        app, flask_test_client=browser, auth={"audience": "console", "event": event_id}
    )
    connected = bool(socket.is_connected())
    if connected:
        socket.disconnect()
    return connected


def test_revoking_an_api_token_from_the_command_line_closes_its_screens(
    app: Flask, client: FlaskClient, make_event: Factory
) -> None:
    """Before: a revoked token's projector stayed open until it reconnected by itself."""
    event = make_event()["id"]
    with app.app_context():
        revoked, kept = auth.issue_api_token(), auth.issue_api_token()
        number = next(t.id for t in auth.list_api_tokens() if t.token_hash == hash_token(revoked))
    projector = screen(app, app.test_client(), "projector", event, revoked)
    other = screen(app, app.test_client(), "projector", event, kept)
    assert f"API token {number} revoked." in elsewhere(app, "api-token", "--revoke", str(number))
    assert dropped(projector)
    assert other.is_connected(), "a screen opened with another token stays"
    other.disconnect()


def test_an_expired_sign_in_ends_and_closes_its_screens(
    app: Flask, facilitator: FlaskClient, make_event: Factory
) -> None:
    """FACILITATOR_SESSION_HOURS (the app's setting, 12 by default): a sign-in older than that is over."""
    event = make_event()["id"]
    console = screen(app, facilitator, "console", event)
    assert facilitator.get("/").status_code == 200
    from voting.models import FacilitatorSession  # (the sign-in records this test ages)

    hours = app.config["FACILITATOR_SESSION_HOURS"]
    with app.app_context():
        aged = utcnow() - timedelta(hours=hours, minutes=1)
        db.session.execute(update(FacilitatorSession).values(created_at=aged))
        db.session.commit()
    assert facilitator.get("/").headers["Location"].startswith("/login")
    assert dropped(console)


def joined_phone(app: Flask, token: str) -> tuple[FlaskClient, Any]:
    browser = app.test_client()
    assert browser.get(f"/j/{token}").status_code == 302
    phone = socketio.test_client(app, flask_test_client=browser, auth={"audience": "delegate"})
    assert phone.is_connected()
    return browser, phone


def test_a_reissue_or_removal_in_another_process_drops_the_phone(
    app: Flask, make_event: Factory, make_delegate: Factory
) -> None:
    """Before: only the process that reissued (or removed) dropped the delegate's phones."""
    event = make_event()["id"]
    ann, bo, cy = (make_delegate(event, "00R", name) for name in ("Ann", "Bo", "Cy"))
    ann_browser, ann_phone = joined_phone(app, ann["token"])
    bo_browser, bo_phone = joined_phone(app, bo["token"])
    _cy_browser, cy_phone = joined_phone(app, cy["token"])
    elsewhere(app, "reissue", str(ann["id"]), script=ANOTHER_PROCESS)
    elsewhere(app, "revoke", str(bo["id"]), script=ANOTHER_PROCESS)
    assert dropped(ann_phone) and dropped(bo_phone)
    assert cy_phone.is_connected(), "another delegate's phone stays"
    for browser in (ann_browser, bo_browser):
        again = socketio.test_client(app, flask_test_client=browser, auth={"audience": "delegate"})
        assert not again.is_connected()
    cy_phone.disconnect()


def test_a_phone_asking_again_after_its_link_was_reissued_gets_nothing_and_is_closed(
    app: Flask, make_event: Factory, make_delegate: Factory
) -> None:
    """The resync handler checks the link itself, before any credential check has run."""
    event = make_event()["id"]
    ann = make_delegate(event, "00R", "Ann")
    _browser, phone = joined_phone(app, ann["token"])
    phone.get_received()
    app.extensions["voting_publisher"].check_ticks = 10**9  # no periodic check during this test
    elsewhere(app, "reissue", str(ann["id"]), script=ANOTHER_PROCESS)
    phone.emit("resync")
    # The test client keeps no messages once closed: closed at once means no ballot was kept for it.
    assert not phone.is_connected(), "closed by the resync itself, not by a later check"
