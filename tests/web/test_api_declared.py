"""Declared API bodies (voting/web/schemas.py): a body that does not fit its declaration is refused
with the field's sentence, never pydantic's words, after the token check; the description at
/api/v1/openapi.json is generated from the same declarations."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.web.test_api import bearer

VOTE = {"contract": "1", "level": 3, "vote_id": "vote-declared-1"}


def post(client: FlaskClient, url: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
    answer = client.post(url, json=body, headers=headers)
    return answer.status_code, answer.get_json()


def test_a_vote_that_does_not_fit_gets_the_fields_sentence(
    client: FlaskClient, make_event: Any, make_delegate: Any
) -> None:
    """The first field found wrong, in the order the service checks them, names the sentence."""
    token = make_delegate(make_event()["id"], "00Q")["token"]
    cases = [
        (
            {**VOTE, "vote_id": "short"},
            "The vote could not be read (missing or malformed vote id). Please try again.",
        ),
        (
            {"contract": "1", "level": 3},
            "The vote could not be read (missing or malformed vote id). Please try again.",
        ),
        ({**VOTE, "level": True}, "Choose one of the five levels, 1 to 5."),
        ({**VOTE, "level": 9}, "Choose one of the five levels, 1 to 5."),
        ({**VOTE, "level": [3]}, "Choose one of the five levels, 1 to 5."),
        ({**VOTE, "round": 1.5}, "The vote could not be read (malformed round). Please try again."),
        ({**VOTE, "round": True}, "The vote could not be read (malformed round). Please try again."),
        (
            {"level": 3, "vote_id": "vote-declared-2"},
            "The vote could not be read (no contract). Please try again.",
        ),
        ({**VOTE, "contract": ["1"]}, "The vote could not be read (no contract). Please try again."),
        (
            {**VOTE, "vote_id": "bad id!", "level": 9},
            "The vote could not be read (missing or malformed vote id). Please try again.",
        ),
    ]
    for body, sentence in cases:
        assert post(client, "/api/v1/vote", body, bearer(token)) == (422, {"error": sentence}), body


def test_a_vote_that_is_not_an_object_is_400_and_a_wrong_token_401_whatever_the_body(
    client: FlaskClient, make_event: Any, make_delegate: Any
) -> None:
    token = make_delegate(make_event()["id"], "00Q")["token"]
    unreadable = (400, {"error": "The vote could not be read. Please try again."})
    assert post(client, "/api/v1/vote", [VOTE], bearer(token)) == unreadable
    assert post(client, "/api/v1/vote", "3", bearer(token)) == unreadable
    answer = client.post("/api/v1/vote", data="level=3", headers=bearer(token))
    assert (answer.status_code, answer.get_json()) == unreadable
    invalid_link = (401, {"error": "Your voting link is not valid. Please scan your QR code again."})
    assert post(client, "/api/v1/vote", {"level": "x"}, bearer("not-a-token")) == invalid_link
    assert post(client, "/api/v1/vote", [1], {}) == invalid_link


def test_a_level_as_its_digit_still_counts(
    client: FlaskClient, make_event: Any, make_delegate: Any, api_headers: dict[str, str]
) -> None:
    """The phone may send "3": declared as a number 1-5 or text the service reads."""
    event = make_event()["id"]
    token = make_delegate(event, "00Q")["token"]
    client.post(f"/api/v1/events/{event}/contracts/1/open", headers=api_headers)
    status, answer = post(client, "/api/v1/vote", {**VOTE, "level": " 3 "}, bearer(token))
    assert status == 200
    assert answer.pop("seq") > 0  # its place in the audit chain
    assert answer == {"ok": True, "contract": "1", "level": 3, "duplicate": False}


def test_event_names_that_do_not_fit(client: FlaskClient, api_headers: dict[str, str]) -> None:
    too_long = (422, {"error": "The event name must be 200 characters or fewer."})
    assert post(client, "/api/v1/events", {"name": "x" * 201}, api_headers) == too_long
    no_name = (422, {"error": "Give the event a name."})
    assert post(client, "/api/v1/events", {}, api_headers) == no_name
    assert post(client, "/api/v1/events", {"name": 7}, api_headers) == no_name
    assert post(client, "/api/v1/events", {"name": "x"}, {}) == (
        401,
        {"error": "A valid facilitator API token is required."},
    )


def test_a_poll_answer_that_does_not_fit(
    client: FlaskClient, make_event: Any, make_delegate: Any, api_headers: dict[str, str]
) -> None:
    event = make_event()["id"]
    token = make_delegate(event, "00Q")["token"]
    created = client.post(
        f"/api/v1/events/{event}/polls",
        json={"kind": "yes_no_unsure", "question": "Go?"},
        headers=api_headers,
    ).get_json()
    url = f"/api/v1/polls/{created['id']}/answer"
    assert post(client, url, {"answer": ["yes"], "vote_id": "answer-decl-1"}, bearer(token)) == (
        422,
        {"error": "Choose one of the answers shown."},
    )
    assert post(client, url, {"answer": "yes"}, bearer(token)) == (
        422,
        {"error": "The answer could not be read (missing or malformed vote id). Please try again."},
    )
    assert post(client, url, [], bearer(token)) == (400, {"error": "Send a JSON object."})


def test_the_description_comes_from_the_declarations(client: FlaskClient) -> None:
    described = client.get("/api/v1/openapi.json").get_json()
    request = described["paths"]["/api/v1/vote"]["post"]["requestBody"]["content"]["application/json"]
    schema = described["components"]["schemas"][request["schema"]["$ref"].rsplit("/", 1)[1]]
    assert sorted(schema["required"]) == ["contract", "level", "vote_id"]
    assert schema["properties"]["vote_id"]["pattern"] == "^[A-Za-z0-9_-]{8,64}$"
    assert described["paths"]["/api/v1/vote"]["post"]["security"] == [{"delegateToken": []}]
    for kind in ("organisations", "contracts"):
        put = described["paths"][f"/api/v1/events/{{event_id}}/{kind}"]["put"]
        assert set(put["requestBody"]["content"]) == {
            "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }


def test_facilitator_bodies_that_do_not_fit(
    client: FlaskClient, make_event: Any, make_delegate: Any, api_headers: dict[str, str]
) -> None:
    """Countdowns, stages, settings, polls and proxy votes: the field's sentence, and its status."""
    event = make_event()["id"]
    e = f"/api/v1/events/{event}"
    client.post(f"{e}/contracts/1/open", headers=api_headers)
    between = "A countdown must be between 5 seconds and an hour."
    whole = "Give the countdown in whole seconds."
    for seconds, sentence in ((3, between), (3601, between), (True, whole), (2.5, whole), (None, whole)):
        assert post(client, f"{e}/contracts/1/countdown", {"seconds": seconds}, api_headers) == (
            422,
            {"error": sentence},
        ), seconds
    assert post(client, f"{e}/contracts/1/countdown", {"seconds": "30"}, api_headers) == (200, {"ok": True})
    assert post(client, f"{e}/stage", {"stage": "2"}, api_headers) == (
        422,
        {"error": "Give the stage as a number from 1 to 4."},
    )
    assert post(client, f"{e}/stage", {"stage": 7}, api_headers) == (
        422,
        {"error": "Choose stage 1, 2, 3 or 4."},
    )
    answer = client.put(f"{e}/settings", json={"exclude_declared": "yes"}, headers=api_headers)
    assert (answer.status_code, answer.get_json()) == (
        422,
        {"error": "exclude_declared must be true or false."},
    )
    answer = client.put(f"{e}/settings", json={}, headers=api_headers)
    assert (answer.status_code, answer.get_json()["exclude_declared"]) == (200, False)
    poll = {"kind": "yes_no_unsure", "question": "Go?"}
    assert post(client, f"{e}/polls", {**poll, "options": "a,b"}, api_headers) == (
        422,
        {"error": "Give the options as a list."},
    )
    assert post(client, f"{e}/polls", {**poll, "kind": "maybe"}, api_headers) == (
        422,
        {"error": "Choose yes/no/unsure, a single choice, or a 1 to 5 scale."},
    )
    vote = {"delegate": 999_999, "contract": "1", "level": 2}
    assert post(client, f"{e}/proxy-vote", vote, api_headers) == (
        404,
        {"error": "That delegate is not part of this event."},
    )
    assert post(client, f"{e}/proxy-vote", {**vote, "delegate": "1"}, api_headers)[0] == 404
    delegate = make_delegate(event, "00Q")["id"]
    assert post(client, f"{e}/proxy-vote", {**vote, "delegate": delegate, "level": 6}, api_headers) == (
        422,
        {"error": "Choose one of the five levels, 1 to 5."},
    )


