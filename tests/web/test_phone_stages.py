"""The phone page beyond the vote, without JavaScript: polls, declarations, Stage 3 and Stage 4."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import csrf_token
from voting.demo_data import annex2_votes, contracts_csv, organisations_csv
from voting.extensions import db
from voting.models import Event, Poll
from voting.services import (
    contracts,
    delegates,
    events,
    imports,
    interests,
    polls,
    stage3,
    stage4,
    stages,
    votes,
)


def phone_for(app: Flask, token: str) -> FlaskClient:
    """A phone that has opened its personal link."""
    phone = app.test_client()
    assert phone.get(f"/j/{token}").status_code == 302
    return phone


def page(phone: FlaskClient) -> str:
    """The phone page as text, with entities (&#39; and the like) turned back into characters."""
    response = phone.get("/vote")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def post(phone: FlaskClient, path: str, **data: str) -> str:
    """A plain form post with the page's CSRF token; redirect-after-post, then the page shown after."""
    response = phone.post(path, data={**data, "csrf_token": csrf_token(phone, "/vote")})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].startswith("/vote")
    return page(phone)


def form_vote_id(text: str, poll_id: int) -> str:
    """The vote_id the page put in a poll's form."""
    found = re.search(
        rf'name="poll" value="{poll_id}">\s*<input type="hidden" name="vote_id" value="([^"]+)"', text
    )
    assert found, "the page offers a form for this poll"
    return found.group(1)


def open_poll(app: Flask, event_id: int, kind: str, question: str, anonymous: bool = False) -> int:
    with app.app_context():
        event = db.session.get(Event, event_id)
        options = ["Lead CCG", "CSS"] if kind == "choice" else None
        poll = polls.create_poll(event, kind, question, options, anonymous)
        polls.set_status(poll, "open")
        return poll.id


def poll_results(app: Flask, poll_id: int) -> dict[str, Any]:
    with app.app_context():
        poll = db.session.get(Poll, poll_id)
        assert poll is not None
        return polls.results(poll)


@pytest.fixture
def small(
    app: Flask, make_event: Callable[..., dict[str, Any]], make_delegate: Callable[..., dict[str, Any]]
) -> Any:
    """The small sample event; Ann of Alpha CCG (00Q) on her phone."""
    event = make_event()
    ann = make_delegate(event["id"], "00Q", "Ann")
    return {"event": event["id"], "ann": ann, "phone": phone_for(app, ann["token"])}


def test_a_named_poll_is_answered_and_changed(app: Flask, small: dict[str, Any]) -> None:
    poll_id = open_poll(app, small["event"], "yes_no_unsure", "Do we have an appetite for collaboration?")
    before = page(small["phone"])
    assert "Do we have an appetite for collaboration?" in before
    assert "Your answer is kept with your name. You can change it while the poll is open." in before
    assert "Voting is not open at the moment" in before  # the message is there but hidden by the open poll
    assert re.search(r'<p id="none-open" class="ballot" hidden', before)

    after = post(
        small["phone"], "/vote/poll", poll=str(poll_id), answer="Yes", vote_id=form_vote_id(before, poll_id)
    )
    assert "Answer saved: Yes." in after
    assert "Your answer: Yes." in after
    changed = post(
        small["phone"], "/vote/poll", poll=str(poll_id), answer="Unsure", vote_id=form_vote_id(after, poll_id)
    )
    assert "Your answer: Unsure." in changed
    assert poll_results(app, poll_id)["overall"] == {"Yes": 0, "No": 0, "Unsure": 1}


def test_an_anonymous_poll_takes_one_answer_only(app: Flask, small: dict[str, Any]) -> None:
    poll_id = open_poll(app, small["event"], "scale", "How ready is your CCG?", anonymous=True)
    before = page(small["phone"])
    assert (
        "Anonymous: your answer is counted but not stored with your name, and can't be changed once sent."
        in before
    )
    assert "1 (lowest)" in before and "5 (highest)" in before
    vote_id = form_vote_id(before, poll_id)
    after = post(small["phone"], "/vote/poll", poll=str(poll_id), answer="4", vote_id=vote_id)
    assert "Answer saved and counted anonymously. It can't be changed." in after
    assert "You have answered this poll. Anonymous answers can't be changed." in after

    again = post(
        small["phone"], "/vote/poll", poll=str(poll_id), answer="2", vote_id=secrets.token_urlsafe(16)
    )
    assert "You have already answered this anonymous poll; anonymous answers can't be changed." in again
    resent = post(small["phone"], "/vote/poll", poll=str(poll_id), answer="4", vote_id=vote_id)
    assert "This answer had already been sent, so nothing changed." in resent
    results = poll_results(app, poll_id)
    assert results["total"] == 1 and results["overall"] is None  # counts show once it closes


