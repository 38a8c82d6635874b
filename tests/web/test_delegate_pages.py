"""Delegates on their phones: joining by link or event code, admission, and voting without JavaScript."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.helpers import csrf_token
from voting.extensions import db
from voting.models import Delegate, Event
from voting.services import contracts, delegates, facilitation, votes


def vote_without_js(phone: FlaskClient, contract: str, level: str) -> str:
    """Pick a level and press "Save vote" on the plain HTML page; returns the page shown after."""
    page = phone.get("/vote").get_data(as_text=True)
    vote_id = re.search(
        rf'name="contract" value="{contract}">\s*<input type="hidden" name="vote_id" value="([^"]+)"', page
    )
    assert vote_id, "the page offers a vote form for this contract"
    response = phone.post(
        "/vote",
        data={
            "contract": contract,
            "level": level,
            "vote_id": vote_id.group(1),
            "csrf_token": csrf_token(phone, "/vote"),
        },
    )
    assert response.status_code == 303
    return phone.get("/vote").get_data(as_text=True)


def test_joining_by_code_waits_for_admission_then_votes(app: Any, make_event: Any) -> None:
    event = make_event()
    phone = app.test_client()
    entered = phone.post(
        "/join", data={"code": event["join_code"].lower(), "csrf_token": csrf_token(phone, "/join")}
    )
    assert entered.headers["Location"].endswith(f"/e/{event['join_code']}")
    join_page = phone.get(f"/e/{event['join_code']}").get_data(as_text=True)
    assert "Beta CCG" in join_page
    asked = phone.post(
        f"/e/{event['join_code']}",
        data={
            "organisation": "00R",
            "name": "Dr Bo",
            "csrf_token": csrf_token(phone, f"/e/{event['join_code']}"),
        },
    )
    assert asked.headers["Location"].endswith("/vote")
    waiting = phone.get("/vote").get_data(as_text=True)
    assert "Waiting to be let in" in waiting
    with app.app_context():
        ev = db.session.get(Event, event["id"])
        contracts.open_contracts(ev, ["1"])
        pending = db.session.query(Delegate).filter_by(name="Dr Bo").one()
        delegates.admit(pending)
    after = vote_without_js(phone, "1", "3")
    assert "Vote saved: contract 1, level 3." in after
    assert "Your CCG&#39;s annual value" in after  # escaped by the NHS summary-list macro
    assert "£18,000,000" in after


def test_a_wrong_code_or_link_says_so(client: FlaskClient) -> None:
    wrong = client.post("/join", data={"code": "NOPE99", "csrf_token": csrf_token(client, "/join")})
    assert wrong.status_code == 404
    assert "There is no event with that code." in wrong.get_data(as_text=True)
    assert "not valid any more" in client.get("/j/not-a-real-token").get_data(as_text=True)


def test_joining_needs_a_name(app: Any, make_event: Any) -> None:
    event = make_event()
    phone = app.test_client()
    path = f"/e/{event['join_code']}"
    refused = phone.post(
        path, data={"organisation": "00R", "name": "  ", "csrf_token": csrf_token(phone, path)}
    )
    assert refused.status_code == 422
    assert "Type your name" in refused.get_data(as_text=True)


def ask_to_join(phone: FlaskClient, code: str, name: str) -> Any:
    path = f"/e/{code}"
    return phone.post(path, data={"organisation": "00R", "name": name, "csrf_token": csrf_token(phone, path)})


def test_joining_by_code_is_limited_per_browser_and_per_event(app: Any, make_event: Any) -> None:
    """Limits are the app's settings (Config.JOIN_LIMIT_*): per browser and per event, never per
    address, because a whole hall shares one."""
    event = make_event()
    code = event["join_code"]
    app.config.update(JOIN_LIMIT_PER_BROWSER=3, JOIN_LIMIT_PER_EVENT=5)
    phone = app.test_client()
    for number in range(3):
        assert ask_to_join(phone, code, f"Walk-in {number}").status_code == 302  # each join counts
    refused = ask_to_join(phone, code, "One too many")
    assert refused.status_code == 429
    assert "Too many requests to join have come in. Try again in 10 minutes" in refused.get_data(as_text=True)
    # Another phone in the same hall (same address) is not held back by the first one ...
    other = app.test_client()
    assert ask_to_join(other, code, "Next door").status_code == 302
    assert ask_to_join(app.test_client(), code, "Fifth").status_code == 302
    # ... but a script that drops its cookie each time meets the per-event limit.
    assert ask_to_join(app.test_client(), code, "Sixth").status_code == 429
    with app.app_context():
        names = set(db.session.scalars(db.select(Delegate.name).where(Delegate.event_id == event["id"])))
    assert "One too many" not in names and "Sixth" not in names and "Fifth" in names


def test_closed_and_unopened_contracts_refuse_with_a_sentence(
    app: Any, make_event: Any, make_delegate: Any
) -> None:
    event = make_event()
    ann = make_delegate(event["id"], "00Q", "Ann")
    phone = app.test_client()
    phone.get(f"/j/{ann['token']}")
    with app.app_context():
        ev = db.session.get(Event, event["id"])
        contracts.open_contracts(ev, ["1"])
    page = phone.get("/vote").get_data(as_text=True)
    token = csrf_token(phone, "/vote")
    with app.app_context():
        contracts.close_contracts(db.session.get(Event, event["id"]), ["1"])
    vote_id = re.search(r'name="vote_id" value="([^"]+)"', page).group(1)
    phone.post("/vote", data={"contract": "1", "level": "2", "vote_id": vote_id, "csrf_token": token})
    assert "Voting on contract 1 closed at" in phone.get("/vote").get_data(as_text=True)


def test_a_removed_delegate_is_sent_back_to_the_start(app: Any, make_event: Any, make_delegate: Any) -> None:
    event = make_event()
    ann = make_delegate(event["id"], "00Q", "Ann")
    phone = app.test_client()
    phone.get(f"/j/{ann['token']}")
    assert phone.get("/vote").status_code == 200
    with app.app_context():
        delegates.revoke(db.session.get(Delegate, ann["id"]))
    assert phone.get("/vote").headers["Location"].endswith("/join")
    assert phone.get(f"/j/{ann['token']}").status_code == 404


def test_the_personal_link_leaves_no_token_in_the_address_bar(
    app: Any, make_event: Any, make_delegate: Any
) -> None:
    event = make_event()
    ann = make_delegate(event["id"], "00Q", "Ann")
    response = app.test_client().get(f"/j/{ann['token']}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/vote"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_pages_carry_security_headers(client: FlaskClient) -> None:
    response = client.get("/login")
    headers = response.headers
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    cookie = headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_page_from_before_a_reset_cannot_vote_into_the_new_round(
    app: Any, make_event: Any, make_delegate: Any
) -> None:
    """Without JavaScript too: the form carries the round it was drawn in, and the page drawn after
    the reset shows no vote and says "Not voted yet"."""
    event = make_event()
    ann = make_delegate(event["id"], "00Q", "Ann")
    phone = app.test_client()
    phone.get(f"/j/{ann['token']}")
    with app.app_context():
        contracts.open_contracts(db.session.get(Event, event["id"]), ["1"])
    old_page = phone.get("/vote").get_data(as_text=True)
    assert re.search(r'name="round" value="1"', old_page)
    token = csrf_token(phone, "/vote")
    with app.app_context():
        ev = db.session.get(Event, event["id"])
        contracts.close_contracts(ev, ["1"])
        facilitation.reset_contract(ev, "1")
        contracts.open_contracts(ev, ["1"])
    vote_id = re.search(r'name="vote_id" value="([^"]+)"', old_page).group(1)
    form = {"contract": "1", "level": "2", "vote_id": vote_id, "round": "1", "csrf_token": token}
    phone.post("/vote", data=form)
    after = phone.get("/vote").get_data(as_text=True)
    assert "Voting on contract 1 was restarted after you sent this vote, so it was not counted." in after
    assert "Voting is open. Not voted yet." in after
    assert 'name="round" value="2"' in after
    assert "checked" not in re.search(
        r'<section class="ballot" id="contract-1".*?</form>', after, re.S
    ).group(0)
    with app.app_context():
        assert votes.own_votes(db.session.get(Delegate, ann["id"])) == {}