def test_delegate_bodies_that_do_not_fit(client: FlaskClient, make_event: Any, make_delegate: Any) -> None:
    """Declarations, confirmations and ballots: the field's sentence, after the token check."""
    token = make_delegate(make_event()["id"], "00Q")["token"]
    headers = bearer(token)
    assert post(client, "/api/v1/declarations", {"contract": "1", "interest": 5}, headers) == (
        422,
        {"error": "Say briefly what the interest is, for example 'my practice provides this service'."},
    )
    assert post(client, "/api/v1/confirmations", {"contract": "1", "action": "maybe"}, headers) == (
        422,
        {"error": "Choose confirm or amend."},
    )
    assert post(
        client, "/api/v1/arrangements/1:2:1/ballot", {"topic": "lunch", "ballot": "yes"}, headers
    ) == (
        422,
        {"error": "Vote on the co-ordinator or the model."},
    )
    assert post(
        client, "/api/v1/arrangements/1:2:1/ballot", {"topic": "model", "ballot": "perhaps"}, headers
    ) == (
        422,
        {"error": "Vote yes, no or abstain."},
    )
    for url in ("/api/v1/declarations", "/api/v1/confirmations", "/api/v1/arrangements/1:2:1/ballot"):
        assert post(client, url, {"topic": 1}, bearer("not-a-token"))[0] == 401, url
        assert post(client, url, [], headers) == (400, {"error": "Send a JSON object."}), url
