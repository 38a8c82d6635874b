"""Tests for the CSV and Excel exports of the Annex 2 collaboration matrix."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from voting.domain.levels import LEVELS
from voting.domain.matrix import Column, Matrix, Row
from voting.exports import LEVEL_COLOURS, escape_cell, matrix_csv, matrix_xlsx

LEGEND_LABELS = [
    "Individual CCG",
    "Small clusters of CCGs",
    "Larger clusters of CCGs (eg current PCT clusters)",
    "Regional (eg current SHA areas)",
    "National (often in collaboration with NHSCB)",
]

# Annex 2 "Example matrix contracts", typed in from the 2012 framework (no F CCG; J/7 and P/7 empty).
ANNEX2 = """\
A CCG	2	NA	NA	NA	4	1	1	2	NA	NA	NA	4	1	1	2	NA	NA	NA	4	1
B CCG	2	NA	NA	NA	4	NA	NA	2	NA	NA	NA	4	NA	NA	2	NA	NA	NA	4	NA
C CCG	2	NA	NA	3	4	1	1	2	NA	NA	3	4	1	1	2	NA	NA	3	4	1
D CCG	2	NA	NA	3	4	NA	NA	2	NA	NA	3	4	NA	NA	2	NA	NA	3	4	NA
E CCG	2	NA	NA	3	4	NA	NA	2	NA	NA	3	4	NA	NA	2	NA	NA	3	4	NA
G CCG	NA	2	NA	3	4	1	1	NA	2	NA	3	4	1	1	NA	2	NA	3	4	1
H CCG	NA	2	NA	3	4	NA	NA	NA	2	NA	3	4	NA	NA	NA	2	NA	3	4	NA
I CCG	NA	2	NA	3	4	NA	NA	NA	2	NA	3	4	NA	NA	NA	2	NA	3	4	NA
J CCG	NA	2	NA	3	4	1		NA	2	NA	3	4	1		NA	2	NA	3	4	1
K CCG	NA	2	NA	3	4	NA	NA	NA	2	NA	3	4	NA	NA	NA	2	NA	3	4	NA
L CCG	NA	NA	2	3	4	NA	NA	NA	NA	2	3	4	NA	NA	NA	NA	2	3	4	NA
M CCG	NA	NA	2	3	4	NA	NA	NA	NA	2	3	4	NA	NA	NA	NA	2	3	4	NA
N CCG	NA	NA	2	3	4	NA	NA	NA	NA	2	3	4	NA	NA	NA	NA	2	3	4	NA
O CCG	2	NA	NA	NA	4	NA	NA	2	NA	NA	NA	4	NA	NA	2	NA	NA	NA	4	NA
P CCG	NA	2	NA	3	4	1		NA	2	NA	3	4	1		NA	2	NA	3	4	1
Q CCG	NA	2	NA	3	4	NA	NA	NA	2	NA	3	4	NA	NA	NA	2	NA	3	4	NA
R CCG	NA	NA	2	3	4	NA	NA	NA	NA	2	3	4	NA	NA	NA	NA	2	3	4	NA
S CCG	NA	NA	2	3	4	NA	NA	NA	NA	2	3	4	NA	NA	NA	NA	2	3	4	NA
T CCG	NA	NA	2	3	4	NA	NA	NA	NA	2	3	4	NA	NA	NA	NA	2	3	4	NA
U CCG	2	NA	NA	NA	4	NA	NA	2	NA	NA	NA	4	NA	NA	2	NA	NA	NA	4	NA
"""
ANNEX2_ROWS = [line.split("\t") for line in ANNEX2.splitlines()]


def small_matrix() -> Matrix:
    """Three organisations (two with formula-looking names) by contracts "1", "2", "10"."""
    rows = (Row("00A", "=Evil CCG"), Row("00B", "+Plus CCG"), Row("00C", "Plain CCG"))
    columns = (Column("1", "Acute hospital"), Column("2", "@Mental health"), Column("10", "Ambulance"))
    labels = {"00A": ["2", "NA", ""], "00B": ["2/3", "5", "1"], "00C": ["NA", "", "4"]}
    cells = {(org, column.code): labels[org][i] for org in labels for i, column in enumerate(columns)}
    return Matrix(rows=rows, columns=columns, cells=cells)


def annex2_matrix() -> Matrix:
    """The full 20 x 20 Annex 2 example as a Matrix."""
    rows = tuple(Row(line[0].split()[0], line[0]) for line in ANNEX2_ROWS)
    columns = tuple(Column(str(n), f"Contract {n}") for n in range(1, 21))
    cells = {
        (row.code, column.code): line[i]
        for row, line in zip(rows, ANNEX2_ROWS, strict=True)
        for i, column in enumerate(columns, start=1)
    }
    return Matrix(rows=rows, columns=columns, cells=cells)


def read_xlsx(data: bytes) -> dict[str, Worksheet]:
    """Load exported bytes with openpyxl and return the sheets by name."""
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: sheet for sheet in book.worksheets}


def values(sheet: Worksheet) -> list[list[object]]:
    """Every row of a sheet as a list of cell values."""
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tTab", "\rCR"])
def test_escape_cell_prefixes_formula_starts(text: str) -> None:
    assert escape_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["", "NA", "2", "2/3", "A CCG", "Name = x", "O'Brien CCG"])
def test_escape_cell_leaves_other_text_alone(text: str) -> None:
    assert escape_cell(text) == text


def test_level_colours_are_five_distinct_hex_fills() -> None:
    assert sorted(LEVEL_COLOURS) == sorted(LEVELS)
    assert all(re.fullmatch(r"#[0-9A-F]{6}", colour) for colour in LEVEL_COLOURS.values())
    assert len(set(LEVEL_COLOURS.values())) == 5


def test_csv_exact_text() -> None:
    data = matrix_csv(small_matrix())
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == (
        "CCG,1,2,10\r\n"
        "'=Evil CCG,2,NA,\r\n"
        "'+Plus CCG,2/3,5,1\r\n"
        "Plain CCG,NA,,4\r\n"
        "\r\n"
        "1,Individual CCG\r\n"
        "2,Small clusters of CCGs\r\n"
        "3,Larger clusters of CCGs (eg current PCT clusters)\r\n"
        "4,Regional (eg current SHA areas)\r\n"
        "5,National (often in collaboration with NHSCB)\r\n"
        "\r\n"
        'Split,"Delegates tied, e.g. 2/3; not resolved"\r\n'
        "NA,Does not hold this contract\r\n"
        "(empty),No position yet\r\n"
    )


def test_csv_escapes_formula_looking_names_and_codes() -> None:
    code = "=HYPERLINK(1)"
    matrix = Matrix(rows=(Row("x", "-Minus CCG"),), columns=(Column(code, "c"),), cells={("x", code): "NA"})
    rows = list(csv.reader(io.StringIO(matrix_csv(matrix).decode("utf-8-sig"))))
    assert rows[0] == ["CCG", "'=HYPERLINK(1)"]
    assert rows[1] == ["'-Minus CCG", "NA"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_xlsx_matrix_header_and_cells() -> None:
    sheet = read_xlsx(matrix_xlsx(small_matrix()))["Matrix"]
    rows = values(sheet)
    assert rows[0] == ["CCG", "1", "2", "10"]
    assert rows[1] == ["'=Evil CCG", 2, "NA", None]
    assert rows[2] == ["'+Plus CCG", "2/3", 5, 1]
    assert rows[3] == ["Plain CCG", "NA", None, 4]
    assert isinstance(sheet["B2"].value, int) and sheet["B2"].value == 2
    assert all(sheet.cell(1, col).data_type == "s" for col in range(2, 5))
    assert sheet.freeze_panes == "B2"


def test_xlsx_has_no_formula_cells() -> None:
    for sheet in read_xlsx(matrix_xlsx(small_matrix())).values():
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_legend_below_matrix_after_one_blank_row() -> None:
    rows = values(read_xlsx(matrix_xlsx(small_matrix()))["Matrix"])
    assert all(value is None for value in rows[4])
    assert [row[:2] for row in rows[5:10]] == [[n, label] for n, label in enumerate(LEGEND_LABELS, start=1)]
    assert all(value is None for value in rows[10])
    assert [row[:2] for row in rows[11:14]] == [
        ["Split", "Delegates tied, e.g. 2/3; not resolved"],
        ["NA", "Does not hold this contract"],
        ["(empty)", "No position yet"],
    ]
    assert len(rows) == 14


def test_xlsx_level_fills_differ_and_match_legend() -> None:
    sheet = read_xlsx(matrix_xlsx(small_matrix()))["Matrix"]
    legend = {level: sheet.cell(5 + level, 1).fill.fgColor.rgb for level in LEVELS}
    assert len(set(legend.values())) == 5
    assert legend == {level: "FF" + colour[1:] for level, colour in LEVEL_COLOURS.items()}
    assert sheet["B2"].fill.fgColor.rgb == legend[2]
    assert sheet["C3"].fill.fgColor.rgb == legend[5]
    assert sheet["D4"].fill.fgColor.rgb == legend[4]


def test_xlsx_na_is_grey_and_split_is_hatched() -> None:
    sheet = read_xlsx(matrix_xlsx(small_matrix()))["Matrix"]
    na, split = sheet["C2"], sheet["B3"]
    assert na.value == "NA" and na.fill.fgColor.rgb not in {"FF" + c[1:] for c in LEVEL_COLOURS.values()}
    assert na.font.color.rgb == "FF425563"
    assert split.value == "2/3" and split.fill.patternType == "lightUp"
    assert sheet["D2"].value is None


def test_xlsx_contracts_sheet_explains_codes() -> None:
    sheets = read_xlsx(matrix_xlsx(small_matrix()))
    assert list(sheets) == ["Matrix", "Contracts"]
    assert values(sheets["Contracts"]) == [
        ["Code", "Contract"],
        ["1", "Acute hospital"],
        ["2", "'@Mental health"],
        ["10", "Ambulance"],
    ]


def test_xlsx_title_is_a_document_property_not_a_row() -> None:
    book = load_workbook(io.BytesIO(matrix_xlsx(small_matrix(), title="North East & Cumbria")))
    assert book.properties.title == "North East & Cumbria"
    assert book["Matrix"]["A1"].value == "CCG"


def test_annex2_csv_round_trip() -> None:
    rows = list(csv.reader(io.StringIO(matrix_csv(annex2_matrix()).decode("utf-8-sig"))))
    assert rows[0] == ["CCG", *(str(n) for n in range(1, 21))]
    assert rows[1:21] == ANNEX2_ROWS
    assert rows[9][:8] == ["J CCG", "NA", "2", "NA", "3", "4", "1", ""]
    assert rows[15][0] == "P CCG" and rows[15][7] == ""
    assert rows[21] == []
    assert rows[22:27] == [[str(n), label] for n, label in enumerate(LEGEND_LABELS, start=1)]


def test_annex2_xlsx_round_trip() -> None:
    rows = values(read_xlsx(matrix_xlsx(annex2_matrix()))["Matrix"])
    expected = [
        [line[0], *(int(v) if v.isdigit() else (v or None) for v in line[1:])] for line in ANNEX2_ROWS
    ]
    assert rows[0] == ["CCG", *(str(n) for n in range(1, 21))]
    assert [row[:21] for row in rows[1:21]] == expected
    assert rows[9][0] == "J CCG" and rows[9][7] is None
    assert rows[15][0] == "P CCG" and rows[15][7] is None
