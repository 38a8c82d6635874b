"""API v1 for polls, facilitation controls (hide, countdown, reset, proxy votes) and declared interests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from voting.extensions import db
from voting.models import Delegate, PollAnswer, VoteAudit
from voting.services import delegates

Call = Callable[..., tuple[int, Any]]
NO_CONTRACT_9 = (404, {"error": "There is no contract 9 in this event."})


@pytest.fixture
def call(client: FlaskClient, api_headers: dict[str, str]) -> Call:
    """call(method, path, body, token=...): the facilitator's token unless a delegate's is given."""

    def run(method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        headers = api_headers if token is None else ({"Authorization": f"Bearer {token}"} if token else {})
        response = getattr(client, method)(f"/api/v1{path}", json=body, headers=headers)
        return response.status_code, response.get_json()

    return run


@pytest.fixture
def ev(make_event: Any, make_delegate: Any) -> dict[str, Any]:
    """The sample event ("e" is its API path) with delegates q, q2 (Alpha), r (Beta) and s (Gamma)."""
    event = make_event()["id"]
    people = {
        n: make_delegate(event, org, n)
        for n, org in (("q", "00Q"), ("q2", "00Q"), ("r", "00R"), ("s", "00S"))
    }
    tokens = {name: p["token"] for name, p in people.items()}
    return {"id": event, "e": f"/events/{event}", "ids": {n: p["id"] for n, p in people.items()}, **tokens}


def err(status: int, sentence: str) -> tuple[int, dict[str, str]]:
    return status, {"error": sentence}


def cast(call: Call, token: str, contract: str, level: int, vote_id: str) -> tuple[int, Any]:
    return call("post", "/vote", {"contract": contract, "level": level, "vote_id": vote_id}, token=token)


def new_poll(call: Call, e: str, open_it: bool = True, **body: Any) -> int:
    status, poll = call("post", f"{e}/polls", {"question": "Do we have an appetite?", **body})
    assert status == 201, poll
    if open_it:
        assert call("post", f"{e}/polls/{poll['id']}/open")[1]["status"] == "open"
    return int(poll["id"])


def answer(call: Call, poll: int, token: str, value: Any, vote_id: str) -> tuple[int, Any]:
    return call("post", f"/polls/{poll}/answer", {"answer": value, "vote_id": vote_id}, token=token)


def cell(call: Call, e: str, org: str, contract: str) -> str:
    matrix = call("get", e)[1]["matrix"]
    row = next(r for r in matrix["rows"] if r["code"] == org)
    return str(row["cells"][matrix["columns"].index(contract)])


@pytest.mark.parametrize(
    ("kind", "options", "expected"),
    [
        ("yes_no_unsure", [], ["Yes", "No", "Unsure"]),
        ("scale", [], ["1", "2", "3", "4", "5"]),
        ("choice", [" Lead CCG ", "CSS", ""], ["Lead CCG", "CSS"]),
    ],
)
def test_each_kind_of_poll_is_created(
    call: Call, ev: dict[str, Any], kind: str, options: Any, expected: Any
) -> None:
    status, poll = call(
        "post", f"{ev['e']}/polls", {"kind": kind, "question": " Who leads? ", "options": options}
    )
    assert status == 201 and (poll["kind"], poll["question"], poll["status"]) == (kind, "Who leads?", "ready")
    assert poll["options"] == expected and poll["results"]["overall"] == dict.fromkeys(expected, 0)


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        ({"kind": "ranking", "question": "Q?"}, "Choose yes/no/unsure, a single choice, or a 1 to 5 scale."),
        ({"kind": "yes_no_unsure", "question": "   "}, "Type the question delegates will see."),
        (
            {"kind": "choice", "question": "Q?", "options": ["Alone"]},
            "A choice poll needs 2 to 10 options, not 1.",
        ),
        ({"kind": "choice", "question": "Q?", "options": ["CSS", "css"]}, "Option 'css' is listed twice."),
        ({"kind": "choice", "question": "Q?", "options": "a, b"}, "Give the options as a list."),
    ],
)
def test_a_bad_poll_is_refused_with_a_sentence(
    call: Call, ev: dict[str, Any], body: Any, sentence: str
) -> None:
    assert call("post", f"{ev['e']}/polls", body) == err(422, sentence)


def test_named_answers_change_and_count_once_per_vote_id(call: Call, ev: dict[str, Any]) -> None:
    poll = new_poll(call, ev["e"], kind="yes_no_unsure")
    assert answer(call, poll, ev["q"], "yes", "poll-answer-01") == (200, {"ok": True, "duplicate": False})
    assert answer(call, poll, ev["q"], "No", "poll-answer-02")[1]["duplicate"] is False
    assert answer(call, poll, ev["q"], "No", "poll-answer-02") == (200, {"ok": True, "duplicate": True})
    assert answer(call, poll, ev["r"], " unsure ", "poll-answer-03")[0] == 200
    assert answer(call, poll, ev["s"], "perhaps", "poll-answer-04") == err(
        422, "Choose one of the answers shown."
    )
    results = call("get", f"{ev['e']}/polls/{poll}")[1]["results"]
    assert results["overall"] == {"Yes": 0, "No": 1, "Unsure": 1} and results["total"] == 2
    assert results["by_org"] == {
        "00Q": {"Yes": 0, "No": 1, "Unsure": 0},
        "00R": {"Yes": 0, "No": 0, "Unsure": 1},
    }
    assert results["answered_by_org"] == {"00Q": 1, "00R": 1}


def test_anonymous_answers_count_once_and_are_not_kept(app: Flask, call: Call, ev: dict[str, Any]) -> None:
    poll = new_poll(call, ev["e"], kind="scale", anonymous=True)
    assert answer(call, poll, ev["q"], 4, "anon-answer-1")[0] == 200
    assert answer(call, poll, ev["q2"], "2", "anon-answer-2")[0] == 200
    again = "You have already answered this anonymous poll; anonymous answers can't be changed."
    assert answer(call, poll, ev["q"], 5, "anon-answer-3") == err(409, again)
    assert answer(call, poll, ev["q"], 4, "anon-answer-1") == (200, {"ok": True, "duplicate": True})
    results = call("get", f"{ev['e']}/polls/{poll}")[1]["results"]
    # Open: only how many answered (docs/security.md; tests/realtime/test_anonymous_polls.py).
    assert results["overall"] is None and results["total"] == 2 and results["mean"] is None
    assert results["by_org"] == {} and results["answered_by_org"] == {}
    assert answer(call, poll, ev["r"], 3, "anon-answer-4")[0] == 200
    assert call("post", f"{ev['e']}/polls/{poll}/close")[0] == 200
    results = call("get", f"{ev['e']}/polls/{poll}")[1]["results"]
    assert results["overall"] == {"1": 0, "2": 1, "3": 1, "4": 1, "5": 0} and results["mean"] == 3.0
    assert results["by_org"] == {} and results["answered_by_org"] == {} and results["withheld"] == ""
    with app.app_context():
        assert db.session.scalars(select(PollAnswer)).all() == []


def test_polls_open_close_hide_and_reveal(call: Call, ev: dict[str, Any]) -> None:
    e, poll = ev["e"], new_poll(call, ev["e"], open_it=False, kind="yes_no_unsure")
    early = "This poll has not opened yet. Your answer was not counted."
    assert answer(call, poll, ev["q"], "yes", "early-answer-1") == err(423, early)
    call("post", f"{e}/polls/{poll}/open")
    assert answer(call, poll, ev["q"], "yes", "on-time-answer")[0] == 200
    assert call("post", f"{e}/polls/{poll}/close")[1]["status"] == "closed"
    late = "This poll is closed. Your answer was not counted."
    assert answer(call, poll, ev["r"], "no", "late-answer-01") == err(423, late)
    assert call("post", f"{e}/polls/{poll}/hide")[1]["results_hidden"] is True
    shown = call("post", f"{e}/polls/{poll}/reveal")[1]
    assert shown["results_hidden"] is False and shown["results"]["total"] == 1
    assert call("post", f"{e}/polls/999/open") == err(404, "There is no such poll in this event.")


def test_a_delegate_of_another_event_cannot_answer(
    call: Call, ev: dict[str, Any], make_event: Any, make_delegate: Any
) -> None:
    poll = new_poll(call, ev["e"], kind="yes_no_unsure")
    other = make_event("Event B")["id"]
    outsider = make_delegate(other, "00Q", "Outsider")["token"]
    no_poll = err(404, "There is no such poll in this event.")
    assert answer(call, poll, outsider, "yes", "outsider-ans1") == no_poll
    assert call("get", f"/events/{other}/polls/{poll}") == no_poll
    assert call("get", f"{ev['e']}/polls/{poll}")[1]["results"]["total"] == 0


def test_hide_reveal_and_a_countdown_that_closes_the_vote(call: Call, ev: dict[str, Any]) -> None:
    e = ev["e"]
    assert call("post", f"{e}/contracts/1/hide") == (200, {"ok": True})
    assert call("get", e)[1]["contracts"][0]["results_hidden"] is True
    call("post", f"{e}/contracts/1/reveal")
    assert call("get", e)[1]["contracts"][0]["results_hidden"] is False
    assert call("post", f"{e}/contracts/9/hide") == NO_CONTRACT_9
    countdown = f"{e}/contracts/1/countdown"
    assert call("post", countdown, {"seconds": 30}) == err(422, "Open the vote before starting a countdown.")
    call("post", f"{e}/contracts/1/open")
    assert call("post", countdown, {"seconds": 3}) == err(
        422, "A countdown must be between 5 seconds and an hour."
    )
    assert call("post", countdown, {"seconds": "soon"}) == err(422, "Give the countdown in whole seconds.")
    assert call("post", countdown, {"seconds": 5}) == (200, {"ok": True})
    assert call("get", e)[1]["contracts"][0]["closes_at"].endswith("+00:00")
    assert cast(call, ev["q"], "1", 2, "in-time-vote")[0] == 200
    deadline = time.monotonic() + 8.0
    while call("get", e)[1]["contracts"][0]["status"] != "closed":
        assert time.monotonic() < deadline, "the countdown did not close the vote"
        time.sleep(0.2)
    status, refused = cast(call, ev["r"], "1", 3, "too-late-vote")
    assert status == 423 and "closed at" in refused["error"]
    assert refused["error"].endswith("Your vote was not counted.")
    assert cell(call, e, "00Q", "1") == "2" and cell(call, e, "00R", "1") == ""


def test_reset_removes_votes_and_keeps_the_audit(app: Flask, call: Call, ev: dict[str, Any]) -> None:
    e, q, r = ev["e"], ev["ids"]["q"], ev["ids"]["r"]
    call("post", f"{e}/contracts/1/open")
    cast(call, ev["q"], "1", 2, "reset-me-001")
    cast(call, ev["r"], "1", 3, "reset-me-002")
    assert call("post", f"{e}/contracts/1/reset") == err(
        422, "Close the vote on contract 1 before resetting it."
    )
    call("post", f"{e}/contracts/1/close")
    assert call("post", f"{e}/contracts/1/reset") == (200, {"contract": "1", "removed": 2})
    state = call("get", e)[1]
    assert (state["contracts"][0]["status"], state["contracts"][0]["voted"]) == ("ready", 0)
    assert cell(call, e, "00Q", "1") == "" and cell(call, e, "00R", "1") == ""
    # Vote again and reset again straight away: every removal gets its own audit row.
    call("post", f"{e}/contracts/1/open")
    cast(call, ev["r"], "1", 4, "again-vote-01")
    call("post", f"{e}/contracts/1/close")
    assert call("post", f"{e}/contracts/1/reset") == (200, {"contract": "1", "removed": 1})
    with app.app_context():
        rows = db.session.scalars(select(VoteAudit).order_by(VoteAudit.id))
        audit = [(a.delegate_id, a.old_level, a.new_level, a.entered_by) for a in rows]
    assert audit == [
        (q, None, 2, "delegate"),
        (r, None, 3, "delegate"),
        (q, 2, None, "reset"),
        (r, 3, None, "reset"),
        (r, None, 4, "delegate"),
        (r, 4, None, "reset"),
    ]
    assert call("post", f"{e}/contracts/9/reset") == NO_CONTRACT_9


def test_a_proxy_vote_is_audited_as_the_facilitators(
    app: Flask, call: Call, ev: dict[str, Any], make_event: Any, make_delegate: Any
) -> None:
    e, gus = ev["e"], ev["ids"]["s"]
    call("post", f"{e}/contracts/3/open")
    body = {"delegate": gus, "contract": "3", "level": 3}
    expected = {"ok": True, "contract": "3", "level": 3, "duplicate": False}
    status, answer = call("post", f"{e}/proxy-vote", body)
    assert status == 200 and answer.pop("seq") > 0
    assert answer == expected
    assert cell(call, e, "00S", "3") == "3"
    with app.app_context():
        audit = db.session.scalars(select(VoteAudit)).one()
        assert (audit.delegate_id, audit.new_level, audit.entered_by) == (gus, 3, "facilitator")
    stranger = make_delegate(make_event("Event B")["id"], "00S", "Stranger")["id"]
    for delegate in (stranger, str(gus)):
        refused = call("post", f"{e}/proxy-vote", {**body, "delegate": delegate})
        assert refused == err(404, "That delegate is not part of this event.")
    assert call("post", f"{e}/proxy-vote", {**body, "contract": "2"})[0] == 423


def test_declared_votes_leave_the_result_while_excluded(app: Flask, call: Call, ev: dict[str, Any]) -> None:
    e = ev["e"]
    call("post", f"{e}/contracts/1/open")
    declared = {"contract": "1", "interest": "My practice provides it"}
    assert call("post", "/declarations", declared, token=ev["q"]) == (201, {"ok": True})
    blank = call("post", "/declarations", {"contract": "1", "interest": "  "}, token=ev["q"])
    assert blank[0] == 422 and blank[1]["error"].startswith("Say briefly what the interest is")
    unknown = call("post", "/declarations", {"contract": "8", "interest": "x"}, token=ev["q"])
    assert unknown == err(404, "There is no contract 8 in this event.")
    listed = call("get", f"{e}/declarations")[1]["declarations"]
    assert [(d["delegate"], d["organisation"], d["contract"], d["interest"]) for d in listed] == [
        ("q", "Alpha CCG", "1", "My practice provides it")
    ]
    cast(call, ev["q"], "1", 2, "declared-vote")
    assert cell(call, e, "00Q", "1") == "2"
    assert call("put", f"{e}/settings", {"exclude_declared": True}) == (
        200,
        {"exclude_declared": True, "stage": 2},
    )
    assert cell(call, e, "00Q", "1") == ""
    assert call("put", f"{e}/settings", {"exclude_declared": False})[1]["exclude_declared"] is False
    assert cell(call, e, "00Q", "1") == "2"
    assert call("put", f"{e}/settings", {"exclude_declared": "yes"}) == err(
        422, "exclude_declared must be true or false."
    )
    with app.app_context():
        delegates.revoke(db.session.get(Delegate, ev["ids"]["r"]))
    refused = call("post", "/declarations", {"contract": "1", "interest": "Mine too"}, token=ev["r"])
    assert refused == err(403, "Only admitted delegates can declare an interest.")


FACILITATOR_CALLS = [
    ("post", "polls"),
    ("get", "polls/1"),
    ("post", "polls/1/open"),
    ("post", "polls/1/reveal"),
    ("post", "contracts/1/hide"),
    ("post", "contracts/1/countdown"),
    ("post", "contracts/1/reset"),
    ("post", "proxy-vote"),
    ("put", "settings"),
    ("get", "declarations"),
]


@pytest.mark.parametrize(("method", "path"), FACILITATOR_CALLS)
def test_facilitator_calls_need_the_token(call: Call, ev: dict[str, Any], method: str, path: str) -> None:
    for token in ("", "wrong-token", ev["q"]):
        refused = call(method, f"{ev['e']}/{path}", {"seconds": 5}, token=token)
        assert refused == err(401, "A valid facilitator API token is required.")


@pytest.mark.parametrize("path", ["/polls/1/answer", "/declarations"])
def test_delegate_calls_need_a_delegate_token(call: Call, api_token: str, path: str) -> None:
    for token in ("", "unknown-token-123", api_token):
        refused = call("post", path, {"answer": "yes", "vote_id": "auth-check-1"}, token=token)
        assert refused == err(401, "Your voting link is not valid. Please scan your QR code again.")
