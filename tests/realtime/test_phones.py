"""Delegate phones' sockets: their ballot, live status changes, and removal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.helpers import wait_for
from tests.realtime.conftest import cell, collect, settle
from voting.extensions import db
from voting.models import Delegate, Event
from voting.services import delegates

Factory = Callable[..., Any]


def first_ballot(socket: Any) -> dict[str, Any]:
    """The snapshot sent on connecting: always the first message (pushes may follow it)."""
    received = socket.get_received()
    assert received and received[0]["name"] == "ballot"
    return dict(received[0]["args"][0])


def statuses(ballot: dict[str, Any]) -> dict[str, str]:
    return {contract["code"]: contract["status"] for contract in ballot["contracts"]}


def test_phone_gets_its_ccgs_ballot_and_own_votes(
    connect: Factory, new_event: Factory, delegate: Factory, vote: Factory
) -> None:
    event_id = new_event()
    token = delegate(event_id, "00Q")["token"]
    vote(token, "3", 4, "vote-phone-001")
    ballot = first_ballot(connect("delegate", join_token=token))
    assert ballot["organisation"] == {"code": "00Q", "name": "Alpha CCG"}
    assert statuses(ballot) == {"1": "open", "3": "open"}  # Alpha does not hold contract 2
    assert ballot["contracts"][0]["value_gbp"] == 25000000
    assert ballot["contracts"][0]["activity"] == 12000
    assert ballot["votes"] == {"3": 4}
    assert ballot["status"] == "active"
    assert isinstance(ballot["seq"], int)
    assert ballot["levels"]["1"] == "Individual CCG"


def test_opening_a_contract_pushes_a_new_ballot(
    app: Flask, api: Factory, connect: Factory, new_event: Factory, delegate: Factory
) -> None:
    event_id = new_event()
    gamma = delegate(event_id, "00S")["token"]
    alpha = delegate(event_id, "00Q")["token"]
    settle(app)
    gamma_phone, alpha_phone = connect("delegate", join_token=gamma), connect("delegate", join_token=alpha)
    before = first_ballot(gamma_phone)
    first_ballot(alpha_phone)
    assert statuses(before) == {"2": "ready", "3": "open"}
    api("post", f"/events/{event_id}/contracts/2/open")
    ballot = wait_for(gamma_phone, "ballot", lambda b: statuses(b).get("2") == "open")
    assert statuses(ballot) == {"2": "open", "3": "open"}
    assert ballot["organisation"]["code"] == "00S"
    assert ballot["seq"] > before["seq"]
    api("post", f"/events/{event_id}/contracts/3/close")
    ballot = wait_for(gamma_phone, "ballot", lambda b: statuses(b).get("3") == "closed")
    assert statuses(ballot) == {"2": "open", "3": "closed"}
    for message in collect(alpha_phone, 0.2):
        assert message["name"] == "ballot"
        assert message["args"][0]["organisation"]["code"] == "00Q"  # never another CCG's ballot
        assert "2" not in statuses(message["args"][0])


def test_phone_never_receives_screen_state(
    app: Flask, connect: Factory, new_event: Factory, delegate: Factory, vote: Factory
) -> None:
    event_id = new_event()
    token = delegate(event_id, "00R")["token"]
    settle(app)
    phone, projector = connect("delegate", join_token=token), connect("projector", event_id)
    first_ballot(phone)
    vote(token, "1", 2, "vote-phone-002")
    wait_for(projector, "state", lambda s: cell(s, "00R", "1") == "2")
    assert [m["name"] for m in collect(phone, 0.2) if m["name"] == "state"] == []


def test_phone_of_another_event_hears_nothing(
    app: Flask, api: Factory, connect: Factory, new_event: Factory, delegate: Factory
) -> None:
    event_a, event_b = new_event("Event A"), new_event("Event B")
    token_b = delegate(event_b, "00S")["token"]
    settle(app)
    phone_b = connect("delegate", join_token=token_b)
    first_ballot(phone_b)
    api("post", f"/events/{event_a}/contracts/2/open")
    assert collect(phone_b, 0.3) == []


def test_phone_without_a_delegate_session_is_refused(
    app: Flask, connect: Factory, new_event: Factory
) -> None:
    new_event()
    assert not connect("delegate").is_connected()


def test_revoking_a_delegate_disconnects_their_phone(
    app: Flask, connect: Factory, new_event: Factory, delegate: Factory
) -> None:
    event_id = new_event()
    added = delegate(event_id, "00Q")
    other = delegate(event_id, "00Q", "Stays")
    browser = app.test_client()
    assert browser.get(f"/j/{added['token']}").status_code == 302
    phone = connect("delegate", browser=browser)
    other_phone = connect("delegate", join_token=other["token"])
    first_ballot(phone)
    first_ballot(other_phone)
    with app.app_context():
        delegates.revoke(db.session.get(Delegate, added["id"]))
    assert not phone.is_connected()
    assert other_phone.is_connected()
    # The same browser cannot come back: its session names a removed delegate.
    assert not connect("delegate", browser=browser).is_connected()


def test_a_waiting_phones_snapshot_holds_nothing_the_waiting_page_hides(
    app: Flask, connect: Factory, new_event: Factory, delegate: Factory, vote: Factory
) -> None:
    """The waiting page shows the delegate's name, CCG and "Waiting to be let in"; the socket sent
    the whole ballot: contracts, values, activity, polls and the CCG's votes."""
    event_id = new_event()
    vote(delegate(event_id, "00R")["token"], "3", 4, "vote-admitted-01")  # Beta has a vote on record
    with app.app_context():
        _waiting, token = delegates.request_admission(db.session.get(Event, event_id), "00R", "Walk In")
    browser = app.test_client()
    assert browser.get(f"/j/{token}").status_code == 302
    page = browser.get("/vote").get_data(as_text=True)
    assert "Waiting to be let in" in page and "contract-3" not in page
    ballot = first_ballot(connect("delegate", browser=browser))
    assert set(ballot) == {"seq", "status"}
    assert ballot["status"] == "pending" and isinstance(ballot["seq"], int)