def test_a_closed_poll_refuses_with_a_sentence_and_leaves_the_page(app: Flask, small: dict[str, Any]) -> None:
    poll_id = open_poll(app, small["event"], "choice", "Who should co-ordinate?")
    before = page(small["phone"])
    assert "Lead CCG" in before
    with app.app_context():
        polls.set_status(db.session.get(Poll, poll_id), "closed")
    after = post(
        small["phone"], "/vote/poll", poll=str(poll_id), answer="CSS", vote_id=form_vote_id(before, poll_id)
    )
    assert "This poll is closed. Your answer was not counted." in after
    assert "Who should co-ordinate?" not in after


def test_declaring_an_interest(app: Flask, small: dict[str, Any]) -> None:
    with app.app_context():
        contracts.open_contracts(db.session.get(Event, small["event"]), ["1"])
    before = page(small["phone"])
    assert "Declare an interest" in before
    refused = post(small["phone"], "/vote/declare", contract="1", interest="  ")
    assert "Say briefly what the interest is, for example 'my practice provides this service'." in refused
    after = post(
        small["phone"],
        "/vote/declare",
        contract="1",
        interest="My practice provides this service",
        anchor="declare-vote-1",
    )
    assert "Interest declared for contract 1. The facilitator can see it." in after
    assert "You declared an interest: My practice provides this service" in after
    with app.app_context():
        declared = interests.list_declarations(small["event"])
    assert [(d["delegate"], d["contract"], d["interest"]) for d in declared] == [
        ("Ann", "1", "My practice provides this service")
    ]


def test_a_delegate_waiting_to_be_let_in_cannot_answer_or_declare(app: Flask, make_event: Any) -> None:
    event = make_event()
    with app.app_context():
        pending, token = delegates.request_admission(db.session.get(Event, event["id"]), "00R", "Dr Bo")
    phone = phone_for(app, token)
    poll_id = open_poll(app, event["id"], "yes_no_unsure", "Ready?")
    waiting = page(phone)
    assert "Waiting to be let in" in waiting and "Ready?" not in waiting
    token = csrf_token(phone, "/join")
    response = phone.post(
        "/vote/declare", data={"contract": "1", "interest": "I work there", "csrf_token": token}
    )
    assert response.status_code == 303
    assert "The facilitator has not let you in yet." in page(phone)
    response = phone.post(
        "/vote/poll", data={"poll": str(poll_id), "answer": "Yes", "vote_id": "a" * 16, "csrf_token": token}
    )
    assert "The facilitator has not let you in yet." in page(phone)
    with app.app_context():
        assert interests.list_declarations(event["id"]) == []


def test_forms_need_the_csrf_token(app: Flask, small: dict[str, Any]) -> None:
    response = small["phone"].post("/vote/declare", data={"contract": "1", "interest": "I work there"})
    assert response.status_code == 400
    assert "This form has expired." in response.get_data(as_text=True)


# Stages 3 and 4 on the Annex 2 demo event.


@pytest.fixture
def annex2(app: Flask) -> dict[str, Any]:
    """The demo event with the Annex 2 votes, at stage 3; a phone per CCG (by code)."""
    with app.app_context():
        event = events.create_event("Annex 2")
        imports.import_organisations(event, organisations_csv())
        imports.import_contracts(event, contracts_csv())
        tokens = {}
        people = {}
        for org in contracts.organisations_of(event):
            delegate, tokens[org.code] = delegates.create_delegate(event, org.code, f"{org.name} lead")
            people[org.code] = delegate
        contracts.open_contracts(event)
        for org, contract, level in annex2_votes():
            votes.cast_vote(people[org], contract, level, secrets.token_urlsafe(12))
        contracts.close_contracts(event)
        stages.move_to(event, 3)
        cells = stage3.working(event).cells
        event_id = event.id
    return {"event": event_id, "tokens": tokens, "cells": cells}


def test_stage_3_shows_the_neighbours_and_the_flags(app: Flask, annex2: dict[str, Any]) -> None:
    text = page(phone_for(app, annex2["tokens"]["J"]))
    assert "Stage 3 of 4: Are we sure?" in text
    assert "Your CCG's positions beside your neighbours', by contract" in text
    assert re.search(r'<tr class="self">\s*<th scope="row">[^<]+ <span class="own">\(your CCG\)</span>', text)
    assert "Your CCG has no position on this contract yet. Choose a level below and give a reason." in text
    assert '<p class="flag"><strong>Are you sure?</strong>' in text
    assert "Voting is not open at the moment" not in text


