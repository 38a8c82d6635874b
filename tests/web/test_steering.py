"""Steering pack downloads from the console and the API: formats, headers and refusals."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from tests.unit.test_steering_fixtures import EVENT_NAME, run_all_stages
from voting.exports.steering import PdfUnavailable
from voting.extensions import db

TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
FORMATS = list(TYPES)


def check_download(response: Any, event_id: int, fmt: str) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.content_type == TYPES[fmt]
    disposition = "inline" if fmt == "html" else "attachment"
    assert (
        response.headers["Content-Disposition"] == f'{disposition}; filename="steering-pack-{event_id}.{fmt}"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data()
    if fmt == "pdf":
        assert body.startswith(b"%PDF-")
    elif fmt in ("xlsx", "zip"):
        assert body.startswith(b"PK")
    elif fmt == "json":
        assert json.loads(body)["event"]["id"] == event_id
    else:
        assert b"<caption>" in body and b"report.css" in body


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_console_downloads_each_format(
    facilitator: FlaskClient, make_event: Callable[..., dict[str, Any]], fmt: str
) -> None:
    event_id = make_event()["id"]
    check_download(facilitator.get(f"/events/{event_id}/steering-pack.{fmt}"), event_id, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_api_downloads_each_format(
    client: FlaskClient, api_headers: dict[str, str], make_event: Callable[..., dict[str, Any]], fmt: str
) -> None:
    event_id = make_event()["id"]
    check_download(
        client.get(f"/api/v1/events/{event_id}/steering-pack.{fmt}", headers=api_headers), event_id, fmt
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_without_signing_in_the_console_sends_you_to_sign_in(
    client: FlaskClient, password: str, make_event: Callable[..., dict[str, Any]], fmt: str
) -> None:
    event_id = make_event()["id"]
    response = client.get(f"/events/{event_id}/steering-pack.{fmt}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_api_refuses_without_a_token(
    client: FlaskClient, api_token: str, make_event: Callable[..., dict[str, Any]], fmt: str
) -> None:
    event_id = make_event()["id"]
    for headers in ({}, {"Authorization": "Bearer not-the-token"}):
        response = client.get(f"/api/v1/events/{event_id}/steering-pack.{fmt}", headers=headers)
        assert response.status_code == 401
        assert response.get_json() == {"error": "A valid facilitator API token is required."}


def test_unknown_events_and_formats_are_not_found(
    facilitator: FlaskClient, api_headers: dict[str, str]
) -> None:
    assert facilitator.get("/events/999/steering-pack.xlsx").status_code == 404
    response = facilitator.get("/api/v1/events/999/steering-pack.json", headers=api_headers)
    assert response.status_code == 404 and response.get_json() == {"error": "There is no such event."}
    assert facilitator.get("/events/1/steering-pack.docx").status_code == 404


def test_the_html_view_links_every_download(
    facilitator: FlaskClient, make_event: Callable[..., dict[str, Any]]
) -> None:
    event_id = make_event()["id"]
    page = facilitator.get(f"/events/{event_id}/steering-pack.html").get_data(as_text=True)
    for fmt in ("xlsx", "zip", "json", "pdf"):
        assert f'href="/events/{event_id}/steering-pack.{fmt}"' in page
    assert "Indicative matrix not frozen yet" in page


def test_the_api_pack_of_a_finished_event(
    app: Flask, client: FlaskClient, api_headers: dict[str, str]
) -> None:
    ids = run_all_stages(app)
    url = f"/api/v1/events/{ids['id']}/steering-pack"
    pack = client.get(f"{url}.json", headers=api_headers).get_json()
    assert pack["event"]["name"] == EVENT_NAME
    assert [v["status"] for v in pack["versions"]] == ["frozen"] * 3
    assert pack["changes"] and pack["arrangements"]["items"]
    book = load_workbook(io.BytesIO(client.get(f"{url}.xlsx", headers=api_headers).get_data()))
    assert book["Collaborations"]["A1"].value.startswith(EVENT_NAME)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{url}.zip", headers=api_headers).get_data()))
    assert len(archive.namelist()) == 9


def test_rendering_happens_after_the_database_read_ends(
    client: FlaskClient,
    api_headers: dict[str, str],
    make_event: Callable[..., dict[str, Any]],
    monkeypatch: Any,
) -> None:
    """Every SQLite transaction takes the write lock, so a slow PDF must not run inside one."""
    seen: list[bool] = []

    def fake_pdf(html: str, stylesheet: Any) -> bytes:
        seen.append(db.session().in_transaction())
        return b"%PDF-1.7 fake"

    monkeypatch.setattr("voting.web.steering.report_pdf", fake_pdf)
    event_id = make_event()["id"]
    assert client.get(f"/api/v1/events/{event_id}/steering-pack.pdf", headers=api_headers).status_code == 200
    assert seen == [False]


def test_without_weasyprint_the_pdf_is_refused_in_a_sentence(
    facilitator: FlaskClient,
    api_headers: dict[str, str],
    make_event: Callable[..., dict[str, Any]],
    monkeypatch: Any,
) -> None:
    def missing(html: str, stylesheet: Any) -> bytes:
        raise PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr("voting.web.steering.report_pdf", missing)
    event_id = make_event()["id"]
    page = facilitator.get(f"/events/{event_id}/steering-pack.pdf")
    assert page.status_code == 503 and "print it to PDF" in page.get_data(as_text=True)
    api = facilitator.get(f"/api/v1/events/{event_id}/steering-pack.pdf", headers=api_headers)
    assert api.status_code == 503 and "HTML report" in api.get_json()["error"]


def test_the_pack_carries_the_activity_tables(facilitator: FlaskClient, make_event: Any, app: Any) -> None:
    """With the framework's demo activity loaded, both appendix 1 views are in every format."""
    import io as _io

    from openpyxl import load_workbook as _load

    from voting.activity_demo import load_demo_activity
    from voting.extensions import db as _db
    from voting.models import Event as _Event

    event = make_event()
    with app.app_context():
        load_demo_activity(_db.session.get(_Event, event["id"]))
    pack = facilitator.get(f"/events/{event['id']}/steering-pack.json").get_json()
    alpha = next(v for v in pack["activity"]["by_ccg"] if v["code"] == "99X")
    assert alpha["headers"][0] == "Provider (ordered by number of admissions)"
    oscar = next(v for v in pack["activity"]["by_provider"] if v["code"] == "RZX")
    assert oscar["relationship"] in {"core", "linked", "specialist low volume", "none"}
    book = _load(_io.BytesIO(facilitator.get(f"/events/{event['id']}/steering-pack.xlsx").get_data()))
    assert {"Activity by CCG", "Activity by provider"} <= set(book.sheetnames)
    assert "Main providers for each CCG" in facilitator.get(
        f"/events/{event['id']}/steering-pack.html"
    ).get_data(as_text=True)
