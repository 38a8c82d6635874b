"""Requests that used to crash the app (a 500 or an exception in a handler), found while fuzzing the
API and the Socket.IO events. Each must now get an ordinary refusal (or success) as JSON."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.fuzz.conftest import World
from voting.extensions import socketio

HUGE = [2**31, 2**63, 10**30]  # past PostgreSQL's INTEGER, past SQLite's, past both


@pytest.fixture
def call(client: FlaskClient, world: World) -> Any:
    def run(method: str, path: str, *, token: str | None = None, **kwargs: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token or world.facilitator}"} | kwargs.pop("headers", {})
        response = getattr(client, method)(f"/api/v1{path}", headers=headers, **kwargs)
        assert response.is_json, response.get_data(as_text=True)[:200]
        return response.status_code, response.get_json()

    return run


def test_ids_too_large_for_the_database_are_unknown(call: Any, world: World) -> None:
    """OverflowError: Python int too large to convert to SQLite INTEGER (event, poll, version, delegate)."""
    for number in HUGE:
        ids_too_large(call, world, number)


def ids_too_large(call: Any, world: World, number: int) -> None:
    assert call("get", f"/events/{number}") == (404, {"error": "There is no such event."})
    assert call("get", f"/events/{number}/activity/ccgs/99X.csv")[0] == 404
    assert call("post", f"/events/{number}/stage", json={"stage": 2})[0] == 404
    event = world.events[1]
    assert call("get", f"/events/{event}/polls/{number}")[0] == 404
    assert call("post", f"/events/{event}/polls/{number}/open")[0] == 404
    assert call("get", f"/events/{event}/versions/{number}")[0] == 404
    body = {"answer": "Yes", "vote_id": "regression-1"}
    assert call("post", f"/polls/{number}/answer", json=body, token=world.delegates["2"])[0] == 404
    proxy = {"delegate": number, "contract": "1", "level": 2}
    assert call("post", f"/events/{event}/proxy-vote", json=proxy)[0] == 404


def test_json_nested_too_deeply_is_a_bad_request(call: Any, world: World) -> None:
    """RecursionError from the JSON parser."""
    deep = "[" * 100_000 + "]" * 100_000
    headers = {"Content-Type": "application/json"}
    assert call("post", "/events", data=deep, headers=headers) == (400, {"error": "Send a JSON object."})
    status, body = call("post", "/vote", data=deep, headers=headers, token=world.delegates["2"])
    assert (status, body) == (400, {"error": "The vote could not be read. Please try again."})


def test_json_text_that_is_not_unicode_is_a_bad_request(call: Any, world: World) -> None:
    """UnicodeEncodeError writing a lone surrogate ("\\ud800" is valid JSON) to the database."""
    headers = {"Content-Type": "application/json"}
    assert call("post", "/events", data='{"name": "\\ud800"}', headers=headers)[0] == 400
    body = '{"contract": "1", "interest": "x\\udfff"}'
    assert call("post", "/declarations", data=body, headers=headers, token=world.delegates["2"])[0] == 400
    nested = '{"name": "ok", "extra": [{"\\ud800": 1}]}'
    assert call("post", "/events", data=nested, headers=headers)[0] == 400


def test_top_is_ascii_digits(call: Any, world: World) -> None:
    """ValueError from int("²") ("²".isdigit() is true) and from int() of more than 4300 digits."""
    for top in ("\u00b2", "1" + "0" * 5000, "\u0665"):
        path = f"/events/{world.events[1]}/activity/ccgs/99X.json"
        status, body = call("get", path, query_string={"top": top})
        assert status == 400 and "'top' must be a whole number" in body["error"], top


def test_arrangement_edits_of_the_wrong_type_are_refused(call: Any, world: World) -> None:
    """TypeError: members not a list; model not a string (unhashable in the models table)."""
    e = f"/events/{world.events[0]}"
    split = {"operation": "split", "key": world.keys[0], "members": 5}
    assert call("post", f"{e}/arrangements/edit", json=split)[0] == 422
    for model in ([], {}, ["equal_partners"]):
        assert call("patch", f"{e}/arrangements/{world.keys[0]}", json={"model": model})[0] == 422


def test_contribution_percentages_must_be_usable(call: Any, world: World) -> None:
    """An infinite percentage was stored and then broke the cost split (OverflowError); a tiny or huge
    exponent stalled it."""
    e = f"/events/{world.events[0]}"
    arrangements = call("get", f"{e}/arrangements")[1]["arrangements"]
    shared = next(a for a in arrangements if len(a["members"]) > 1)
    assert call("patch", f"{e}/arrangements/{shared['key']}", json={"cost_method": "custom"})[0] == 200
    for percent in ("Infinity", "NaN", "sNaN", "1e-999999999", "1e999999999", "100.5"):
        body = {"organisation": shared["members"][0]["organisation"], "percent": percent}
        assert call("post", f"{e}/arrangements/{shared['key']}/contributions", json=body)[0] == 422, percent
        assert call("get", f"{e}/arrangements")[0] == 200, percent
    body["percent"] = "62.5"
    assert call("post", f"{e}/arrangements/{shared['key']}/contributions", json=body) == (200, {"ok": True})


def test_decision_rules_with_exponents_are_refused(call: Any, world: World) -> None:
    """Fraction("1e-999999999") builds a number with a billion digits: the request never returned."""
    path = f"/events/{world.events[0]}/arrangements/{world.keys[0]}"
    for fields in ({"rule_threshold": "1e-999999999"}, {"quorum": "1E999999999"}, {"quorum": "1" * 40}):
        assert call("patch", path, json=fields)[0] == 422, fields
    assert call("patch", path, json={"rule_threshold": "2/3", "quorum": "1/2"}) == (200, {"ok": True})


def test_rerun_finds_a_contract_code_with_spaces_as_reset_does(call: Any, world: World) -> None:
    """AssertionError: reset found " 1" (it trims) but the re-run's own lookup did not."""
    e = f"/events/{world.events[2]}"  # stage 3
    assert call("post", f"{e}/contracts/%201/rerun") == (200, {"ok": True})
    assert call("post", f"{e}/contracts/%201/close") == (200, {"contract": " 1", "status": "closed"})


def test_resync_with_any_number_of_arguments(app: Flask, world: World) -> None:
    """TypeError: resync() takes from 0 to 1 positional arguments but 2 were given."""
    phone = app.test_client()
    phone.get(f"/j/{world.delegates['2']}")
    socket = socketio.test_client(app, flask_test_client=phone, auth={"audience": "delegate"})
    assert socket.is_connected()
    socket.get_received()
    socket.emit("resync", 1, 2, 3)
    socket.emit("resync")
    assert [m["name"] for m in socket.get_received()] == ["ballot", "ballot"]
    socket.disconnect()


def test_a_screen_token_that_is_not_unicode_is_refused(app: Flask, world: World) -> None:
    """UnicodeEncodeError hashing a token with a lone surrogate."""
    for auth in (
        {"audience": "console", "event": world.events[0], "token": "\ud800"},
        {"audience": "projector", "event": 2**63, "token": world.facilitator},
        {"audience": "projector", "event": True, "token": world.facilitator},
    ):
        socket = socketio.test_client(app, flask_test_client=app.test_client(), auth=auth)
        assert not socket.is_connected()
