"""The public HTTP API v1: facilitator calls with an API token, votes with a delegate's token."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from tests.conftest import CONTRACTS_CSV, ORGANISATIONS_CSV
from voting.extensions import db
from voting.models import Delegate
from voting.services import delegates

CSV_HEADERS = {"Content-Type": "text/csv"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_event(client: FlaskClient, headers: dict[str, str], name: str = "Spring event") -> int:
    response = client.post("/api/v1/events", json={"name": name}, headers=headers)
    assert response.status_code == 201
    return int(response.get_json()["id"])


def loaded_event(client: FlaskClient, headers: dict[str, str]) -> int:
    """An event with organisations and contracts imported, contracts 1 and 3 open."""
    event_id = new_event(client, headers)
    for kind, body in (("organisations", ORGANISATIONS_CSV), ("contracts", CONTRACTS_CSV)):
        response = client.put(f"/api/v1/events/{event_id}/{kind}", data=body, headers=headers | CSV_HEADERS)
        assert response.status_code == 200, response.get_json()
    for code in ("1", "3"):
        assert (
            client.post(f"/api/v1/events/{event_id}/contracts/{code}/open", headers=headers).status_code
            == 200
        )
    return event_id


def add_delegate(client: FlaskClient, headers: dict[str, str], event_id: int, org: str) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/events/{event_id}/delegates", json={"organisation": org, "name": "Dee"}, headers=headers
    )
    assert response.status_code == 201
    return dict(response.get_json())


def vote(client: FlaskClient, token: str, contract: str, level: Any, vote_id: str) -> Any:
    return client.post(
        "/api/v1/vote", json={"contract": contract, "level": level, "vote_id": vote_id}, headers=bearer(token)
    )


def state(client: FlaskClient, headers: dict[str, str], event_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/events/{event_id}", headers=headers)
    assert response.status_code == 200
    snapshot = dict(response.get_json())
    snapshot.pop("now")  # the server's clock, for countdowns: differs on every call
    return snapshot


def cell(snapshot: dict[str, Any], org: str, contract: str) -> str:
    column = snapshot["matrix"]["columns"].index(contract)
    row = next(r for r in snapshot["matrix"]["rows"] if r["code"] == org)
    return str(row["cells"][column])


def test_create_event_returns_id_and_join_code(client: FlaskClient, api_headers: dict[str, str]) -> None:
    response = client.post("/api/v1/events", json={"name": "Spring event"}, headers=api_headers)
    assert response.status_code == 201
    body = response.get_json()
    assert isinstance(body["id"], int)
    assert len(body["join_code"]) == 6
    shown = state(client, api_headers, body["id"])["event"]
    assert shown == {"id": body["id"], "name": "Spring event", "join_code": body["join_code"]}


def test_create_event_without_a_name_is_refused(client: FlaskClient, api_headers: dict[str, str]) -> None:
    response = client.post("/api/v1/events", json={"name": "  "}, headers=api_headers)
    assert response.status_code == 422
    assert response.get_json() == {"error": "Give the event a name."}
    response = client.post("/api/v1/events", data="not json", headers=api_headers)
    assert response.status_code == 400
    assert response.get_json() == {"error": "Send a JSON object."}


def test_imports_report_rows_imported(client: FlaskClient, api_headers: dict[str, str]) -> None:
    event_id = new_event(client, api_headers)
    url = f"/api/v1/events/{event_id}"
    response = client.put(f"{url}/organisations", data=ORGANISATIONS_CSV, headers=api_headers | CSV_HEADERS)
    assert (response.status_code, response.get_json()) == (200, {"imported": 3})
    response = client.put(f"{url}/contracts", data=CONTRACTS_CSV, headers=api_headers | CSV_HEADERS)
    assert (response.status_code, response.get_json()) == (200, {"imported": 7})
    snapshot = state(client, api_headers, event_id)
    assert snapshot["matrix"]["columns"] == ["1", "2", "3"]
    assert [row["cells"] for row in snapshot["matrix"]["rows"]] == [
        ["", "NA", ""],
        ["", "", ""],
        ["NA", "", ""],
    ]


def test_bad_csv_lists_problems_and_imports_nothing(client: FlaskClient, api_headers: dict[str, str]) -> None:
    event_id = loaded_event(client, api_headers)
    before = state(client, api_headers, event_id)
    bad = b"code,name,neighbours\n00Q,Alpha CCG,\n00Q,Alpha again,\n00T,,00X\n"
    response = client.put(
        f"/api/v1/events/{event_id}/organisations", data=bad, headers=api_headers | CSV_HEADERS
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"line", "column", "message"} <= set(errors[0])
    assert (errors[0]["line"], errors[0]["column"]) == (3, "code")
    assert "already used on line 2" in errors[0]["message"]
    assert any(e["line"] == 4 and e["column"] == "name" for e in errors)
    assert state(client, api_headers, event_id) == before


def test_add_delegate_returns_a_public_join_url(client: FlaskClient, api_headers: dict[str, str]) -> None:
    event_id = loaded_event(client, api_headers)
    body = add_delegate(client, api_headers, event_id, "00Q")
    assert body["join_url"] == f"http://voting.test/j/{body['token']}"
    assert len(body["token"]) >= 40
    assert state(client, api_headers, event_id)["organisations"][0]["delegates"] == 1


def test_add_delegate_to_unknown_organisation(client: FlaskClient, api_headers: dict[str, str]) -> None:
    event_id = loaded_event(client, api_headers)
    response = client.post(
        f"/api/v1/events/{event_id}/delegates", json={"organisation": "00Z", "name": "X"}, headers=api_headers
    )
    assert response.status_code == 422
    assert response.get_json() == {"error": "There is no organisation '00Z' in this event."}


def test_open_and_close_report_the_new_status(client: FlaskClient, api_headers: dict[str, str]) -> None:
    event_id = loaded_event(client, api_headers)
    response = client.post(f"/api/v1/events/{event_id}/contracts/2/open", headers=api_headers)
    assert (response.status_code, response.get_json()) == (200, {"contract": "2", "status": "open"})
    response = client.post(f"/api/v1/events/{event_id}/contracts/2/close", headers=api_headers)
    assert response.get_json() == {"contract": "2", "status": "closed"}
    assert state(client, api_headers, event_id)["open"] == ["1", "3"]
    response = client.post(f"/api/v1/events/{event_id}/contracts/9/open", headers=api_headers)
    assert response.status_code == 404
    assert response.get_json() == {"error": "There is no contract 9 in this event."}


def test_vote_with_delegate_token_updates_the_matrix(
    client: FlaskClient, api_headers: dict[str, str]
) -> None:
    event_id = loaded_event(client, api_headers)
    token = add_delegate(client, api_headers, event_id, "00Q")["token"]
    response = vote(client, token, "1", 4, "vote-api-0001")
    assert response.status_code == 200
    answer = response.get_json()
    assert answer.pop("seq") > 0  # its record's place in the event's audit chain (static/js/phone.js)
    assert answer == {"ok": True, "contract": "1", "level": 4, "duplicate": False}
    snapshot = state(client, api_headers, event_id)
    assert cell(snapshot, "00Q", "1") == "4"
    assert snapshot["contracts"][0]["counts"]["4"] == 1
    assert snapshot["contracts"][0]["voted"] == 1


def test_resent_vote_counts_once(client: FlaskClient, api_headers: dict[str, str]) -> None:
    event_id = loaded_event(client, api_headers)
    token = add_delegate(client, api_headers, event_id, "00Q")["token"]
    assert vote(client, token, "1", 2, "vote-api-resend").status_code == 200
    again = vote(client, token, "1", 2, "vote-api-resend")
    assert again.status_code == 200
    assert again.get_json()["duplicate"] is True
    snapshot = state(client, api_headers, event_id)
    assert cell(snapshot, "00Q", "1") == "2"
    assert snapshot["contracts"][0]["votes"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 0}
    conflict = vote(client, token, "1", 5, "vote-api-resend")
    assert conflict.status_code == 409


def test_vote_refusals(client: FlaskClient, api_headers: dict[str, str]) -> None:
    event_id = loaded_event(client, api_headers)
    gamma = add_delegate(client, api_headers, event_id, "00S")["token"]
    response = vote(client, gamma, "1", 2, "vote-not-held")
    assert response.status_code == 422
    assert "does not hold contract 1" in response.get_json()["error"]
    client.post(f"/api/v1/events/{event_id}/contracts/3/close", headers=api_headers)
    response = vote(client, gamma, "3", 2, "vote-too-late")
    assert response.status_code == 423
    assert "closed" in response.get_json()["error"]
    assert vote(client, gamma, "2", 2, "vote-too-soon").status_code == 423
    assert vote(client, gamma, "2", 9, "vote-bad-level").status_code == 422
    response = client.post("/api/v1/vote", data="x", headers=bearer(gamma))
    assert response.status_code == 400
    assert state(client, api_headers, event_id)["contracts"][2]["voted"] == 0


@pytest.mark.parametrize("headers", [{}, bearer("not-a-real-token"), {"Authorization": "Basic abc"}])
def test_vote_without_a_valid_token_is_401(
    client: FlaskClient, api_headers: dict[str, str], headers: dict[str, str]
) -> None:
    event_id = loaded_event(client, api_headers)
    body = {"contract": "1", "level": 2, "vote_id": "vote-anon-001"}
    response = client.post("/api/v1/vote", json=body, headers=headers)
    assert response.status_code == 401
    assert "not valid" in response.get_json()["error"]
    assert cell(state(client, api_headers, event_id), "00Q", "1") == ""


def test_api_token_is_not_a_delegate_token(client: FlaskClient, api_headers: dict[str, str]) -> None:
    loaded_event(client, api_headers)
    response = client.post(
        "/api/v1/vote", json={"contract": "1", "level": 2, "vote_id": "vote-admin-01"}, headers=api_headers
    )
    assert response.status_code == 401


def test_revoked_delegate_token_is_refused(
    app: Flask, client: FlaskClient, api_headers: dict[str, str]
) -> None:
    event_id = loaded_event(client, api_headers)
    added = add_delegate(client, api_headers, event_id, "00Q")
    with app.app_context():
        delegates.revoke(db.session.get(Delegate, added["id"]))
    response = vote(client, added["token"], "1", 2, "vote-revoked1")
    assert response.status_code == 403
    assert "withdrawn" in response.get_json()["error"]
    assert cell(state(client, api_headers, event_id), "00Q", "1") == ""


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/events"),
        ("get", "/api/v1/events/{id}"),
        ("put", "/api/v1/events/{id}/organisations"),
        ("put", "/api/v1/events/{id}/contracts"),
        ("post", "/api/v1/events/{id}/delegates"),
        ("post", "/api/v1/events/{id}/contracts/2/open"),
        ("post", "/api/v1/events/{id}/contracts/1/close"),
        ("get", "/api/v1/events/{id}/matrix.csv"),
        ("get", "/api/v1/events/{id}/matrix.xlsx"),
        ("get", "/api/v1/events/{id}/matrix.json"),
    ],
)
def test_facilitator_endpoints_need_an_api_token(
    client: FlaskClient, api_headers: dict[str, str], method: str, path: str
) -> None:
    event_id = loaded_event(client, api_headers)
    delegate_token = add_delegate(client, api_headers, event_id, "00Q")["token"]
    url = path.format(id=event_id)
    for headers in (
        {},
        bearer(delegate_token),
        bearer("garbage"),
        {"Authorization": api_headers["Authorization"][7:]},
    ):
        response = getattr(client, method)(url, json={"name": "x", "organisation": "00Q"}, headers=headers)
        assert response.status_code == 401, (url, headers)
        assert response.get_json() == {"error": "A valid facilitator API token is required."}
    snapshot = state(client, api_headers, event_id)
    assert snapshot["open"] == ["1", "3"]
    assert snapshot["organisations"][0]["delegates"] == 1


def test_unknown_event_is_404(client: FlaskClient, api_headers: dict[str, str]) -> None:
    event_id = loaded_event(client, api_headers)
    missing = event_id + 1
    for response in (
        client.get(f"/api/v1/events/{missing}", headers=api_headers),
        client.put(f"/api/v1/events/{missing}/organisations", data=ORGANISATIONS_CSV, headers=api_headers),
        client.post(f"/api/v1/events/{missing}/contracts/1/open", headers=api_headers),
        client.get(f"/api/v1/events/{missing}/matrix.json", headers=api_headers),
    ):
        assert response.status_code == 404
        assert response.get_json() == {"error": "There is no such event."}


def phone(app: Flask, join_token: str) -> FlaskClient:
    """A phone's browser that followed its personal link (the session now names the delegate)."""
    browser = app.test_client()
    response = browser.get(f"/j/{join_token}")
    assert response.status_code == 302
    return browser