def test_stage_3_confirm_and_change(app: Flask, annex2: dict[str, Any]) -> None:
    phone = phone_for(app, annex2["tokens"]["A"])
    level = annex2["cells"][("A", "1")]
    before = page(phone)
    assert f"Your CCG's position: level {level} (" in before
    assert f"Confirm level {level}" in before

    confirmed = post(phone, "/vote/confirm", contract="1", action="confirm")
    assert "Confirmed: your CCG's position on contract 1." in confirmed
    assert f"Confirmed: level {level}." in confirmed

    refused = post(phone, "/vote/confirm", contract="1", action="amend", level="3", reason="")
    assert "Give a short reason for the change, for example 'no neighbour wants a cluster'." in refused
    changed = post(
        phone,
        "/vote/confirm",
        contract="1",
        action="amend",
        level="3",
        reason="Our neighbours want larger clusters",
    )
    assert "Changed: your CCG's position on contract 1 is now level 3." in changed
    assert "Changed: now level 3." in changed
    with app.app_context():
        assert stage3.working(db.session.get(Event, annex2["event"])).cells[("A", "1")] == "3"


def test_stage_3_shows_the_vote_for_a_contract_voted_again(app: Flask, annex2: dict[str, Any]) -> None:
    phone = phone_for(app, annex2["tokens"]["A"])
    with app.app_context():
        stage3.rerun(db.session.get(Event, annex2["event"]), "1")
    text = page(phone)
    assert re.search(
        r'<section class="ballot" id="contract-1" data-contract="1" data-status="open"\s+aria', text
    )
    assert re.search(r'<section class="ballot confirm" id="confirm-1" data-contract="1" hidden', text)
    assert "This contract is being voted on again." in text
    refused = post(phone, "/vote/confirm", contract="1", action="confirm")
    assert "Contract 1 is being voted on again: vote on it instead." in refused


@pytest.fixture
def stage_4(app: Flask, annex2: dict[str, Any]) -> dict[str, Any]:
    """Annex 2 at stage 4, with A proposed as co-ordinator of contract 1 under a quorum of 4."""
    with app.app_context():
        event = db.session.get(Event, annex2["event"])
        stages.move_to(event, 4)
        key = next(a.key for a in stage4.load(event) if a.contract == "1")
        stage4.update(event, key, {"coordinator": "A", "quorum": "4"})
    return {**annex2, "key": key}


def test_stage_4_shows_the_arrangement_and_takes_a_vote(app: Flask, stage_4: dict[str, Any]) -> None:
    phone = phone_for(app, stage_4["tokens"]["B"])
    with app.app_context():
        names = {o.code: o.name for o in contracts.organisations_of(db.session.get(Event, stage_4["event"]))}
    text = page(phone)
    assert "Stage 4 of 4: So who and how will we make it work?" in text
    assert "Members and their share of the contract's value" in text
    assert f"Do you agree that {names['A']} co-ordinates?" in text
    assert "Majority of more than half needed. Quorum: 4 members must vote." in text
    assert "Suggested model" in text
    assert "Not passed: quorum not met (0 of 7 voted, 4 needed)." in text
    assert re.search(r"Proposed model</dt><dd[^>]*>None proposed yet", text)

    after = post(
        phone,
        "/vote/arrangement",
        key=stage_4["key"],
        topic="coordinator",
        ballot="yes",
        anchor="arrangement-x",
    )
    assert (
        "You voted yes on the proposed co-ordinator. Your CCG's vote: Yes. "
        "Not passed: quorum not met (1 of 7 voted, 4 needed)." in after
    )
    assert "Your vote: Yes." in after
    with app.app_context():
        event = db.session.get(Event, stage_4["event"])
        decision = stage4.decision(stage4.arrangement(event, stage_4["key"]), "coordinator")
    assert (decision.counts.voted, decision.counts.yes) == (1, 1)


def test_stage_4_refuses_a_ccg_that_is_not_a_member(app: Flask, stage_4: dict[str, Any]) -> None:
    phone = phone_for(app, stage_4["tokens"]["G"])
    text = page(phone)
    assert f'data-key="{stage_4["key"]}"' not in text
    refused = post(phone, "/vote/arrangement", key=stage_4["key"], topic="coordinator", ballot="yes")
    assert "Only member CCGs vote on their arrangement." in refused


def test_the_page_has_no_inline_script_or_style(app: Flask, stage_4: dict[str, Any]) -> None:
    text = phone_for(app, stage_4["tokens"]["A"]).get("/vote").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)
    assert " style=" not in text and "<style" not in text
    assert not re.search(r"<[^>]+\son[a-z]+=", text)  # no inline event handlers either
