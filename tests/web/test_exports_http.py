"""Downloading the live matrix through the API: CSV, Excel and JSON agree with the votes cast."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from tests.conftest import CONTRACTS_CSV

EVIL = '=HYPERLINK("http://evil.example/","Click")'
ORGANISATIONS = (
    b"code,name,neighbours\n00Q,Alpha CCG,00R\n00R,Beta CCG,00Q;00S\n"
    b'00S,"=HYPERLINK(""http://evil.example/"",""Click"")",00R\n'
)
EXPECTED = [
    ["Alpha CCG", "2/3", "NA", "5"],
    ["Beta CCG", "4", "", ""],
    ["'" + EVIL, "NA", "", ""],
]


def post_vote(client: FlaskClient, token: str, contract: str, level: int, vote_id: str) -> None:
    body = {"contract": contract, "level": level, "vote_id": vote_id}
    response = client.post("/api/v1/vote", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()


@pytest.fixture
def voted_event(client: FlaskClient, api_headers: dict[str, str]) -> int:
    """Alpha split 2/3 on contract 1 and 5 on 3; Beta 4 on 1; the rest not voted."""
    event_id = client.post("/api/v1/events", json={"name": "Export day"}, headers=api_headers).get_json()[
        "id"
    ]
    url = f"/api/v1/events/{event_id}"
    csv_headers = api_headers | {"Content-Type": "text/csv"}
    assert client.put(f"{url}/organisations", data=ORGANISATIONS, headers=csv_headers).status_code == 200
    assert client.put(f"{url}/contracts", data=CONTRACTS_CSV, headers=csv_headers).status_code == 200
    for code in ("1", "2", "3"):
        client.post(f"{url}/contracts/{code}/open", headers=api_headers)
    tokens = {}
    for name, org in (("ann", "00Q"), ("bob", "00Q"), ("bea", "00R")):
        body = {"organisation": org, "name": name}
        tokens[name] = client.post(f"{url}/delegates", json=body, headers=api_headers).get_json()["token"]
    post_vote(client, tokens["ann"], "1", 2, "vote-ann-0001")
    post_vote(client, tokens["ann"], "3", 5, "vote-ann-0003")
    post_vote(client, tokens["bob"], "1", 3, "vote-bob-0001")
    post_vote(client, tokens["bea"], "1", 4, "vote-bea-0001")
    return int(event_id)


def download(client: FlaskClient, headers: dict[str, str], event_id: int, fmt: str) -> Any:
    response = client.get(f"/api/v1/events/{event_id}/matrix.{fmt}", headers=headers)
    assert response.status_code == 200
    return response


def test_csv_download_is_an_attachment(
    client: FlaskClient, api_headers: dict[str, str], voted_event: int
) -> None:
    response = download(client, api_headers, voted_event, "csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="matrix.csv"'


def test_csv_matrix_cells_and_legend(
    client: FlaskClient, api_headers: dict[str, str], voted_event: int
) -> None:
    data = download(client, api_headers, voted_event, "csv").data
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the names as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["CCG", "1", "2", "3"]
    assert rows[1:4] == EXPECTED
    assert rows[4] == []
    assert rows[5] == ["1", "Individual CCG"]
    assert rows[9] == ["5", "National (often in collaboration with NHSCB)"]
    assert ["NA", "Does not hold this contract"] in rows[10:]
    assert ["(empty)", "No position yet"] in rows[10:]


def test_csv_never_starts_a_cell_with_a_formula(
    client: FlaskClient, api_headers: dict[str, str], voted_event: int
) -> None:
    text = download(client, api_headers, voted_event, "csv").data.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + EVIL in cells
    assert EVIL not in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_xlsx_download_matches_the_csv(
    client: FlaskClient, api_headers: dict[str, str], voted_event: int
) -> None:
    response = download(client, api_headers, voted_event, "xlsx")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == 'attachment; filename="matrix.xlsx"'
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["Matrix"]
    rows = [list(row) for row in sheet.iter_rows(min_row=1, max_row=4, values_only=True)]
    assert rows[0] == ["CCG", "1", "2", "3"]
    # Levels are numbers, empty cells blank; everything else text exactly as in the CSV.
    expected = [[int(v) if v.isdigit() else (v or None) for v in row] for row in EXPECTED]
    assert rows[1:] == expected
    assert sheet["A4"].data_type == "s"  # the formula-looking name is stored as text
    assert str(sheet["A4"].value).startswith("'=")
    contracts = [list(row) for row in book["Contracts"].iter_rows(values_only=True)]
    assert contracts == [
        ["Code", "Contract"],
        ["1", "Acute - North FT"],
        ["2", "Mental health - Tyne FT"],
        ["3", "NHS 111"],
    ]


def test_json_matrix(client: FlaskClient, api_headers: dict[str, str], voted_event: int) -> None:
    body = download(client, api_headers, voted_event, "json").get_json()
    assert body["columns"] == [
        {"id": "1", "name": "Acute - North FT"},
        {"id": "2", "name": "Mental health - Tyne FT"},
        {"id": "3", "name": "NHS 111"},
    ]
    assert body["rows"] == [
        {"code": "00Q", "name": "Alpha CCG", "cells": ["2/3", "NA", "5"]},
        {"code": "00R", "name": "Beta CCG", "cells": ["4", "", ""]},
        {"code": "00S", "name": EVIL, "cells": ["NA", "", ""]},
    ]


def test_export_follows_a_changed_vote(
    client: FlaskClient, api_headers: dict[str, str], voted_event: int
) -> None:
    url = f"/api/v1/events/{voted_event}"
    token = client.post(
        f"{url}/delegates", json={"organisation": "00Q", "name": "Cy"}, headers=api_headers
    ).get_json()["token"]
    post_vote(client, token, "1", 3, "vote-cy-00001")  # 2 vs 3 vs 3: Alpha settles on 3
    rows = download(client, api_headers, voted_event, "json").get_json()["rows"]
    assert rows[0]["cells"] == ["3", "NA", "5"]
    text = download(client, api_headers, voted_event, "csv").data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1] == ["Alpha CCG", "3", "NA", "5"]


def test_empty_event_exports_only_the_header(client: FlaskClient, api_headers: dict[str, str]) -> None:
    event_id = client.post("/api/v1/events", json={"name": "Empty"}, headers=api_headers).get_json()["id"]
    text = download(client, api_headers, event_id, "csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["CCG"]
    assert rows[1] == []
    matrix = download(client, api_headers, event_id, "json").get_json()
    assert (matrix["columns"], matrix["rows"]) == ([], [])
    assert len(matrix["audit_head"]) == 64  # the event's creation is already in the chain
