"""The steering pack's workbook, CSV zip and JSON for the Annex 2 event after all four stages."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from tests.unit.test_steering_fixtures import EVENT_NAME, EVIL, EVIL_REASON, J_REASON, finished_event
from voting.domain.levels import LEVELS
from voting.exports import LEVEL_COLOURS
from voting.exports.steering import pack_json, pack_xlsx, pack_zip
from voting.exports.steering.text import banner
from voting.exports.steering.xlsx import print_header

SHEETS = [
    "About",
    "Indicative matrix",
    "Confirmed matrix",
    "Changes",
    "Collaborations",
    "Contributions and costs",
    "Interests",
    "Polls",
    "Audit log",
]
HEADERS = {
    "About": ["Item", "Value"],
    "Changes": ["CCG code", "CCG", "Contract", "Contract name", "Indicative", "Confirmed", "How", "Reason"],
    "Interests": ["Delegate", "CCG", "Contract", "Interest", "Declared at"],
    "Polls": ["Poll", "Question", "Kind", "Anonymous", "Status", "Answer", "Count", "Share (%)", "By CCG"],
    "Audit log": ["Time", "Time (UTC, ISO 8601)", "Actor", "Action", "Detail"],
}


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    yield from finished_event(tmp_path_factory.mktemp("steering-exports"))


@pytest.fixture(scope="module")
def book(done: SimpleNamespace) -> Workbook:
    return load_workbook(io.BytesIO(pack_xlsx(done.pack)))


def rows(book: Workbook, sheet: str) -> list[list[Any]]:
    """The table under the banner and caption: header row first."""
    return [list(row) for row in book[sheet].iter_rows(min_row=3, values_only=True)]


def expected_cell(label: str) -> Any:
    """How the workbook holds a matrix label: levels as numbers, empty as blank, the rest as text."""
    return int(label) if label.isdigit() else (label or None)


def test_every_sheet_opens_with_the_event_its_versions_and_when_it_was_made(
    done: SimpleNamespace, book: Workbook
) -> None:
    assert book.sheetnames == SHEETS
    line = banner(done.pack)
    assert line.startswith(f"{EVENT_NAME} - Indicative matrix v1 (frozen ")
    assert "Arrangements v1 (frozen " in line and " - generated " in line
    for sheet in book.worksheets:
        assert sheet["A1"].value == line
        assert sheet["A2"].value
    for sheet, headers in HEADERS.items():
        assert rows(book, sheet)[0][: len(headers)] == headers


def test_the_about_sheet_carries_the_method_note_and_versions(book: Workbook) -> None:
    about = dict((row[0], row[1]) for row in rows(book, "About")[1:])
    assert about["Event"] == EVENT_NAME
    assert "Annex 2" in about["Method"] and "Stage 3" in about["Method"]
    assert about["Confirmed matrix"].startswith("Confirmed matrix v1 (frozen ")
    assert about["Stage 4"].startswith("So who and how will we make it work?")
    assert about["Contract 1"]


def test_the_confirmed_matrix_sheet_is_the_frozen_version_coloured_with_its_legend(
    done: SimpleNamespace, book: Workbook
) -> None:
    frozen = done.frozen["confirmed"]
    table = rows(book, "Confirmed matrix")
    assert table[0] == ["CCG", *(c["code"] for c in frozen["columns"])]
    body = table[1 : 1 + len(frozen["rows"])]
    assert body == [[r["name"], *(expected_cell(cell) for cell in r["cells"])] for r in frozen["rows"]]
    sheet = book["Confirmed matrix"]
    assert sheet["B4"].value == 2 and sheet["B4"].fill.fgColor.rgb == "FF" + LEVEL_COLOURS[2].lstrip("#")
    legend_start = 3 + len(frozen["rows"]) + 2  # header row, rows, one blank row
    legend = [
        (sheet.cell(legend_start + i, 1).value, sheet.cell(legend_start + i, 2).value) for i in range(5)
    ]
    assert legend == sorted(LEVELS.items())
    assert sheet.freeze_panes == "B4"


def test_changes_collaborations_and_costs(done: SimpleNamespace, book: Workbook) -> None:
    changes = rows(book, "Changes")[1:]
    assert [(r[0], r[2], r[4], r[5], r[7]) for r in changes] == [
        ("J", "7", "(empty)", "1", J_REASON),
        ("P", "7", "(empty)", "1", "'" + EVIL_REASON),
    ]
    collaborations = rows(book, "Collaborations")
    headers, first = collaborations[0], next(r for r in collaborations if r[0] == done.ids["key"])
    record = dict(zip(headers, first, strict=True))
    assert record["Members"] == "A CCG; B CCG; C CCG; D CCG; E CCG; O CCG; U CCG"
    assert record["Co-ordinator"] == "A CCG"
    assert record["Model"] == "5. Lead CCG as co-ordinator"
    assert record["Decision rule"] == "majority of at least two thirds needed"
    assert (record["Quorum"], record["Majority binds all"]) == ("4 members", "No")
    assert record["Co-ordinator decision"].startswith("Passed")
    costs = [r for r in rows(book, "Contributions and costs")[1:] if r[0] == done.ids["key"]]
    assert [r[2] for r in costs] == ["A", "B", "C", "D", "E", "O", "U"]
    assert sum(r[7] for r in costs) == pytest.approx(100, abs=0.05)
    assert costs[0][8:] == ["Contract lead", "2 days a month", "Chairs the oversight board"]


def test_interests_polls_and_audit_log(book: Workbook) -> None:
    [interest] = rows(book, "Interests")[1:]
    assert interest[:4] == ["C CCG lead", "C CCG", "4", "'" + EVIL]
    polls = rows(book, "Polls")[1:]
    assert polls[0][5:9] == ["Yes", 2, pytest.approx(66.67), "A: 1; B: 1"]
    assert any(r[5] == "All answers" and r[6] == 2 and "not shown" in r[8] for r in polls)
    audit = rows(book, "Audit log")[1:]
    assert audit[0][3] == "create_event" and any(r[3] == "change vote" for r in audit)


def test_no_cell_is_a_formula(book: Workbook) -> None:
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
                assert not (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")))


def test_the_print_header_escapes_ampersands_within_excels_limit() -> None:
    assert print_header("A & B") == "&CA && B"
    line = "R&D " * 100
    header = print_header(line)
    assert len(header) <= 242
    assert line.startswith(header[2:].replace("&&", "&"))  # cut whole: never half an escaped "&"


def test_the_csv_zip_holds_one_csv_per_sheet(done: SimpleNamespace) -> None:
    archive = zipfile.ZipFile(io.BytesIO(pack_zip(done.pack)))
    names = archive.namelist()
    assert names == [
        "01-about.csv",
        "02-indicative-matrix.csv",
        "03-confirmed-matrix.csv",
        "04-changes.csv",
        "05-collaborations.csv",
        "06-contributions-and-costs.csv",
        "07-interests.csv",
        "08-polls.csv",
        "09-audit-log.csv",
    ]
    files = {}
    for name in names:
        data = archive.read(name)
        assert data.startswith(b"\xef\xbb\xbf")
        files[name] = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert files[name][0] == [banner(done.pack)]
    frozen = done.frozen["confirmed"]
    matrix = files["03-confirmed-matrix.csv"]
    assert matrix[2] == ["CCG", *(c["code"] for c in frozen["columns"])]
    assert matrix[3 : 3 + len(frozen["rows"])] == [[r["name"], *r["cells"]] for r in frozen["rows"]]
    assert matrix[3 + len(frozen["rows"])] == [] and matrix[4 + len(frozen["rows"])][0] == "1"
    changes = files["04-changes.csv"]
    assert changes[2] == HEADERS["Changes"]
    assert [row[7] for row in changes[3:]] == [J_REASON, "'" + EVIL_REASON]
    assert files["07-interests.csv"][3][3] == "'" + EVIL
    assert len(files["09-audit-log.csv"]) - 3 == len(done.pack["audit"])


def test_json_is_the_gathered_pack(done: SimpleNamespace) -> None:
    data = json.loads(pack_json(done.pack))
    assert data == json.loads(json.dumps(done.pack))
    assert list(data) == [
        "pack",
        "format_version",
        "event",
        "generated_at",
        "audit_head",
        "versions",
        "method",
        "levels",
        "legend",
        "indicative",
        "confirmed",
        "changes",
        "arrangements",
        "interests",
        "polls",
        "audit",
        "audit_chain",
        "activity",
        "notes",
    ]
    assert data["interests"][0]["interest"] == EVIL  # JSON keeps text as typed; only sheets escape it


def test_csv_numbers_are_exact_decimals_and_money_is_to_the_penny(done: SimpleNamespace) -> None:
    """72,212,000 was written "7.2212e+07" (Python's "g" format keeps six significant digits)."""
    from voting.exports.steering.csv_zip import table_csv
    from voting.exports.steering.table import Table

    table = Table(
        "Costs",
        "Costs",
        ["CCG", "Contract value (GBP)", "Share of shared costs (%)"],
        [["00Q", 72_212_000.0, 33.33], ["00R", 0.1, 1e-05], ["00S", 0.1 + 0.2, 12_345_678.9]],
    )
    written = list(csv.reader(io.StringIO(table_csv(table, "banner").decode("utf-8-sig"))))
    assert written[3:] == [
        ["00Q", "72212000.00", "33.33"],
        ["00R", "0.10", "0.00001"],
        ["00S", "0.30", "12345678.9"],
    ]
    archive = zipfile.ZipFile(io.BytesIO(pack_zip(done.pack)))
    for name in archive.namelist():
        text = archive.read(name).decode("utf-8-sig")
        assert not re.search(r"\d[eE][+-]\d", text), name
