"""A small world for the fuzzers: events at each stage, with delegates, polls and activity data.

Every fuzz test runs twice: on SQLite (a temporary file) and on a fresh PostgreSQL database of its
own (tests/conftest.py: app_on_postgres), because the two refuse different things - PostgreSQL rejects a NUL
character in text and text longer than its column, where SQLite stores both.

Event 1 is at stage 4 (arrangements proposed, one co-ordinator proposed), event 2 at stage 2 with
votes and polls open and activity loaded, event 3 at stage 3, event 4 empty. The fuzzers aim at
these ids (and at ids that do not exist) so that generated requests reach the services, not only
the 404 for an unknown event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import app_on_postgres, app_with_database
from voting.activity_demo import activity_csv

ORGS = ("00Q", "00R", "00S")
VOTES = [("00Q", "1", 2), ("00R", "1", 2), ("00R", "2", 2), ("00S", "2", 3), ("00Q", "3", 4), ("00R", "3", 4)]


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Flask]:
    """The app on SQLite, then on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield from app_with_database(tmp_path, f"sqlite:///{tmp_path / 'test.sqlite3'}")
    else:
        yield from app_on_postgres(tmp_path)


@dataclass
class World:
    """What the fuzzers may aim at: ids and codes that exist, and who may call what."""

    facilitator: str
    events: list[int]
    contracts: list[str] = field(default_factory=lambda: ["1", "2", "3"])
    polls: list[int] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    ccgs: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)
    delegates: dict[str, str] = field(default_factory=dict)  # stage ("2", "3", "4") -> a delegate token
    delegate_ids: list[int] = field(default_factory=list)


def _caller(client: FlaskClient, token: str) -> Callable[..., Any]:
    def call(method: str, path: str, body: Any = None, as_token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {as_token or token}"}
        response = getattr(client, method)(f"/api/v1{path}", json=body, headers=headers)
        assert response.status_code < 300, (
            method,
            path,
            response.status_code,
            response.get_data(as_text=True),
        )
        return response.get_json()

    return call


def _voted_event(
    call: Callable[..., Any], make_event: Any, make_delegate: Any, world: World
) -> tuple[str, dict[str, str]]:
    """An event at stage 2 with every contract voted on and closed; its path and delegate tokens."""
    event = make_event()["id"]
    world.events.append(event)
    tokens = {}
    for org in ORGS:
        made = make_delegate(event, org, f"{org} lead")
        tokens[org] = made["token"]
        world.delegate_ids.append(made["id"])
    e = f"/events/{event}"
    call("post", f"{e}/stage", {"stage": 2})
    for code in ("1", "2", "3"):
        call("post", f"{e}/contracts/{code}/open")
    for n, (org, code, level) in enumerate(VOTES):
        call(
            "post", "/vote", {"contract": code, "level": level, "vote_id": f"world-vote-{n:02d}"}, tokens[org]
        )
    for code in ("1", "2", "3"):
        call("post", f"{e}/contracts/{code}/close")
    return e, tokens


@pytest.fixture
def world(
    client: FlaskClient,
    api_token: str,
    make_event: Callable[..., dict[str, Any]],
    make_delegate: Callable[..., dict[str, Any]],
) -> World:
    call = _caller(client, api_token)
    found = World(facilitator=api_token, events=[])

    # Event 1: stage 4.
    e, tokens = _voted_event(call, make_event, make_delegate, found)
    found.versions.append(call("post", f"{e}/stage", {"stage": 3})["frozen"]["id"])
    amend = {"contract": "3", "action": "amend", "level": 4, "reason": "We join the regional 111"}
    call("post", "/confirmations", amend, tokens["00S"])
    found.versions.append(call("post", f"{e}/stage", {"stage": 4})["frozen"]["id"])
    arrangements = call("get", f"{e}/arrangements")["arrangements"]
    found.keys = [a["key"] for a in arrangements]
    shared = next(a for a in arrangements if len(a["members"]) > 1)
    call("patch", f"{e}/arrangements/{shared['key']}", {"coordinator": shared["members"][0]["organisation"]})
    found.delegates["4"] = tokens[shared["members"][0]["organisation"]]

    # Event 2: stage 2, votes and polls open, activity loaded, an interest declared.
    event = make_event()["id"]
    found.events.append(event)
    e = f"/events/{event}"
    delegate = make_delegate(event, "00R", "Stage 2 delegate")
    found.delegates["2"] = delegate["token"]
    found.delegate_ids.append(delegate["id"])
    call("post", f"{e}/stage", {"stage": 2})
    call("post", f"{e}/contracts/1/open")
    call("post", f"{e}/contracts/2/open")
    for poll in (
        {"kind": "choice", "question": "Which first?", "options": ["Acute", "Mental health"]},
        {"kind": "scale", "question": "How keen?", "anonymous": True},
        {"kind": "yes_no_unsure", "question": "Go on?"},
    ):
        found.polls.append(call("post", f"{e}/polls", poll)["id"])
    for poll_id in found.polls[:2]:
        call("post", f"{e}/polls/{poll_id}/open")
    call("post", "/declarations", {"contract": "1", "interest": "My practice provides it"}, delegate["token"])
    response = client.put(
        f"/api/v1{e}/activity",
        data=activity_csv(),
        headers={"Authorization": f"Bearer {api_token}", "Content-Type": "text/csv"},
    )
    assert response.status_code == 200
    flows = call("get", f"{e}/activity/ccgs/99X.json")
    found.ccgs = ["99X"]
    found.providers = [row["code"] for row in flows["rows"] if row["kind"] == "row"][:3]

    # Event 3: stage 3.
    e, tokens = _voted_event(call, make_event, make_delegate, found)
    found.versions.append(call("post", f"{e}/stage", {"stage": 3})["frozen"]["id"])
    found.delegates["3"] = tokens["00S"]

    # Event 4: nothing loaded.
    found.events.append(
        make_event(
            name="Empty event",
            organisations=b"code,name,neighbours\n00Q,Alpha,\n",
            contracts=b"contract,contract_name,organisation,annual_value_gbp,activity\n1,One,00Q,1,\n",
        )["id"]
    )
    return found
