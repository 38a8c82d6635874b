"""Text a database cannot store is refused with a sentence (422), on SQLite and PostgreSQL alike.

Found fuzzing against PostgreSQL: a NUL character in any text field, or a poll option longer than
the column its answers are stored in, was a 500 there (psycopg2: "A string literal cannot contain NUL
(0x00) characters."; PostgreSQL: "value too long for type character varying(200)"), while SQLite
stored it. Each runs on both databases (tests/fuzz/conftest.py) and checks that nothing was stored.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.fuzz.conftest import World
from tests.helpers import csrf_token
from voting.extensions import db
from voting.models import Event, Poll
from voting.web.text_guard import HAS_NUL

NUL = "\x00"


@pytest.fixture
def call(client: FlaskClient, world: World) -> Any:
    def run(method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token or world.facilitator}"}
        response = getattr(client, method)(f"/api/v1{path}", json=body, headers=headers)
        assert response.is_json, response.get_data(as_text=True)[:200]
        return response.status_code, response.get_json()

    return run


def test_a_nul_character_in_any_text_field_is_refused_with_a_sentence(
    app: Flask, call: Any, world: World
) -> None:
    stage2, stage3 = f"/events/{world.events[1]}", f"/events/{world.events[2]}"
    choice = {"kind": "choice", "question": "Which first?", "options": ["Acute", "Mental health"]}
    refused = [
        ("post", "/events", {"name": f"Spring{NUL}event"}, None),
        ("post", f"{stage2}/delegates", {"organisation": "00R", "name": f"Ann{NUL}"}, None),
        ("post", f"{stage2}/polls", choice | {"question": f"Which{NUL} first?"}, None),
        ("post", f"{stage2}/polls", choice | {"options": ["Acute", f"Mental{NUL}health"]}, None),
        (
            "post",
            f"/polls/{world.polls[0]}/answer",
            {"answer": f"Acute{NUL}", "vote_id": "nul-answer-1"},
            world.delegates["2"],
        ),
        ("post", "/declarations", {"contract": "1", "interest": f"My{NUL}practice"}, world.delegates["2"]),
        (
            "post",
            "/confirmations",
            {"contract": "3", "action": "amend", "level": 2, "reason": f"No{NUL}"},
            world.delegates["3"],
        ),
        (
            "post",
            "/vote",
            {"contract": f"1{NUL}", "level": 2, "vote_id": "nul-in-contract-1"},
            world.delegates["2"],
        ),
        ("post", f"{stage2}/contracts/1{NUL}/close", None, None),
        ("get", f"{stage2}/activity/ccgs/99X.json?top=1{NUL}", None, None),
        ("get", f"{stage3}/arrangements/{NUL}", None, None),
    ]
    with app.app_context():
        before = (db.session.query(Event).count(), db.session.query(Poll).count())
    for method, path, body, token in refused:
        assert call(method, path, body, token) == (422, {"error": HAS_NUL}), (method, path, body)
    with app.app_context():
        assert (db.session.query(Event).count(), db.session.query(Poll).count()) == before


def test_a_nul_character_in_a_console_form_is_refused_with_a_sentence(
    client: FlaskClient, password: str
) -> None:
    token = csrf_token(client, "/login")
    assert client.post("/login", data={"password": password, "csrf_token": token}).status_code == 302
    token = csrf_token(client, "/")
    response = client.post("/events", data={"name": f"Spring{NUL}event", "csrf_token": token})
    assert response.status_code == 422
    assert "contains a NUL character" in response.get_data(as_text=True)


def test_a_poll_option_longer_than_an_answer_can_be_is_refused(call: Any, world: World) -> None:
    """An answer is stored as its option's text (200 characters at most): a longer option could be
    shown but never answered."""
    polls = f"/events/{world.events[1]}/polls"
    body = {"kind": "choice", "question": "Which first?", "options": ["A" * 201, "B"]}
    assert call("post", polls, body) == (422, {"error": "Keep each option to 200 characters or fewer."})
    body["options"] = ["A" * 200, "B"]
    status, made = call("post", polls, body)
    assert status == 201, made
    assert call("post", f"{polls}/{made['id']}/open")[0] == 200
    answer = {"answer": "A" * 200, "vote_id": "long-option-answer-1"}
    status, answered = call("post", f"/polls/{made['id']}/answer", answer, world.delegates["2"])
    assert status == 200, answered
