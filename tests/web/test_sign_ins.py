"""Console sign-ins are records on the server: signing out or changing the password ends them for
every copy of the cookie, and they expire (FACILITATOR_SESSION_HOURS, the app's setting)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.helpers import csrf_token
from voting.cli import main
from voting.extensions import db


def copy_of(app: Flask, browser: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of this one's session cookie (as someone who copied it would)."""
    cookie = browser.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    return other


def sign_ins(app: Flask) -> int:
    """How many sign-ins are on record."""
    from voting.models import FacilitatorSession

    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(FacilitatorSession)) or 0)


def test_a_copied_cookie_stops_working_after_sign_out(
    app: Flask, facilitator: FlaskClient, make_event: Any
) -> None:
    """Before: signing out only cleared this browser's cookie; a copy of it still opened the console."""
    event = make_event()
    copy = copy_of(app, facilitator)
    assert copy.get(f"/events/{event['id']}").status_code == 200
    facilitator.post("/logout", data={"csrf_token": csrf_token(facilitator, f"/events/{event['id']}")})
    assert sign_ins(app) == 0
    refused = copy.get(f"/events/{event['id']}")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    assert copy.post("/events", data={"name": "Smuggled", "csrf_token": "x"}).status_code in (302, 400)
    assert "Smuggled" not in facilitator.get("/login").get_data(as_text=True)


def test_a_copied_cookie_stops_working_after_a_password_change(
    app: Flask, runner: Any, facilitator: FlaskClient, make_event: Any
) -> None:
    """`voting set-password` ends every sign-in, including copies of their cookies, and a sign-in
    made afterwards works while the old copy stays refused."""
    event = make_event()
    copy = copy_of(app, facilitator)
    done = runner.invoke(main, ["set-password", "--password", "another long password"])
    assert done.exit_code == 0, done.output
    assert sign_ins(app) == 0
    for browser in (facilitator, copy):
        assert browser.get(f"/events/{event['id']}").headers["Location"].startswith("/login")
    token = csrf_token(facilitator, "/login")
    assert (
        facilitator.post(
            "/login", data={"password": "another long password", "csrf_token": token}
        ).status_code
        == 302
    )
    assert facilitator.get(f"/events/{event['id']}").status_code == 200
    assert copy.get(f"/events/{event['id']}").status_code == 302


def test_sign_ins_expire_after_the_configured_hours(
    app: Flask, facilitator: FlaskClient, make_event: Any
) -> None:
    """Before: a console cookie worked for as long as the browser kept it."""
    event = make_event()
    assert facilitator.get(f"/events/{event['id']}").status_code == 200
    app.config["FACILITATOR_SESSION_HOURS"] = 0  # every sign-in is already older than this
    assert facilitator.get(f"/events/{event['id']}").headers["Location"].startswith("/login")
    app.config["FACILITATOR_SESSION_HOURS"] = 12
    token = csrf_token(facilitator, "/login")
    from tests.conftest import PASSWORD

    assert facilitator.post("/login", data={"password": PASSWORD, "csrf_token": token}).status_code == 302
    assert facilitator.get(f"/events/{event['id']}").status_code == 200