def csrf_header(app: Flask, browser: FlaskClient) -> dict[str, str]:
    """The X-CSRFToken the phone page would send, signed as flask-wtf signs it."""
    raw = "a" * 40
    with browser.session_transaction() as session:
        session["csrf_token"] = raw
    signed = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    return {"X-CSRFToken": signed}


def test_phone_page_votes_with_session_and_csrf_header(
    app: Flask, client: FlaskClient, api_headers: dict[str, str]
) -> None:
    event_id = loaded_event(client, api_headers)
    browser = phone(app, add_delegate(client, api_headers, event_id, "00R")["token"])
    body = {"contract": "3", "level": 5, "vote_id": "vote-phone-01"}
    assert browser.post("/api/v1/vote", json=body).status_code == 401
    response = browser.post("/api/v1/vote", json=body, headers={"X-CSRFToken": "forged"})
    assert response.status_code == 401
    assert cell(state(client, api_headers, event_id), "00R", "3") == ""
    response = browser.post("/api/v1/vote", json=body, headers=csrf_header(app, browser))
    assert response.status_code == 200
    assert response.get_json()["ok"] is True
    assert cell(state(client, api_headers, event_id), "00R", "3") == "5"


def test_csrf_header_of_another_session_is_refused(
    app: Flask, client: FlaskClient, api_headers: dict[str, str]
) -> None:
    event_id = loaded_event(client, api_headers)
    browser = phone(app, add_delegate(client, api_headers, event_id, "00R")["token"])
    with browser.session_transaction() as session:
        session["csrf_token"] = "b" * 40
    other = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("c" * 40)
    body = {"contract": "3", "level": 5, "vote_id": "vote-phone-02"}
    assert browser.post("/api/v1/vote", json=body, headers={"X-CSRFToken": other}).status_code == 401
    assert cell(state(client, api_headers, event_id), "00R", "3") == ""
