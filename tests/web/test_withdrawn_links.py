"""A withdrawn link is withdrawn everywhere: after the facilitator reissues a delegate's link, or
removes the delegate, neither the old link nor a phone that joined with it can do anything - vote,
answer a poll, declare an interest, confirm a Stage 3 position or cast a Stage 4 ballot - whether it
calls the API with the token, calls it from the phone page (session cookie and CSRF header), or
posts the page's plain forms. Each refusal is a sentence, and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.helpers import csrf_token
from tests.web.test_api import csrf_header
from voting.extensions import db
from voting.models import (
    ArrangementBallot,
    Confirmation,
    Declaration,
    Delegate,
    Event,
    Organisation,
    PollAnswer,
    PollReceipt,
    Vote,
)
from voting.services import delegates

Call = Callable[..., tuple[int, Any]]
NOT_VALID = "Your voting link is not valid. Please scan your QR code again."
WITHDRAWN = (  # what a removed delegate's call is told, per action
    "This voting link has been withdrawn. Please ask the facilitator for help.",  # vote
    "You can't answer polls until the facilitator admits you.",
    "Only admitted delegates can declare an interest.",
    "Only admitted delegates can confirm their CCG's positions.",
    "Only admitted delegates can vote on their CCG's arrangements.",
)
LINK_GONE = "This voting link is not valid any more. Ask the facilitator for a new one."
# Stage 2 votes of the CCGs (00R's cast by whoever holds its link now): contract 2 disagrees.
VOTES = [("00Q", "1", 2), ("00R", "1", 2), ("00R", "2", 2), ("00S", "2", 3), ("00Q", "3", 4), ("00R", "3", 4)]
WAYS = ("token", "phone", "form")


@pytest.fixture
def call(client: FlaskClient, api_headers: dict[str, str]) -> Call:
    """call(method, path, body, headers=...): the facilitator's token unless other headers are given."""

    def run(
        method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        response = getattr(client, method)(f"/api/v1{path}", json=body, headers=headers or api_headers)
        return response.status_code, response.get_json()

    return run


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class OldLink:
    """Everything Ann still holds after her link was withdrawn: the token, and phones that joined with
    it - one for the page's script (the JSON API) and one per plain form, since the first refused form
    ends that phone's session."""

    FORMS = ("/vote", "/vote/poll", "/vote/declare", "/vote/confirm", "/vote/arrangement")

    def __init__(self, app: Flask, token: str) -> None:
        self.token = token
        self.phones: dict[str, tuple[FlaskClient, dict[str, str], str]] = {}
        # The token in use before it is withdrawn (a vote this process could not read, nothing stored),
        # so a process that remembers tokens has seen it.
        assert app.test_client().post("/api/v1/vote", data="?", headers=bearer(token)).status_code == 400
        for name in ("script", *self.FORMS):
            phone = app.test_client()
            assert phone.get(f"/j/{token}").status_code == 302
            header = csrf_header(app, phone)  # the X-CSRFToken the phone page's script sends
            self.phones[name] = (phone, header, csrf_token(phone, "/vote"))  # and the page's forms

    @property
    def phone(self) -> FlaskClient:
        return self.phones["script"][0]

    def api(self, way: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """An API call as the old token or as the phone page."""
        phone, header, _form = self.phones["script"]
        response = phone.post(
            f"/api/v1{path}", json=body, headers=bearer(self.token) if way == "token" else header
        )
        return response.status_code, response.get_json()

    def form(self, path: str, **fields: str) -> tuple[int, str]:
        """A plain form post from the phone page; where it is sent and what that page says."""
        phone, _header, form_csrf = self.phones[path]
        response = phone.post(path, data={**fields, "csrf_token": form_csrf})
        location = response.headers.get("Location", "")
        shown = phone.get(location).get_data(as_text=True) if location else ""
        return response.status_code, f"{location} {shown}"


def refused(how: str, way: str, answer: tuple[int, Any]) -> None:
    """The sentence a withdrawn link gets, for this kind of withdrawal and this way of calling."""
    if way == "form":
        status, shown = answer
        assert status == 302 and shown.startswith("/join "), shown[:200]
        assert LINK_GONE in shown
    elif how == "reissue":
        assert answer == (401, {"error": NOT_VALID})
    else:  # each action says in its own words that a delegate who is not admitted cannot do it
        status, body = answer
        assert status == 403 and body["error"] in WITHDRAWN, body


def stored(app: Flask, ann_id: int) -> dict[str, int]:
    """What the database holds from Ann, and the Stage 4 ballots of her CCG."""
    with app.app_context():
        org = db.session.scalar(select(Delegate.organisation_id).where(Delegate.id == ann_id))

        def count(model: Any, *where: Any) -> int:
            return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

        return {
            "votes": count(Vote, Vote.delegate_id == ann_id),
            "poll answers": count(PollAnswer, PollAnswer.delegate_id == ann_id),
            "poll receipts": count(PollReceipt, PollReceipt.delegate_id == ann_id),
            "declarations": count(Declaration, Declaration.delegate_id == ann_id),
            "confirmations": count(Confirmation, Confirmation.organisation_id == org),
            "ballots": count(ArrangementBallot, ArrangementBallot.organisation_id == org),
        }


NOTHING = dict.fromkeys(
    ("votes", "poll answers", "poll receipts", "declarations", "confirmations", "ballots"), 0
)


def withdraw(app: Flask, event_id: int, ann_id: int, how: str) -> str | None:
    """Reissue Ann's link (the QR sheet for her alone) and return the new one, or remove her."""
    with app.app_context():
        if how == "reissue":
            [(_ann, token)] = delegates.reissue_links(db.session.get(Event, event_id), {ann_id})
            return token
        delegates.revoke(db.session.get(Delegate, ann_id))
        return None


@pytest.mark.parametrize("how", ["reissue", "revoke"])
def test_a_withdrawn_link_does_nothing_at_any_stage(
    app: Flask, call: Call, make_event: Any, make_delegate: Any, how: str
) -> None:
    """Before the fix a reissued link still answered polls, declared interests, confirmed and cast
    Stage 4 ballots (only votes compared it), and a phone that joined with it went on doing all five."""
    event = make_event()["id"]
    e = f"/events/{event}"
    people = {org: make_delegate(event, org, f"{org} lead") for org in ("00Q", "00S")}
    ann = make_delegate(event, "00R", "Ann")
    bo = make_delegate(event, "00R", "Bo")  # 00R's other delegate, who acts once Ann is removed
    assert call("post", f"{e}/stage", {"stage": 2})[0] == 200
    for code in ("1", "2", "3"):
        assert call("post", f"{e}/contracts/{code}/open")[0] == 200
    status, poll = call(
        "post", f"{e}/polls", {"kind": "yes_no_unsure", "question": "Do we have an appetite?"}
    )
    assert status == 201 and call("post", f"{e}/polls/{poll['id']}/open")[0] == 200
    old = OldLink(app, ann["token"])
    new_token = withdraw(app, event, ann["id"], how)
    people["00R"] = {"token": new_token} if new_token else bo

    for n, way in enumerate(WAYS):
        vote_id = f"old-link-vote-{n:02d}"
        if way == "form":
            refused(how, way, old.form("/vote", contract="1", level="5", vote_id=vote_id))
            refused(how, way, old.form("/vote/poll", poll=str(poll["id"]), answer="yes", vote_id=vote_id))
            refused(how, way, old.form("/vote/declare", contract="1", interest="My practice provides it"))
        else:
            refused(how, way, old.api(way, "/vote", {"contract": "1", "level": 5, "vote_id": vote_id}))
            refused(
                how, way, old.api(way, f"/polls/{poll['id']}/answer", {"answer": "yes", "vote_id": vote_id})
            )
            refused(how, way, old.api(way, "/declarations", {"contract": "1", "interest": "My practice"}))
    assert stored(app, ann["id"]) == NOTHING

    # The link that replaced it (or 00R's other delegate) works: the event is really open to these calls.
    for n, (org, code, level) in enumerate(VOTES):
        body = {"contract": code, "level": level, "vote_id": f"setup-vote-{n:02d}"}
        assert call("post", "/vote", body, bearer(people[org]["token"]))[0] == 200
    for code in ("1", "2", "3"):
        assert call("post", f"{e}/contracts/{code}/close")[0] == 200
    assert call("post", f"{e}/stage", {"stage": 3})[0] == 200

    confirm = {"contract": "2", "action": "confirm"}
    refused(how, "token", old.api("token", "/confirmations", confirm))
    refused(how, "phone", old.api("phone", "/confirmations", confirm))
    refused(how, "form", old.form("/vote/confirm", contract="2", action="confirm"))
    assert stored(app, ann["id"])["confirmations"] == 0
    assert call("post", "/confirmations", confirm, bearer(people["00R"]["token"])) == (200, {"ok": True})
    amend = {"contract": "3", "action": "amend", "level": 4, "reason": "We join the regional 111"}
    assert call("post", "/confirmations", amend, bearer(people["00S"]["token"]))[0] == 200
    assert call("post", f"{e}/stage", {"stage": 4})[0] == 200
    assert call("patch", f"{e}/arrangements/1:2:1", {"coordinator": "00Q", "quorum": "2"})[0] == 200

    ballot = {"topic": "coordinator", "ballot": "no"}
    refused(how, "token", old.api("token", "/arrangements/1:2:1/ballot", ballot))
    refused(how, "phone", old.api("phone", "/arrangements/1:2:1/ballot", ballot))
    refused(how, "form", old.form("/vote/arrangement", key="1:2:1", topic="coordinator", ballot="no"))
    assert stored(app, ann["id"])["ballots"] == 0
    assert call("post", "/arrangements/1:2:1/ballot", ballot, bearer(people["00R"]["token"]))[0] == 200
    with app.app_context():
        org = db.session.scalar(
            select(Organisation.id).where(Organisation.event_id == event, Organisation.code == "00R")
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ArrangementBallot)
                .where(ArrangementBallot.organisation_id == org)
            )
            == 1
        )


def test_a_phone_that_joined_with_a_reissued_link_is_sent_to_the_start(
    app: Flask, make_event: Any, make_delegate: Any
) -> None:
    """The phone page itself: it showed the ballot until the process restarted (the session named
    only the delegate); now it goes to the join page with the sentence, and the new link works."""
    event = make_event()["id"]
    ann = make_delegate(event, "00R", "Ann")
    old = OldLink(app, ann["token"])
    assert old.phone.get("/vote").status_code == 200
    new_token = withdraw(app, event, ann["id"], "reissue")
    answer = old.phone.get("/vote")
    assert answer.status_code == 302 and answer.headers["Location"] == "/join"
    assert LINK_GONE in old.phone.get("/join").get_data(as_text=True)
    assert old.phone.get(f"/j/{ann['token']}").status_code == 404
    assert old.phone.get(f"/j/{new_token}").status_code == 302
    assert old.phone.get("/vote").status_code == 200
