"""The activity explorer pages: upload with the console's sign-in and CSRF, pick a CCG or provider."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import csrf_token
from voting.activity_demo import activity_csv, load_demo_activity
from voting.extensions import db
from voting.models import Event

HEADER = b"ccg_code,ccg_name,provider_code,provider_name,admissions,elective_admissions,outpatients,first_outpatients\n"


@pytest.fixture
def event_id(make_event: Callable[..., dict[str, Any]]) -> int:
    return int(make_event()["id"])


def upload(client: FlaskClient, event_id: int, data: bytes, filename: str = "activity.csv") -> Any:
    token = csrf_token(client, f"/events/{event_id}/activity")
    return client.post(
        f"/events/{event_id}/activity",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def squash(html: str) -> str:
    return re.sub(r"\s+", " ", html)


class Tables(HTMLParser):
    """Every table on a page as rows of cell texts (th and td alike), tags stripped."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self.cell is not None:
            self.tables[-1][-1].append(squash("".join(self.cell)).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def test_pages_need_the_facilitator(client: FlaskClient, event_id: int) -> None:
    for path in (f"/events/{event_id}/activity", f"/events/{event_id}/activity/ccgs/99X.csv"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_console_links_to_the_explorer(facilitator: FlaskClient, event_id: int) -> None:
    page = facilitator.get(f"/events/{event_id}").get_data(as_text=True)
    assert f'href="/events/{event_id}/activity">Activity explorer</a>' in page


def test_empty_explorer_shows_the_upload_form(facilitator: FlaskClient, event_id: int) -> None:
    page = squash(facilitator.get(f"/events/{event_id}/activity").get_data(as_text=True))
    assert 'enctype="multipart/form-data"' in page
    assert 'name="csrf_token"' in page
    assert "0 activity rows loaded: 0 CCGs and 0 providers." in page
    assert "Select CCG below" not in page


def test_upload_then_pick_alpha_and_oscar(facilitator: FlaskClient, event_id: int) -> None:
    response = upload(facilitator, event_id, activity_csv())
    assert response.status_code == 302
    page = squash(facilitator.get(f"/events/{event_id}/activity").get_data(as_text=True))
    assert "Imported 64 activity rows from activity.csv." in page
    assert "64 activity rows loaded: 11 CCGs and 11 providers." in page
    assert '<label class="nhsuk-label" for="pick-ccg">Select CCG below</label>' in page
    assert '<option value="99X">NHS Alpha CCG 99X</option>' in page
    assert '<option value="RZX">Oscar NHS FT RZX</option>' in page

    page = squash(facilitator.get(f"/events/{event_id}/activity?ccg=99X&provider=RZX").get_data(as_text=True))
    assert '<option value="99X" selected>' in page
    assert (
        "<caption>Main Providers for a CCG: NHS Alpha CCG (99X), top 4 then Other and Total</caption>" in page
    )
    assert '<th scope="col">Provider (ordered by number of admissions)</th>' in page
    assert '<th scope="col" class="num">% of Provider total</th>' in page
    alpha, oscar = Tables(page).tables
    assert alpha == [
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
    assert '<th scope="row">Total</th><td class="num"><strong>58,728 (100%)</strong></td>' in page
    assert "Main commissioning CCGs for a Provider: Oscar NHS FT (RZX), top 5" in page
    assert oscar[0][0] == "CCG (ordered by number of admissions)"
    assert '<th scope="col" class="num">% of CCG total</th>' in page
    assert oscar[2] == ["NHS Bravo CCG", "25,303 (28%)", "11,259", "39.7%", "226,096 (26%)", "71,116"]
    assert "<h3>Relationship: core</h3>" in page
    assert "CCGs to talk to: " in page and ">NHS Bravo CCG</a>." in page
    assert "Settings used:" in page
    assert (
        "<li>Core: at least 2 CCGs each send at least 20% of their admissions to the provider.</li>" in page
    )
    # Each provider of the CCG view links to its own provider view, and back.
    assert f'href="/events/{event_id}/activity?provider=RZP&amp;ccg=99X&amp;ccg_top=4#provider-view"' in page
    assert f'href="/events/{event_id}/activity/ccgs/99X.csv?top=4">CSV</a>' in page


def test_top_and_unknown_codes_on_the_page(facilitator: FlaskClient, event_id: int) -> None:
    upload(facilitator, event_id, activity_csv())
    page = squash(facilitator.get(f"/events/{event_id}/activity?ccg=99X&ccg_top=2").get_data(as_text=True))
    assert "top 2 then Other" in page
    page = facilitator.get(f"/events/{event_id}/activity?provider=NOPE").get_data(as_text=True)
    assert "There is no provider &#39;NOPE&#39; in this event&#39;s activity data." in page
    assert facilitator.get(f"/events/{event_id}/activity?ccg=99X&ccg_top=0").status_code == 400


def test_page_csv_download(facilitator: FlaskClient, event_id: int) -> None:
    upload(facilitator, event_id, activity_csv())
    response = facilitator.get(f"/events/{event_id}/activity/providers/RZX.csv?top=5")
    assert response.status_code == 200
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("CCG (ordered by number of admissions),Number of Admissions / spells (%)")
    assert lines[1] == 'NHS Alpha CCG,"28,470 (31%)","11,892",48.5%,"274,659 (31%)","84,454"'
    assert facilitator.get(f"/events/{event_id}/activity/ccgs/NOPE.csv").status_code == 404


def test_bad_upload_lists_every_problem_and_imports_nothing(facilitator: FlaskClient, event_id: int) -> None:
    bad = (
        HEADER + b"99X,NHS Alpha CCG,RZX,Oscar NHS FT,10,5,7,8\n99X,NHS Alpha CCG,RZX,Oscar NHS FT,1,0,0,0\n"
    )
    response = upload(facilitator, event_id, bad, "bad.csv")
    assert response.status_code == 422
    page = squash(response.get_data(as_text=True))
    assert "There is a problem with bad.csv" in page
    assert "Fix these 2 problems" in page
    assert "Line 2, column first_outpatients: First outpatients (8) are more than outpatients (7)." in page
    assert (
        "Line 3, column provider_code: CCG &#39;99X&#39; and provider &#39;RZX&#39; are already on line 2."
        in page
    )
    assert "0 activity rows loaded" in page


def test_upload_needs_a_file_and_the_csrf_token(facilitator: FlaskClient, event_id: int) -> None:
    token = csrf_token(facilitator, f"/events/{event_id}/activity")
    response = facilitator.post(
        f"/events/{event_id}/activity", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Choose a file to upload." in response.get_data(as_text=True)
    response = facilitator.post(
        f"/events/{event_id}/activity",
        data={"file": (io.BytesIO(activity_csv()), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_unknown_event_page(facilitator: FlaskClient) -> None:
    assert facilitator.get("/events/999/activity").status_code == 404


def test_demo_loader_imports_the_framework_data(app: Flask, event_id: int) -> None:
    with app.app_context():
        assert load_demo_activity(db.session.get(Event, event_id)) == 64
