"""The activity API: PUT the file, GET either view as CSV or JSON, with a facilitator API token."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from voting.activity_demo import activity_csv
from voting.extensions import db
from voting.models import ActivityFlow, Event

HEADER = b"ccg_code,ccg_name,provider_code,provider_name,admissions,elective_admissions,outpatients,first_outpatients\n"
CSV_TYPE = {"Content-Type": "text/csv"}


@pytest.fixture
def event_id(
    client: FlaskClient, api_headers: dict[str, str], make_event: Callable[..., dict[str, Any]]
) -> int:
    """An event with the demo activity loaded through the API."""
    event = make_event()
    response = client.put(
        f"/api/v1/events/{event['id']}/activity", data=activity_csv(), headers=api_headers | CSV_TYPE
    )
    assert response.status_code == 200
    assert response.get_json() == {"imported": 64}
    return int(event["id"])


def rows_of(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_ccg_view_as_csv_is_the_framework_table(
    client: FlaskClient, api_headers: dict[str, str], event_id: int
) -> None:
    response = client.get(f"/api/v1/events/{event_id}/activity/ccgs/99X.csv", headers=api_headers)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "main-providers-for-ccg-99X.csv" in response.headers["Content-Disposition"]
    assert rows_of(response.data) == [
        [
            "Provider (ordered by number of admissions)",
            "Number of Admissions / spells (%)",
            "Of which elective",
            "% of Provider total",
            "Number of Outpatients (%)",
            "Of which first outpatients",
        ],
        ["Oscar NHS FT", "28,470 (48%)", "11,892", "31.4%", "274,659 (51%)", "84,454"],
        ["Papa NHS FT", "24,431 (42%)", "10,590", "23.4%", "230,019 (42%)", "69,854"],
        ["Quebec NHS Trust", "1,028 (2%)", "377", "2.0%", "4,892 (1%)", "1,971"],
        ["Romeo NHS FT", "651 (1%)", "323", "21.0%", "0 (0%)", "0"],
        ["Other", "4,148 (7%)", "2,146", "n/a", "33,786 (6%)", "8,226"],
        ["Total", "58,728 (100%)", "25,328", "n/a", "543,356 (100%)", "164,505"],
    ]


def test_provider_view_as_csv_with_top(
    client: FlaskClient, api_headers: dict[str, str], event_id: int
) -> None:
    response = client.get(f"/api/v1/events/{event_id}/activity/providers/RZX.csv?top=2", headers=api_headers)
    assert response.status_code == 200
    rows = rows_of(response.data)
    assert rows[0][0] == "CCG (ordered by number of admissions)"
    assert rows[0][3] == "% of CCG total"
    assert rows[1:] == [
        ["NHS Alpha CCG", "28,470 (31%)", "11,892", "48.5%", "274,659 (31%)", "84,454"],
        ["NHS Bravo CCG", "25,303 (28%)", "11,259", "39.7%", "226,096 (26%)", "71,116"],
        ["Other", "36,827 (41%)", "19,734", "n/a", "379,245 (43%)", "109,061"],
        ["Total", "90,600 (100%)", "42,885", "n/a", "880,000 (100%)", "264,631"],
    ]


def test_provider_view_as_json_has_raw_numbers_and_shares(
    client: FlaskClient, api_headers: dict[str, str], event_id: int
) -> None:
    response = client.get(f"/api/v1/events/{event_id}/activity/providers/RZX.json", headers=api_headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["provider"] == {"code": "RZX", "name": "Oscar NHS FT"}
    assert body["title"] == "Main commissioning CCGs for a Provider"
    assert body["top"] == 5
    assert len(body["rows"]) == 7
    alpha = body["rows"][0]
    assert alpha["code"] == "99X" and alpha["kind"] == "row"
    assert (alpha["admissions"], alpha["elective_admissions"]) == (28470, 11892)
    assert (alpha["outpatients"], alpha["first_outpatients"]) == (274659, 84454)
    assert alpha["admissions_share"] == pytest.approx(28470 / 90600)
    assert alpha["outpatients_share"] == pytest.approx(274659 / 880000)
    assert alpha["share_of_ccg_total"] == pytest.approx(28470 / 58728)
    assert alpha["cells"] == ["NHS Alpha CCG", "28,470 (31%)", "11,892", "48.5%", "274,659 (31%)", "84,454"]
    assert body["rows"][-1]["kind"] == "total" and body["rows"][-1]["share_of_ccg_total"] is None
    relationship = body["relationship"]
    assert relationship["kind"] == "core"
    assert relationship["ccgs"] == [
        {"code": "99X", "name": "NHS Alpha CCG"},
        {"code": "99W", "name": "NHS Bravo CCG"},
    ]
    assert relationship["small"] == []
    assert len(relationship["settings"]) == 3


def test_ccg_view_as_json(client: FlaskClient, api_headers: dict[str, str], event_id: int) -> None:
    body = client.get(
        f"/api/v1/events/{event_id}/activity/ccgs/99X.json?top=4", headers=api_headers
    ).get_json()
    assert body["ccg"] == {"code": "99X", "name": "NHS Alpha CCG"}
    assert body["rows"][0]["share_of_provider_total"] == pytest.approx(28470 / 90600)
    assert "relationship" not in body


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("ccgs/99Z.csv", "There is no CCG '99Z' in this event's activity data."),
        ("providers/99X.json", "There is no provider '99X' in this event's activity data."),
    ],
)
def test_unknown_code_is_a_404_sentence(
    client: FlaskClient, api_headers: dict[str, str], event_id: int, path: str, message: str
) -> None:
    response = client.get(f"/api/v1/events/{event_id}/activity/{path}", headers=api_headers)
    assert response.status_code == 404
    assert response.get_json() == {"error": message}


@pytest.mark.parametrize("top", ["0", "-1", "two", "1.5", "1001"])
def test_bad_top_is_a_400(client: FlaskClient, api_headers: dict[str, str], event_id: int, top: str) -> None:
    response = client.get(f"/api/v1/events/{event_id}/activity/ccgs/99X.csv?top={top}", headers=api_headers)
    assert response.status_code == 400
    assert response.get_json() == {"error": "'top' must be a whole number from 1 to 1000, for example top=5."}


def test_token_is_required(client: FlaskClient, event_id: int) -> None:
    for response in (
        client.get(f"/api/v1/events/{event_id}/activity/ccgs/99X.json"),
        client.put(f"/api/v1/events/{event_id}/activity", data=activity_csv(), headers=CSV_TYPE),
        client.get(
            f"/api/v1/events/{event_id}/activity/ccgs/99X.json", headers={"Authorization": "Bearer x"}
        ),
    ):
        assert response.status_code == 401
        assert response.get_json() == {"error": "A valid facilitator API token is required."}


def test_unknown_event(client: FlaskClient, api_headers: dict[str, str]) -> None:
    response = client.put("/api/v1/events/999/activity", data=activity_csv(), headers=api_headers)
    assert response.status_code == 404
    assert response.get_json() == {"error": "There is no such event."}


def test_bad_file_is_a_422_and_keeps_the_old_activity(
    client: FlaskClient, api_headers: dict[str, str], event_id: int
) -> None:
    bad = HEADER + b"99X,NHS Alpha CCG,RZX,Oscar NHS FT,10,11,0,0\n"
    response = client.put(f"/api/v1/events/{event_id}/activity", data=bad, headers=api_headers | CSV_TYPE)
    assert response.status_code == 422
    assert response.get_json() == {
        "errors": [
            {
                "line": 2,
                "column": "elective_admissions",
                "message": "Elective admissions (11) are more than admissions (10). "
                "Elective admissions are part of all admissions.",
            }
        ]
    }
    still = client.get(f"/api/v1/events/{event_id}/activity/ccgs/99X.json", headers=api_headers)
    assert still.get_json()["rows"][0]["admissions"] == 28470


def test_a_good_file_replaces_all_activity(
    app: Flask, client: FlaskClient, api_headers: dict[str, str], event_id: int
) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER.decode().strip().split(","))
    workbook.active.append(["00Q", "Quarry CCG", "P1", "Provider One", 10, 5, 20, 10])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.put(f"/api/v1/events/{event_id}/activity", data=buffer.getvalue(), headers=api_headers)
    assert response.get_json() == {"imported": 1}
    assert (
        client.get(f"/api/v1/events/{event_id}/activity/ccgs/99X.csv", headers=api_headers).status_code == 404
    )
    rows = rows_of(
        client.get(f"/api/v1/events/{event_id}/activity/providers/P1.csv", headers=api_headers).data
    )
    assert rows[1] == ["Quarry CCG", "10 (100%)", "5", "100.0%", "20 (100%)", "10"]
    with app.app_context():
        assert db.session.query(ActivityFlow).filter_by(event_id=event_id).count() == 1


def test_csv_text_cells_are_guarded_against_formulas(
    client: FlaskClient, api_headers: dict[str, str], event_id: int
) -> None:
    body = HEADER + b'00Q,"=HYPERLINK(""x"")",P1,@Provider,10,5,20,10\n'
    assert (
        client.put(f"/api/v1/events/{event_id}/activity", data=body, headers=api_headers).status_code == 200
    )
    rows = rows_of(
        client.get(f"/api/v1/events/{event_id}/activity/providers/P1.csv", headers=api_headers).data
    )
    assert rows[1][0] == '\'=HYPERLINK("x")'
    rows = rows_of(client.get(f"/api/v1/events/{event_id}/activity/ccgs/00Q.csv", headers=api_headers).data)
    assert rows[1][0] == "'@Provider"


def test_activity_goes_with_its_event(app: Flask, event_id: int) -> None:
    with app.app_context():
        db.session.delete(db.session.get(Event, event_id))
        db.session.commit()
        assert db.session.query(ActivityFlow).count() == 0


def test_a_grouping_from_a_provider_in_one_step_shows_activity_shares_in_stage_4(
    client: FlaskClient, api_headers: dict[str, str], app: Any
) -> None:
    from voting.activity_demo import load_demo_activity
    from voting.extensions import db
    from voting.models import Event
    from voting.services import events, imports, stage4

    organisations = b"code,name,neighbours\n99X,NHS Alpha CCG,99W\n99W,NHS Bravo CCG,99X\n"
    with app.app_context():
        event = events.create_event("Appendix 1")
        assert imports.import_organisations(event, organisations)[1] == []
        load_demo_activity(event)
        event_id = event.id
    made = client.post(f"/api/v1/events/{event_id}/activity/providers/RZX/grouping", headers=api_headers)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["contract"] == "P-RZX" and set(body["organisations"]) == {"99X", "99W"}
    assert body["not_in_event"]  # the provider's other CCGs are named, not silently dropped
    again = client.post(f"/api/v1/events/{event_id}/activity/providers/RZX/grouping", headers=api_headers)
    assert again.status_code == 409
    unknown = client.post(f"/api/v1/events/{event_id}/activity/providers/NOPE/grouping", headers=api_headers)
    assert unknown.status_code == 404
    assert client.post(f"/api/v1/events/{event_id}/activity/providers/RZX/grouping").status_code == 401

    with app.app_context():
        from voting.models import Arrangement, ArrangementMember, Contract, Organisation, StageVersion
        from voting.services.stage4 import describe

        event = db.session.get(Event, event_id)
        contract = db.session.query(Contract).filter_by(event_id=event_id, code="P-RZX").one()
        version = StageVersion(event_id=event_id, kind="confirmed", number=1, payload="{}")
        db.session.add(version)
        db.session.flush()
        row = Arrangement(
            event_id=event_id, version_id=version.id, contract_id=contract.id, key="P-RZX:2:1", level=2
        )
        db.session.add(row)
        db.session.flush()
        for org in db.session.query(Organisation).filter_by(event_id=event_id):
            db.session.add(ArrangementMember(arrangement_id=row.id, organisation_id=org.id))
        db.session.commit()
        shares = {m["organisation"]: m["activity_share"] for m in describe(event, row)["members"]}
        assert abs(sum(shares.values()) - 1) < 1e-9 and shares["99X"] > 0
        assert stage4 is not None
