"""One event from Stage 1 to the steering pack, against the real server, through the public API."""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

import requests
from openpyxl import load_workbook

from tests.e2e.conftest import LiveServer
from voting.demo_data import annex2_votes, contracts_csv, organisations_csv


def test_stage_1_to_the_steering_pack(live_server: LiveServer) -> None:
    token = live_server.cli("api-token").strip().splitlines()[-1]
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    base = f"{live_server.url}/api/v1"

    def call(method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = api.request(method, f"{base}{path}", timeout=30, **kwargs)
        assert response.status_code == expect, (path, response.status_code, response.text[:300])
        return response

    event = call("post", "/events", 201, json={"name": "North East, all stages"}).json()["id"]
    call("put", f"/events/{event}/organisations", data=organisations_csv())
    call("put", f"/events/{event}/contracts", data=contracts_csv())
    phones = {}
    for code in sorted({org for org, _c, _l in annex2_votes()} | {"J", "P"}):
        phones[code] = call(
            "post", f"/events/{event}/delegates", 201, json={"organisation": code, "name": f"{code} lead"}
        ).json()["token"]

    def as_phone(code: str, path: str, body: dict[str, Any], expect: int = 200) -> Any:
        response = requests.post(
            f"{base}{path}", json=body, headers={"Authorization": f"Bearer {phones[code]}"}, timeout=10
        )
        assert response.status_code == expect, (path, response.text[:300])
        return response.json()

    # Stage 1: do we have an appetite?
    poll = call(
        "post",
        f"/events/{event}/polls",
        201,
        json={"kind": "yes_no_unsure", "question": "Do we have an appetite for collaboration?"},
    ).json()["id"]
    call("post", f"/events/{event}/polls/{poll}/open")
    for code in phones:
        as_phone(code, f"/polls/{poll}/answer", {"answer": "Yes", "vote_id": uuid.uuid4().hex})
    call("post", f"/events/{event}/polls/{poll}/close")
    assert call("get", f"/events/{event}/polls/{poll}").json()["results"]["overall"]["Yes"] == len(phones)

    # Stage 2: what do we want to collaborate on?
    call("post", f"/events/{event}/stage", json={"stage": 2})
    for contract in range(1, 21):
        call("post", f"/events/{event}/contracts/{contract}/open")
    for org, contract, level in annex2_votes():
        as_phone(org, "/vote", {"contract": contract, "level": level, "vote_id": uuid.uuid4().hex})
    for contract in range(1, 21):
        call("post", f"/events/{event}/contracts/{contract}/close")
    indicative = call("post", f"/events/{event}/stage", json={"stage": 3}).json()["frozen"]
    assert indicative["kind"] == "indicative"

    # Stage 3: are we sure? J and P settle the contracts they had no position on.
    assert call("get", f"/events/{event}/stage3").json()["stage3"]["flags_open"] == 4
    for org in ("J", "P"):
        for contract in ("7", "14"):
            as_phone(
                org,
                "/confirmations",
                {"contract": contract, "action": "amend", "level": 1, "reason": "We will contract alone"},
            )
    assert call("get", f"/events/{event}/stage3").json()["stage3"]["flags_open"] == 0
    confirmed = call("post", f"/events/{event}/stage", json={"stage": 4}).json()["frozen"]
    assert confirmed["kind"] == "confirmed"

    # Stage 4: who and how? The small cluster on contract 1 agrees its co-ordinator.
    arrangements = call("get", f"/events/{event}/arrangements").json()
    assert arrangements["problems"] == []
    cluster = next(a for a in arrangements["arrangements"] if a["contract"] == "1")
    assert [m["organisation"] for m in cluster["members"]] == ["A", "B", "C", "D", "E", "O", "U"]
    call(
        "patch",
        f"/events/{event}/arrangements/{cluster['key']}",
        json={
            "coordinator": cluster["suggested_coordinator"],
            "model": cluster["suggested_model"],
            "quorum": "1/2",
        },
    )
    decision = None
    for member in ("A", "B", "C", "D"):
        decision = as_phone(
            member, f"/arrangements/{cluster['key']}/ballot", {"topic": "coordinator", "ballot": "yes"}
        )
    assert decision and decision["passed"], decision
    call(
        "post",
        f"/events/{event}/arrangements/{cluster['key']}/contributions",
        json={"organisation": "A", "role": "Contract lead", "days": "4 days a month"},
    )
    final = call("post", f"/events/{event}/finalise").json()
    assert final["kind"] == "arrangements"

    # The steering pack: one workbook, CSV files, JSON - all naming the same versions.
    pack = call("get", f"/events/{event}/steering-pack.json").json()
    assert [v["number"] for v in pack["versions"] if v.get("number")] == [1, 1, 1]
    assert any(c["reason"] == "We will contract alone" for c in pack["changes"])
    led = next(a for a in pack["arrangements"]["items"] if a["contract"] == "1")
    assert led["coordinator"] == cluster["suggested_coordinator"]
    workbook = load_workbook(io.BytesIO(call("get", f"/events/{event}/steering-pack.xlsx").content))
    for sheet in ("Indicative matrix", "Confirmed matrix", "Changes", "Collaborations", "Audit log"):
        assert sheet in workbook.sheetnames
    names = zipfile.ZipFile(io.BytesIO(call("get", f"/events/{event}/steering-pack.zip").content)).namelist()
    assert any(name.endswith(".csv") and "confirmed" in name.lower() for name in names)
    assert call("get", f"/events/{event}/steering-pack.pdf").content.startswith(b"%PDF")
