"""Hypothesis against the three importers (organisations, contracts, activity): whatever the bytes,
they return an ImportResult - never raise - and never rows together with problems.

Inputs: random bytes; CSV-like text with headers made of the real column names (in any order, case,
spacing, missing, repeated) and made-up ones, and cells that look like codes, names, numbers, money
or junk; UTF-8 with and without a BOM, or Windows-1252 as Excel saves it on UK Windows; ",", ";" or
tab; LF or CRLF. XLSX workbooks with cells of every type a spreadsheet holds, and damaged ones.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

import hypothesis.strategies as st
import xlsxwriter
from hypothesis import HealthCheck, event, given, settings

from voting.importers import ImportResult, read_contracts, read_organisations
from voting.importers.activity import COLUMNS as ACTIVITY_COLUMNS
from voting.importers.activity import read_activity
from voting.importers.contracts import COLUMNS as CONTRACT_COLUMNS
from voting.importers.contracts import OPTIONAL as CONTRACT_OPTIONAL
from voting.importers.organisations import COLUMNS as ORGANISATION_COLUMNS

FUZZ = settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
KNOWN = ("00Q", "00R", "7")
READERS: dict[str, tuple[Callable[[bytes], ImportResult[Any]], tuple[str, ...]]] = {
    "organisations": (read_organisations, ORGANISATION_COLUMNS),
    "contracts": (lambda data: read_contracts(data, KNOWN), CONTRACT_COLUMNS + CONTRACT_OPTIONAL),
    "activity": (read_activity, ACTIVITY_COLUMNS),
}
EXAMPLES = [  # the shapes people really upload
    b"",
    b"\xef\xbb\xbf",
    b"\n\n\n",
    b"code,name,neighbours\n",
    b"\xef\xbb\xbfcode,name,neighbours\r\n00Q,Alpha \xc2\xa3 CCG,\r\n",
    b"contract,contract_name,organisation,annual_value_gbp,activity\n1,NHS 111,00Q,\xa31,234,\n",  # cp1252 '£'
    b'code,name,neighbours\n"00Q,Alpha\n',
    b"code\x00,name,neighbours\n",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
]


def check(reader: str, data: bytes) -> None:
    """The properties: a result always; rows only when there are no problems; problems say where."""
    read, _columns = READERS[reader]
    result = read(data)
    event("read" if result.ok else "refused")  # shown by --hypothesis-show-statistics
    assert isinstance(result, ImportResult)
    assert not (result.rows and result.problems), result
    assert result.ok == (not result.problems)
    if result.ok:
        assert result.rows, "a file with no problems has rows"
    for problem in result.problems:
        assert isinstance(problem.line, int) and problem.line >= 0
        assert isinstance(problem.message, str) and problem.message
        assert problem.column is None or isinstance(problem.column, str)


readers = st.sampled_from(sorted(READERS))


@FUZZ
@given(reader=readers, data=st.binary(max_size=3000))
def test_random_bytes(reader: str, data: bytes) -> None:
    check(reader, data)


@FUZZ
@given(reader=readers, data=st.sampled_from(EXAMPLES))
def test_known_awkward_files(reader: str, data: bytes) -> None:
    check(reader, data)


def header_names(columns: tuple[str, ...]) -> st.SearchStrategy[str]:
    """A real column name as typed ("code", "Contract Name", " ANNUAL_VALUE_GBP ") or a made-up one."""
    real = st.sampled_from(columns)
    styled = st.builds(
        lambda name, case, gap, pad: pad + case(name.replace("_", gap)) + pad,
        real,
        st.sampled_from([str.lower, str.upper, str.title]),
        st.sampled_from(["_", " "]),
        st.sampled_from(["", " "]),
    )
    return st.one_of(real, styled, st.text(max_size=12))


CELLS = st.one_of(
    st.sampled_from(
        ["00Q", "00R", "7", "00q", "", " ", "NA", "-", "£", "1,5", "1e3", "-0", "=SUM(A1)", '"', "a;b"]
    ),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=3).map(str),
    st.integers(min_value=0, max_value=10**9).map(lambda n: f"£{n:,}.50"),
    st.integers(min_value=0, max_value=10**9).map(lambda n: f"{n:,}"),
    st.text(max_size=30),
    st.text(max_size=300),
)


CODES = ["00Q", "00R", "00S", "7"]
COUNT = st.integers(min_value=0, max_value=10**6)


@st.composite
def plausible_rows(draw: st.DrawFn, reader: str) -> list[list[str]]:
    """Rows as people fill them in - consistent names, unique keys - now and then with junk in a cell,
    so that many files are read and the row checks run, not only the header check."""
    if reader == "organisations":
        codes = draw(st.lists(st.sampled_from(CODES), unique=True, min_size=1))
        rows = [
            [
                code,
                f"{code} CCG £",
                ";".join(
                    draw(st.lists(st.sampled_from([c for c in codes if c != code] or [code]), max_size=2))
                ),
            ]
            for code in codes
        ]
    elif reader == "contracts":
        pairs = draw(
            st.lists(
                st.tuples(st.sampled_from(["1", "2"]), st.sampled_from(CODES[:3])), unique=True, min_size=1
            )
        )
        rows = [
            [
                contract,
                f"Contract {contract}",
                org,
                draw(st.one_of(COUNT.map(str), COUNT.map(lambda n: f"£{n:,}.50"))),
                draw(st.one_of(st.just(""), COUNT.map(str))),
                "",
            ]
            for contract, org in pairs
        ]
    else:
        pairs = draw(
            st.lists(
                st.tuples(st.sampled_from(CODES), st.sampled_from(["RX1", "RX2"])), unique=True, min_size=1
            )
        )
        rows = []
        for ccg, provider in pairs:
            admissions, outpatients = draw(COUNT), draw(COUNT)
            counts = [f"{admissions:,}", str(admissions // 2), str(outpatients), str(outpatients // 3)]
            rows.append([ccg, f"{ccg} CCG", provider, f"{provider} FT", *counts])
    for row in rows:
        if draw(st.integers(min_value=0, max_value=3)) == 0:
            row[draw(st.integers(min_value=0, max_value=len(row) - 1))] = draw(CELLS)
    return rows


@st.composite
def csv_files(draw: st.DrawFn, reader: str) -> bytes:
    columns = READERS[reader][1]
    if draw(st.booleans()):  # often the right header and plausible rows, so rows get checked too
        header, rows = list(columns), draw(plausible_rows(reader))
    else:
        header = draw(st.lists(header_names(columns), max_size=len(columns) + 2))
        rows = draw(st.lists(st.lists(CELLS, max_size=len(header) + 1), max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quote = draw(st.booleans())

    def line(cells: list[str]) -> str:
        if quote:
            return delimiter.join('"' + cell.replace('"', '""') + '"' for cell in cells)
        return delimiter.join(cells)

    text = newline.join(line(cells) for cells in [header, *rows]) + draw(st.sampled_from(["", newline]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return text.encode(encoding, errors="replace" if encoding == "cp1252" else "surrogatepass")


@FUZZ
@given(data=st.data(), reader=readers)
def test_csv_like_text(data: st.DataObject, reader: str) -> None:
    check(reader, data.draw(csv_files(reader), label="file"))


SHEET_CELLS = st.one_of(
    CELLS,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 1, 1)),
)


def workbook(rows: list[list[Any]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    sheet = book.add_worksheet()
    date_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


@FUZZ
@given(data=st.data(), reader=readers)
def test_xlsx_workbooks(data: st.DataObject, reader: str) -> None:
    columns = READERS[reader][1]
    header: list[Any] = list(columns)
    rows: list[list[Any]]
    if data.draw(st.booleans(), label="odd header"):
        header = data.draw(st.lists(st.one_of(header_names(columns), SHEET_CELLS), max_size=len(columns) + 2))
        rows = data.draw(st.lists(st.lists(SHEET_CELLS, max_size=len(columns) + 1), max_size=6), label="rows")
    else:
        rows = [[typed(cell) for cell in row] for row in data.draw(plausible_rows(reader), label="rows")]
    check(reader, workbook([header, *rows]))


def typed(cell: str) -> Any:
    """A spreadsheet stores numbers as numbers: 1250 is the number 1250, "00Q" stays text."""
    return int(cell) if cell.isascii() and cell.isdigit() and not cell.startswith("0") else cell


GOOD_WORKBOOKS: dict[str, bytes] = {}


@FUZZ
@given(data=st.data(), reader=readers)
def test_damaged_workbooks(data: st.DataObject, reader: str) -> None:
    if reader not in GOOD_WORKBOOKS:  # made once: xlsxwriter stamps the time, and draws must not vary
        GOOD_WORKBOOKS[reader] = workbook(
            [list(READERS[reader][1]), ["00Q", "Alpha", "", "1", "2", "3", "4", "5"]]
        )
    good = GOOD_WORKBOOKS[reader]
    cut = data.draw(st.integers(min_value=4, max_value=len(good)), label="cut")
    position = data.draw(st.integers(min_value=0, max_value=len(good) - 1), label="flip at")
    damaged = bytearray(good[:cut])
    if position < len(damaged):
        damaged[position] ^= data.draw(st.integers(min_value=1, max_value=255), label="xor")
    check(reader, bytes(damaged))
