"""API v1 for the stage pipeline: moving stages, frozen versions, Stage 3 confirmations and re-runs,
Stage 4 arrangements, contributions, ballots and finalising."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from voting.extensions import db
from voting.models import Delegate
from voting.services import delegates

Call = Callable[..., tuple[int, Any]]
ORGS = ("00Q", "00R", "00S")
VOTES = [("00Q", "1", 2), ("00R", "1", 2), ("00R", "2", 2), ("00S", "2", 3), ("00Q", "3", 4), ("00R", "3", 4)]
AMEND = {"contract": "3", "action": "amend", "level": 4, "reason": "We join the regional 111"}
OK = (200, {"ok": True})


@pytest.fixture
def call(client: FlaskClient, api_headers: dict[str, str]) -> Call:
    """call(method, path, body, token=...): the facilitator's token unless a delegate's is given."""

    def run(method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        headers = api_headers if token is None else ({"Authorization": f"Bearer {token}"} if token else {})
        response = getattr(client, method)(f"/api/v1{path}", json=body, headers=headers)
        return response.status_code, response.get_json()

    return run


def err(status: int, sentence: str) -> tuple[int, dict[str, str]]:
    return status, {"error": sentence}


@pytest.fixture
def voted(call: Call, make_event: Any, make_delegate: Any) -> dict[str, Any]:
    """Stage 2 done (VOTES): contract 1 Q2 R2; 2 R2 S3 (a mismatch); 3 Q4 R4, S no position.
    "e" is the event's API path, "t" each CCG's delegate token."""
    event = make_event()["id"]
    e, tokens = f"/events/{event}", {org: make_delegate(event, org, f"{org} lead")["token"] for org in ORGS}
    assert call("post", f"{e}/stage", {"stage": 2})[0] == 200
    for code in ("1", "2", "3"):
        assert call("post", f"{e}/contracts/{code}/open")[0] == 200
    for n, (org, code, level) in enumerate(VOTES):
        body = {"contract": code, "level": level, "vote_id": f"setup-vote-{n:02d}"}
        assert call("post", "/vote", body, token=tokens[org])[0] == 200
    for code in ("1", "2", "3"):
        assert call("post", f"{e}/contracts/{code}/close")[0] == 200
    return {"id": event, "e": e, "t": tokens}


@pytest.fixture
def stage4(call: Call, voted: dict[str, Any]) -> dict[str, Any]:
    """Stage 4 after S amended contract 3 to level 4 and R confirmed contract 2."""
    e, t = voted["e"], voted["t"]
    assert call("post", f"{e}/stage", {"stage": 3})[0] == 200
    assert call("post", "/confirmations", AMEND, token=t["00S"]) == OK
    assert call("post", "/confirmations", {"contract": "2", "action": "confirm"}, token=t["00R"]) == OK
    assert call("post", f"{e}/stage", {"stage": 4})[0] == 200
    return voted


def arrangements(call: Call, e: str) -> dict[str, Any]:
    status, body = call("get", f"{e}/arrangements")
    assert status == 200, body
    return dict(body)


def groups(call: Call, e: str) -> dict[str, list[str]]:
    return {
        a["key"]: [m["organisation"] for m in a["members"]] for a in arrangements(call, e)["arrangements"]
    }


def test_stages_move_in_order_and_freeze_versions(call: Call, voted: dict[str, Any]) -> None:
    e = voted["e"]
    assert call("post", f"{e}/stage", {"stage": 4}) == err(
        422, "Go through the stages in order: the next is stage 3."
    )
    assert call("post", f"{e}/stage", {"stage": "3"}) == err(422, "Give the stage as a number from 1 to 4.")
    assert call("post", f"{e}/stage", {"stage": 2}) == err(422, "The event is already at stage 2.")
    assert call("post", f"{e}/finalise") == (
        422,
        {"error": "Arrangements are finalised at stage 4.", "problems": []},
    )
    call("post", f"{e}/contracts/1/open")
    assert call("post", f"{e}/stage", {"stage": 3}) == err(422, "Close the open votes first (contract 1).")
    call("post", f"{e}/contracts/1/close")
    status, moved = call("post", f"{e}/stage", {"stage": 3})
    assert status == 200 and moved["stage"] == 3
    assert (moved["frozen"]["kind"], moved["frozen"]["number"]) == ("indicative", 1)
    status, version = call("get", f"{e}/versions/{moved['frozen']['id']}")
    assert status == 200 and version["kind"] == "indicative"
    rows = {row["code"]: row["cells"] for row in version["payload"]["rows"]}
    assert rows == {"00Q": ["2", "NA", "4"], "00R": ["2", "2", "4"], "00S": ["NA", "3", ""]}

    assert call("post", f"{e}/stage", {"stage": 2}) == (200, {"stage": 2, "frozen": None})
    assert len(call("get", f"{e}/versions")[1]["versions"]) == 1
    assert call("post", f"{e}/stage", {"stage": 3})[1]["frozen"]["number"] == 2
    listed = call("get", f"{e}/versions")[1]["versions"]
    assert [(v["kind"], v["number"]) for v in listed] == [("indicative", 1), ("indicative", 2)]
    assert all(v["frozen_at"].endswith("+00:00") for v in listed)
    assert call("get", f"{e}/versions/999") == err(404, "There is no such version in this event.")


def test_stage3_flags_fall_as_ccgs_confirm_or_amend(call: Call, voted: dict[str, Any]) -> None:
    e, t = voted["e"], voted["t"]
    assert call("get", f"{e}/stage3") == err(422, "There is no indicative matrix yet: finish stage 2 first.")
    confirm = {"contract": "2", "action": "confirm"}
    wrong_stage = err(423, 'Positions are confirmed at stage 3, "Are we sure?".')
    assert call("post", "/confirmations", confirm, token=t["00R"]) == wrong_stage
    call("post", f"{e}/stage", {"stage": 3})
    s3 = call("get", f"{e}/stage3")[1]["stage3"]
    assert s3["flags_open"] == 3 and s3["flags_total"] == 3
    assert {(f["organisation"], f["contract"], f["kind"]) for f in s3["open_flags"]} == {
        ("00R", "2", "mismatch"),
        ("00S", "2", "mismatch"),
        ("00S", "3", "no_position"),
    }
    assert s3["ranking"][0]["contract"] == "2"
    assert s3["weighted"]["1"]["2"] == {"ccgs": 2, "value_share": 1.0}
    refusals = [
        ({"contract": "3", "action": "confirm"}, "Your CCG has no single position on contract 3"),
        ({**AMEND, "reason": " "}, "Give a short reason for the change, for example"),
        ({**AMEND, "level": 9}, "Choose one of the five levels, 1 to 5."),
        ({"contract": "1", "action": "confirm"}, "Your CCG does not hold contract 1."),
        ({"contract": "3", "action": "maybe"}, "Choose confirm or amend."),
    ]
    for body, sentence in refusals:
        status, answer = call("post", "/confirmations", body, token=t["00S"])
        assert status == 422 and answer["error"].startswith(sentence), answer
    assert call("post", "/confirmations", AMEND, token=t["00S"]) == OK
    assert call("post", "/confirmations", confirm, token=t["00R"]) == OK
    s3 = call("get", f"{e}/stage3")[1]["stage3"]
    assert (s3["flags_open"], s3["confirmed"], s3["amended"]) == (1, 1, 1)
    assert s3["open_flags"][0]["organisation"] == "00S"
    assert s3["matrix"]["rows"][2]["cells"] == ["NA", "3", "4"]
    status, moved = call("post", f"{e}/stage", {"stage": 4})
    changes = call("get", f"{e}/versions/{moved['frozen']['id']}")[1]["payload"]["changes"]
    assert changes == [
        {"organisation": "00S", "contract": "3", "from": "", "to": "4", "reason": AMEND["reason"]}
    ]


def test_a_rerun_opens_one_contract_for_a_new_vote(call: Call, voted: dict[str, Any]) -> None:
    e, t = voted["e"], voted["t"]
    assert call("post", f"{e}/contracts/1/rerun") == err(422, "A vote is re-run during stage 3.")
    call("post", f"{e}/stage", {"stage": 3})
    assert call("post", f"{e}/contracts/1/rerun") == OK
    state = call("get", e)[1]
    assert state["open"] == ["1"] and state["contracts"][0]["voted"] == 0
    refused = call("post", "/confirmations", {"contract": "1", "action": "confirm"}, token=t["00Q"])
    assert refused == err(423, "Contract 1 is being voted on again: vote on it instead.")
    assert call("post", f"{e}/contracts/1/rerun") == err(
        422, "Close the vote on contract 1 before resetting it."
    )
    call("post", "/vote", {"contract": "1", "level": 3, "vote_id": "rerun-vote-01"}, token=t["00Q"])
    call("post", f"{e}/contracts/1/close")
    rows = call("get", f"{e}/stage3")[1]["stage3"]["matrix"]["rows"]
    assert [row["cells"] for row in rows] == [["3", "NA", "4"], ["", "2", "4"], ["NA", "3", ""]]


def test_arrangements_are_fixed_then_finalised(call: Call, stage4: dict[str, Any]) -> None:
    e = stage4["e"]
    found = arrangements(call, e)
    assert groups(call, e) == {
        "1:2:1": ["00Q", "00R"],
        "2:2:1": ["00R"],
        "2:3:1": ["00S"],
        "3:4:1": list(ORGS),
    }
    problems = [(p["kind"], p["contract"], p["organisation"]) for p in found["problems"]]
    assert problems == [("alone", "2", "00R"), ("alone", "2", "00S")]
    status, refused = call("post", f"{e}/finalise")
    assert status == 409 and refused["error"].startswith("2 problems must be fixed first: ")
    assert [p["contract"] for p in refused["problems"]] == ["2", "2"]
    assert "Beta CCG is a cluster (level 2) of one for contract 2" in refused["problems"][0]["message"]

    move = {"operation": "move", "contract": "2", "organisation": "00S", "to": "2:2:1", "event": 1, "call": 2}
    assert call("post", f"{e}/arrangements/edit", move) == OK  # keys it does not use are ignored
    assert groups(call, e) == {"1:2:1": ["00Q", "00R"], "2:2:1": ["00R", "00S"], "3:4:1": list(ORGS)}
    assert arrangements(call, e)["problems"] == []
    status, version = call("post", f"{e}/finalise")
    assert status == 200 and (version["kind"], version["number"]) == ("arrangements", 1)
    payload = call("get", f"{e}/versions/{version['id']}")[1]["payload"]
    assert len(payload["arrangements"]) == 3


def test_groups_are_split_merged_and_bad_edits_explained(call: Call, stage4: dict[str, Any]) -> None:
    e = stage4["e"]
    edit = f"{e}/arrangements/edit"
    assert call("post", edit, {"operation": "split", "key": "3:4:1", "members": ["00S"]}) == OK
    assert groups(call, e)["3:4:1"] == ["00Q", "00R"] and groups(call, e)["3:4:2"] == ["00S"]
    assert call("post", edit, {"operation": "merge", "key": "3:4:1", "other": "3:4:2"}) == OK
    assert "3:4:2" not in groups(call, e)
    move = {"operation": "move", "contract": "1", "organisation": "00S", "to": "3:4:1"}
    refusals = [
        (
            {"operation": "merge", "key": "1:2:1", "other": "3:4:1"},
            "Cannot merge arrangements for different contracts (1 and 3)",
        ),
        ({"operation": "merge", "key": "1:2:1", "other": "9:9:9"}, "No arrangement with key '9:9:9'"),
        ({"operation": "split", "key": "1:2:1", "members": ["00S"]}, "Not members of arrangement 1:2:1: 00S"),
        (move, "Arrangement 3:4:1 is for contract 3, not contract 1"),
        ({**move, "organisation": "ZZZ", "to": None}, "There is no CCG ZZZ in this event."),
        ({**move, "contract": "99", "to": None}, "There is no contract 99 in this event."),
        ({"operation": "swap"}, "Choose move, merge or split."),
    ]
    for body, sentence in refusals:
        status, answer = call("post", edit, body)
        assert 400 <= status < 500 and answer == {"error": sentence}, (body, answer)


def test_coordinator_rule_and_custom_cost_split(call: Call, stage4: dict[str, Any]) -> None:
    e = stage4["e"]
    path = f"{e}/arrangements/1:2:1"
    assert call("patch", path, {"coordinator": "00Q", "model": "lead_ccg", "rule_kind": "majority"}) == OK
    not_member = "The co-ordinator must be a member CCG or a commissioning support service (CSS)."
    assert call("patch", path, {"coordinator": "00S"}) == err(422, not_member)
    status, answer = call("patch", path, {"rule_threshold": "lots"})
    assert status == 422 and answer["error"].startswith("That decision rule is not valid:")
    assert call("patch", path, {"cost_method": "custom"}) == OK
    contribute = f"{path}/contributions"
    body = {"organisation": "00Q", "role": "Contract lead", "days": "2 a month", "percent": "60"}
    assert call("post", contribute, body) == OK
    assert call("post", contribute, {"organisation": "00R", "percent": "30"}) == OK
    arrangement = arrangements(call, e)["arrangements"][0]
    assert (arrangement["coordinator"], arrangement["model"]) == ("00Q", "lead_ccg")
    assert arrangement["cost_problem"] == "Percentages total 90, not 100"
    assert [m["cost_percent"] for m in arrangement["members"]] == [None, None]
    assert arrangement["members"][0]["contribution"] == {
        "role": "Contract lead",
        "days": "2 a month",
        "notes": "",
    }
    assert call("post", contribute, {"organisation": "00R", "percent": "40"}) == OK
    arrangement = arrangements(call, e)["arrangements"][0]
    assert arrangement["cost_problem"] == ""
    assert [m["cost_percent"] for m in arrangement["members"]] == [60.0, 40.0]
    assert call("post", contribute, {"organisation": "00S"}) == err(
        404, "00S is not a member of arrangement 1:2:1."
    )
    negative = call("post", contribute, {"organisation": "00R", "percent": "-5"})
    assert negative == err(422, "The percentage must be a number of 0 or more.")


def test_members_ballot_under_their_rule(
    app: Flask, call: Call, stage4: dict[str, Any], make_event: Any, make_delegate: Any
) -> None:
    e, t = stage4["e"], stage4["t"]

    def ballot(token: str, choice: str) -> tuple[int, Any]:
        return call(
            "post", "/arrangements/1:2:1/ballot", {"topic": "coordinator", "ballot": choice}, token=token
        )

    assert ballot(t["00Q"], "yes") == err(409, "No coordinator has been proposed for this arrangement yet.")
    call("patch", f"{e}/arrangements/1:2:1", {"coordinator": "00Q", "quorum": "2"})
    first = ballot(t["00Q"], "yes")
    assert first[0] == 200 and first[1]["passed"] is False and "quorum" in first[1]["reason"]
    assert ballot(t["00R"], "maybe") == err(422, "Vote yes, no or abstain.")
    assert ballot(t["00S"], "yes") == err(403, "Only member CCGs vote on their arrangement.")
    outsider = make_delegate(make_event("Event B")["id"], "00R", "Outsider")["token"]
    assert ballot(outsider, "no")[0] in (403, 404, 422, 423)
    removed = make_delegate(stage4["id"], "00R", "Removed")
    with app.app_context():
        delegates.revoke(db.session.get(Delegate, removed["id"]))
    assert ballot(removed["token"], "no") == err(
        403, "Only admitted delegates can vote on their CCG's arrangements."
    )
    assert arrangements(call, e)["arrangements"][0]["decisions"]["coordinator"]["passed"] is False
    second = ballot(t["00R"], "yes")
    assert second[0] == 200 and second[1]["passed"] is True
    assert arrangements(call, e)["arrangements"][0]["decisions"]["coordinator"]["passed"] is True


FACILITATOR_CALLS = [
    ("post", "stage"),
    ("get", "versions"),
    ("get", "versions/1"),
    ("post", "contracts/1/rerun"),
    ("get", "stage3"),
    ("get", "arrangements"),
    ("post", "arrangements/edit"),
    ("patch", "arrangements/1:2:1"),
    ("post", "arrangements/1:2:1/contributions"),
    ("post", "finalise"),
]


@pytest.mark.parametrize(("method", "path"), FACILITATOR_CALLS)
def test_pipeline_calls_need_the_facilitator_token(
    call: Call, voted: dict[str, Any], method: str, path: str
) -> None:
    for token in ("", "not-a-real-token", voted["t"]["00Q"]):
        refused = call(method, f"{voted['e']}/{path}", {"stage": 3}, token=token)
        assert refused == err(401, "A valid facilitator API token is required.")


@pytest.mark.parametrize("path", ["/confirmations", "/arrangements/1:2:1/ballot"])
def test_delegate_pipeline_calls_need_a_delegate_token(call: Call, api_token: str, path: str) -> None:
    for token in ("", "unknown-token-123", api_token):
        refused = call("post", path, {"contract": "1", "action": "confirm"}, token=token)
        assert refused == err(401, "Your voting link is not valid. Please scan your QR code again.")


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"rule_threshold": "abc"}, "give the majority threshold as a fraction such as 2/3"),
        ({"rule_threshold": "1/0"}, "give the majority threshold as a fraction such as 2/3"),
        ({"quorum": "lots"}, "give the quorum as a whole number of members or a fraction such as 1/2"),
        ({"quorum": "²"}, "give the quorum as a whole number of members or a fraction such as 1/2"),
        ({"rule_threshold": "3/2"}, "A majority threshold must be a fraction from 0 to 1, like 1/2 or 2/3"),
    ],
)
def test_a_decision_rule_refused_in_the_facilitators_words(
    call: Call, stage4: dict[str, Any], fields: dict[str, str], sentence: str
) -> None:
    """Not the library's "Invalid literal for Fraction: 'abc'" or "Fraction(1, 0)": our own sentence."""
    path = f"{stage4['e']}/arrangements/1:2:1"
    assert call("patch", path, fields) == err(422, f"That decision rule is not valid: {sentence}.")