def test_waiting_phone_is_told_when_admitted(app: Flask, connect: Factory, new_event: Factory) -> None:
    event_id = new_event()
    with app.app_context():
        waiting, token = delegates.request_admission(db.session.get(Event, event_id), "00R", "Walk In")
        waiting_id = waiting.id
    browser = app.test_client()
    assert browser.get(f"/j/{token}").status_code == 302
    phone = connect("delegate", browser=browser)
    assert first_ballot(phone)["status"] == "pending"
    with app.app_context():
        delegates.admit(db.session.get(Delegate, waiting_id))
    assert not phone.is_connected()  # dropped, so its reconnect is authenticated afresh
    assert first_ballot(connect("delegate", browser=browser))["status"] == "active"


def rounds(ballot: dict[str, Any]) -> dict[str, tuple[str, int]]:
    return {contract["code"]: (contract["status"], contract["round"]) for contract in ballot["contracts"]}


def test_a_reset_pushes_a_ballot_that_clears_the_phones_vote(
    app: Flask, api: Factory, connect: Factory, new_event: Factory, delegate: Factory, vote: Factory
) -> None:
    """The push after a reset tells the phone its vote is gone (a new round of the vote), live, and
    the phone's own snapshot after it holds no vote; closing and reopening keeps round and vote."""
    event_id = new_event()
    token = delegate(event_id, "00Q")["token"]
    vote(token, "1", 2, "vote-reset-phone-1")
    settle(app)
    phone = connect("delegate", join_token=token)
    before = first_ballot(phone)
    assert (before["votes"], rounds(before)["1"]) == ({"1": 2}, ("open", 1))

    api("post", f"/events/{event_id}/contracts/1/close")
    api("post", f"/events/{event_id}/contracts/1/open")
    reopened = wait_for(phone, "ballot", lambda b: rounds(b)["1"] == ("open", 1) and b["seq"] > before["seq"])
    phone.emit("resync")
    assert wait_for(phone, "ballot", lambda b: "votes" in b)["votes"] == {"1": 2}  # kept: it still counts

    api("post", f"/events/{event_id}/contracts/1/close")
    api("post", f"/events/{event_id}/contracts/1/reset")
    pushed = wait_for(phone, "ballot", lambda b: rounds(b)["1"][1] == 2)
    assert rounds(pushed) == {"1": ("ready", 2), "3": ("open", 1)}
    assert pushed["seq"] > reopened["seq"]
    api("post", f"/events/{event_id}/contracts/1/open")
    assert rounds(wait_for(phone, "ballot", lambda b: rounds(b)["1"] == ("open", 2)))["3"] == ("open", 1)
    phone.emit("resync")
    assert wait_for(phone, "ballot", lambda b: "votes" in b)["votes"] == {}


def test_a_vote_answer_is_newer_than_a_snapshot_read_before_it(
    app: Flask, client: Any, connect: Factory, new_event: Factory, delegate: Factory
) -> None:
    """A snapshot read before a vote was committed can reach the phone after the vote's answer; the
    phone tells them apart by position in the event's audit chain: the answer's seq is above the
    older snapshot's as_of, and a snapshot read after it has as_of at or above it (and the vote)."""
    event_id = new_event()
    token = delegate(event_id, "00Q")["token"]
    settle(app)
    phone = connect("delegate", join_token=token)
    before = first_ballot(phone)
    assert before["votes"] == {} and isinstance(before["as_of"], int)

    sent = {"contract": "1", "level": 3, "vote_id": "vote-as-of-0001"}
    headers = {"Authorization": f"Bearer {token}"}
    answer = client.post("/api/v1/vote", json=sent, headers=headers).get_json()
    assert (answer["ok"], answer["duplicate"]) == (True, False)
    assert answer["seq"] > before["as_of"]  # the phone keeps its saved vote over the older snapshot
    again = client.post("/api/v1/vote", json=sent, headers=headers).get_json()
    assert (again["duplicate"], again["seq"]) == (True, answer["seq"])  # a resend names the same record

    phone.emit("resync")
    after = wait_for(phone, "ballot", lambda b: "votes" in b)
    assert after["as_of"] >= answer["seq"]
    assert after["votes"] == {"1": 3}
