"""The console's stage pipeline, polls, facilitation controls, interests and Stage 4 forms, posted the
way a browser would (with the CSRF token from the page)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.helpers import csrf_token
from voting.extensions import db
from voting.models import Delegate, Event, VoteAudit
from voting.services import contracts, interests, stage3, stages, votes

VOTES = [("00Q", "1", 2), ("00R", "1", 2), ("00R", "2", 2), ("00S", "2", 3), ("00Q", "3", 4), ("00R", "3", 4)]


def post(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    """Submit a console form with the CSRF token from the console page."""
    event_page = re.match(r"/events/\d+", path)
    assert event_page
    return client.post(path, data={**data, "csrf_token": csrf_token(client, event_page.group(0))})


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def act(client: FlaskClient, event: int, path: str, **data: Any) -> str:
    """Post a form, follow the redirect to the console, return the page (with the flash)."""
    response = post(client, f"/events/{event}{path}", data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/events/{event}")
    return page(client, f"/events/{event}")


@pytest.fixture
def ev(app: Flask, make_event: Any, make_delegate: Any) -> dict[str, Any]:
    event = make_event()["id"]
    people = {
        org: make_delegate(event, org, name)["id"]
        for org, name in (("00Q", "Ann"), ("00R", "Bea"), ("00S", "Gus"))
    }
    return {"id": event, "people": people}


def run(app: Flask, ev: dict[str, Any], call: Any) -> Any:
    with app.app_context():
        event = db.session.get(Event, ev["id"])
        people = {org: db.session.get(Delegate, i) for org, i in ev["people"].items()}
        return call(event, people)


def to_stage(app: Flask, ev: dict[str, Any], stage: int) -> None:
    """Vote (VOTES) in stage 2, then on to `stage`; before stage 4 Gamma amends contract 3 to level 4."""

    def go(event: Event, people: dict[str, Delegate]) -> None:
        stages.move_to(event, 2)
        contracts.open_contracts(event)
        for n, (org, code, level) in enumerate(VOTES):
            votes.cast_vote(people[org], code, level, f"console-vote-{n:02d}")
        contracts.close_contracts(event)
        if stage >= 3:
            stages.move_to(event, 3)
        if stage >= 4:
            stage3.confirm(people["00S"], "3", "amend", 4, "We join the regional 111")
            stages.move_to(event, 4)

    run(app, ev, go)


def frozen_row(text: str, name: str) -> list[str]:
    row = re.search(rf'<th scope="row">{name}</th>(.*?)</tr>', text)
    assert row, f"no row for {name}"
    return re.findall(r'<td class="cell [^"]*">([^<]*)</td>', row.group(1))


def test_moving_stages_and_the_frozen_version(
    app: Flask, facilitator: FlaskClient, ev: dict[str, Any]
) -> None:
    event = ev["id"]
    assert "Stage 1 of 4: Do we have an appetite for collaboration?" in page(facilitator, f"/events/{event}")
    text = act(facilitator, event, "/stage", stage="2")
    assert "The event is now at stage 2: What do we want to collaborate on?" in text
    assert "Back to stage 1" in text and "Go to stage 3" in text
    assert "Go through the stages in order: the next is stage 3." in act(
        facilitator, event, "/stage", stage="4"
    )
    run(app, ev, lambda e, p: contracts.open_contracts(e, ["1"]))
    run(app, ev, lambda e, p: votes.cast_vote(p["00Q"], "1", 2, "console-vote-a1"))
    assert "Close the open votes first (contract 1)." in act(facilitator, event, "/stage", stage="3")
    run(app, ev, lambda e, p: contracts.close_contracts(e))
    text = act(facilitator, event, "/stage", stage="3")
    assert "The event is now at stage 3: Are we sure? The indicative result was frozen as version 1." in text
    link = re.search(r'href="(/events/\d+/versions/\d+)">Indicative version 1</a>', text)
    assert link
    assert "The event is now at stage 2" in act(facilitator, event, "/stage", stage="2")
    run(app, ev, lambda e, p: contracts.open_contracts(e, ["1"]))
    run(app, ev, lambda e, p: votes.cast_vote(p["00Q"], "1", 5, "console-vote-a2"))
    version = page(facilitator, link.group(1))
    assert "Indicative matrix" in version and "This is a record: it never changes." in version
    assert frozen_row(version, "Alpha CCG") == ["2", "NA", "-"]
    assert frozen_row(version, "Gamma CCG") == ["NA", "-", "-"]
    assert facilitator.get(f"/events/{event}/versions/999").status_code == 404


def test_creating_opening_and_hiding_a_poll(facilitator: FlaskClient, ev: dict[str, Any]) -> None:
    event = ev["id"]
    refused = act(facilitator, event, "/polls", question="Who leads?", kind="choice", options="Only one")
    assert "A choice poll needs 2 to 10 options, not 1." in refused
    text = act(
        facilitator,
        event,
        "/polls",
        question="Do we have an appetite?",
        kind="choice",
        options="Yes, lots\nSome\n\nNone",
    )
    assert "Poll created. Open it when you are ready." in text
    poll = re.search(r'data-poll="(\d+)"', text)
    assert poll and "Do we have an appetite?" in text
    assert re.search(
        r'<strong class="nhsuk-tag nhsuk-tag--blue"\s*>\s*ready\s*</strong>', text
    )  # the NHS tag
    opening = f"/events/{event}/polls/{poll.group(1)}/open"
    assert f'formaction="{opening}"' in text
    text = act(facilitator, event, f"/polls/{poll.group(1)}/open")
    assert "Poll opened." in text
    assert re.search(r'<strong class="nhsuk-tag nhsuk-tag--green"\s*>\s*open\s*</strong>', text)
    text = act(facilitator, event, f"/polls/{poll.group(1)}/hide")
    assert "Poll results hidden." in text and "Single choice, results hidden from the projector" in text
    part = page(facilitator, f"/events/{event}/console/polls")
    assert "Do we have an appetite?" in part and "<td>Yes, lots</td>" in part and "Reveal results" in part


def test_hide_reveal_countdown_and_reset_controls(
    app: Flask, facilitator: FlaskClient, ev: dict[str, Any]
) -> None:
    event = ev["id"]
    run(app, ev, lambda e, p: contracts.open_contracts(e, ["1"]))
    text = page(facilitator, f"/events/{event}")
    assert text.count(f'formaction="/events/{event}/controls"') == 4  # re-run appears at stage 3
    text = act(facilitator, event, "/controls", action="hide", contract="1")
    assert "Results hidden from the projector." in text and 'data-field="flags">hidden</span>' in text
    text = act(facilitator, event, "/controls", action="reveal", contract="1")
    assert "Results revealed." in text and 'data-field="flags"></span>' in text
    text = act(facilitator, event, "/controls", action="countdown", contract="1", seconds="60")
    assert "Voting on 1 closes in 60 seconds." in text
    assert re.search(r'data-field="countdown" data-closes-at="\d{4}-\d\d-\d\dT[^"]+"', text)
    assert "Open the vote before starting a countdown." in act(
        facilitator, event, "/controls", action="countdown", contract="2", seconds="60"
    )
    assert "Choose exactly one contract to reset or re-run." in act(
        facilitator, event, "/controls", action="reset", contract=["1", "3"]
    )
    assert "Close the vote on contract 1 before resetting it." in act(
        facilitator, event, "/controls", action="reset", contract="1"
    )
    run(app, ev, lambda e, p: votes.cast_vote(p["00Q"], "1", 2, "console-vote-r1"))
    run(app, ev, lambda e, p: contracts.close_contracts(e, ["1"]))
    text = act(facilitator, event, "/controls", action="reset", contract="1")
    assert "Contract 1 reset: 1 vote removed (each removal is in the audit log)." in text
    assert "Choose an action." in act(facilitator, event, "/controls", action="", contract="1")


def test_a_proxy_vote_from_the_console(app: Flask, facilitator: FlaskClient, ev: dict[str, Any]) -> None:
    event, ann = ev["id"], ev["people"]["00Q"]
    run(app, ev, lambda e, p: contracts.open_contracts(e, ["1"]))
    assert f'<option value="{ann}">Ann (Alpha CCG)</option>' in page(facilitator, f"/events/{event}")
    text = act(facilitator, event, "/proxy-vote", delegate=str(ann), contract="1", level="3")
    assert "Recorded for Ann: contract 1, level 3." in text
    assert "Choose a delegate of this event." in act(
        facilitator, event, "/proxy-vote", delegate="x", contract="1", level="3"
    )
    refused = act(facilitator, event, "/proxy-vote", delegate=str(ann), contract="3", level="3")
    assert "Voting on contract 3 has not opened yet." in refused
    with app.app_context():
        audit = db.session.scalars(select(VoteAudit)).one()
        assert (audit.delegate_id, audit.new_level, audit.entered_by) == (ann, 3, "facilitator")


def test_leaving_declared_votes_out(app: Flask, facilitator: FlaskClient, ev: dict[str, Any]) -> None:
    event = ev["id"]
    run(app, ev, lambda e, p: contracts.open_contracts(e, ["1"]))
    run(app, ev, lambda e, p: interests.declare(p["00Q"], "1", "My practice provides this"))
    run(app, ev, lambda e, p: votes.cast_vote(p["00Q"], "1", 2, "console-vote-d1"))
    part = page(facilitator, f"/events/{event}/console/interests")
    assert "<td>Ann</td><td>Alpha CCG</td><td>1</td><td>My practice provides this</td>" in part

    def alpha_cell() -> str:
        matrix = facilitator.get(f"/events/{event}/matrix.csv").get_data().decode("utf-8-sig")
        return matrix.splitlines()[1].split(",")[1]

    assert alpha_cell() == "2"
    text = act(facilitator, event, "/settings", exclude_declared="on")
    assert "Declared delegates' votes are now left out of those contracts' results." in text
    assert 'name="exclude_declared" checked' in text and alpha_cell() == ""
    text = act(facilitator, event, "/settings")
    assert "Declared delegates' votes now count." in text
    assert re.search(r'name="exclude_declared"\s*>', text) and alpha_cell() == "2"


def test_stage4_from_the_console_to_finalised(
    app: Flask, facilitator: FlaskClient, ev: dict[str, Any]
) -> None:
    event = ev["id"]
    to_stage(app, ev, 4)
    text = page(facilitator, f"/events/{event}")
    assert "2 problems to fix before finalising" in text
    assert "Stage 3 is finished" in text
    refused = act(facilitator, event, "/finalise")
    assert "2 problems must be fixed first: Beta CCG is a cluster (level 2) of one for contract 2" in refused
    bad = act(
        facilitator,
        event,
        "/arrangements/edit",
        operation="move",
        contract="1",
        organisation="00S",
        to="3:4:1",
    )
    assert "Arrangement 3:4:1 is for contract 3, not contract 1" in bad
    text = act(
        facilitator,
        event,
        "/arrangements/edit",
        operation="move",
        contract="2",
        organisation="00S",
        to="2:2:1",
    )
    assert "Arrangements updated." in text
    assert "Every CCG that holds a contract is in exactly one arrangement for it." in text
    fields = {"coordinator": "00Q", "model": "lead_ccg", "cost_method": "custom", "rule_kind": "majority"}
    text = act(
        facilitator,
        event,
        "/arrangements/1:2:1",
        **fields,
        rule_threshold="1/2",
        quorum="2",
        on_disagreement="Six months' notice",
    )
    assert "Arrangement 1:2:1 updated." in text and "Co-ordinator: <strong>00Q</strong>" in text
    text = act(
        facilitator,
        event,
        "/arrangements/1:2:1/contribution",
        organisation="00Q",
        role="Contract lead",
        days="2",
        percent="70",
    )
    assert "Contribution recorded." in text and "Contract lead (2)" in text
    act(facilitator, event, "/arrangements/1:2:1/contribution", organisation="00R", percent="20")
    assert '<p class="nhsuk-error-message error-message">Percentages total 90, not 100</p>' in page(
        facilitator, f"/events/{event}"
    )
    text = act(facilitator, event, "/arrangements/1:2:1/contribution", organisation="00R", percent="30")
    assert "Percentages total" not in text and '<td class="num">70.00</td>' in text
    text = act(facilitator, event, "/finalise")
    assert "Arrangements finalised as version 1." in text
    link = re.search(r'href="(/events/\d+/versions/\d+)">Arrangements version 1</a>', text)
    assert link
    version = page(facilitator, link.group(1))
    assert "<td>1</td><td>2</td><td>00Q, 00R</td><td>00Q</td><td>lead_ccg</td>" in version
    assert "<td>2</td><td>2</td><td>00R, 00S</td>" in version


@pytest.mark.parametrize(
    ("stage", "part", "expected"),
    [
        (1, "polls", "No polls yet."),
        (1, "interests", "No interests declared."),
        (1, "stage3", "Stage 3 starts from the indicative matrix frozen when you leave stage 2."),
        (3, "stage3", "3 open flags of 3; 0 positions confirmed, 0 changed (against indicative version 1)."),
        (3, "stage4", "Stage 4 starts from the confirmed matrix frozen when you leave stage 3."),
        (4, "stage4", "2 problems to fix before finalising"),
    ],
)
def test_console_parts_render(
    app: Flask, facilitator: FlaskClient, ev: dict[str, Any], stage: int, part: str, expected: str
) -> None:
    if stage > 1:
        to_stage(app, ev, stage)
    text = re.sub(r"<[^>]+>", "", page(facilitator, f"/events/{ev['id']}/console/{part}"))
    assert expected in " ".join(text.split())
    anonymous = app.test_client().get(f"/events/{ev['id']}/console/{part}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
