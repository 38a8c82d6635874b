"""The activity importer: CSV or XLSX bytes in, rows or every problem with its line and column out."""

from __future__ import annotations

import io

import openpyxl
import pytest

from voting.activity_demo import activity_csv
from voting.importers import Problem
from voting.importers.activity import ActivityRow, read_activity

HEADER = "ccg_code,ccg_name,provider_code,provider_name,admissions,elective_admissions,outpatients,first_outpatients"
GOOD = "99X,NHS Alpha CCG,RZX,Oscar NHS FT,28470,11892,274659,84454"


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def triples(problems: tuple[Problem, ...]) -> list[tuple[int, str | None, str]]:
    return [(p.line, p.column, p.message) for p in problems]


def test_good_file_with_bom_quotes_and_thousands_separators() -> None:
    data = "\ufeff" + HEADER + '\n99X,NHS Alpha CCG,RZX,Oscar NHS FT,"28,470","11,892","274,659","84,454"\n'
    data += "99X,NHS Alpha CCG,RZR,Romeo NHS FT,651,323,0,0\n"
    result = read_activity(data.encode("utf-8"))
    assert result.ok
    assert result.rows == (
        ActivityRow(2, "99X", "NHS Alpha CCG", "RZX", "Oscar NHS FT", 28470, 11892, 274659, 84454),
        ActivityRow(3, "99X", "NHS Alpha CCG", "RZR", "Romeo NHS FT", 651, 323, 0, 0),
    )


def test_good_xlsx() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(["99X", "NHS Alpha CCG", "RZX", "Oscar NHS FT", 28470, 11892.0, 274659, 84454])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_activity(buffer.getvalue())
    assert result.ok, result.problems
    assert result.rows[0].elective_admissions == 11892


def test_demo_file_reads_cleanly() -> None:
    result = read_activity(activity_csv())
    assert result.ok, result.problems
    assert len(result.rows) == 64


def test_missing_column_is_reported_on_the_header() -> None:
    result = read_activity(csv_bytes(HEADER.replace(",first_outpatients", ""), GOOD.rsplit(",", 1)[0]))
    assert triples(result.problems) == [
        (1, "first_outpatients", f"Missing column 'first_outpatients'. The header must be: {HEADER}")
    ]


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        (
            "99X,NHS Alpha CCG,RZX,Oscar NHS FT,,0,0,0",
            "admissions",
            "The number of admissions is empty. Enter a number, e.g. 1250000.",
        ),
        ("99X,NHS Alpha CCG,RZX,Oscar NHS FT,many,0,0,0", "admissions", "'many' is not a number."),
        (
            "99X,NHS Alpha CCG,RZX,Oscar NHS FT,5,-1,0,0",
            "elective_admissions",
            "'-1' is negative; the number of elective admissions must be zero or more.",
        ),
        (
            "99X,NHS Alpha CCG,RZX,Oscar NHS FT,5,1,7.5,0",
            "outpatients",
            "'7.5' is not a whole number. Enter a count such as 1250.",
        ),
        ('99X,NHS Alpha CCG,RZX,Oscar NHS FT,5,1,7,"1,5"', "first_outpatients", "'1,5' is not a number."),
        (
            "99X,NHS Alpha CCG,RZX,Oscar NHS FT,1000,1200,0,0",
            "elective_admissions",
            "Elective admissions (1,200) are more than admissions (1,000). Elective admissions are part of all admissions.",
        ),
        (
            "99X,NHS Alpha CCG,RZX,Oscar NHS FT,5,1,10,11",
            "first_outpatients",
            "First outpatients (11) are more than outpatients (10). First outpatients are part of all outpatients.",
        ),
        (",NHS Alpha CCG,RZX,Oscar NHS FT,5,1,10,1", "ccg_code", "The CCG code is empty."),
        ("99X,NHS Alpha CCG,RZX,,5,1,10,1", "provider_name", "The provider name is empty."),
    ],
)
def test_each_bad_cell_is_reported_with_line_and_column(cells: str, column: str, message: str) -> None:
    result = read_activity(csv_bytes(HEADER, GOOD.replace("RZX", "RZP"), cells))
    assert not result.ok
    assert result.rows == ()  # all or nothing: the good line 2 is not returned either
    assert triples(result.problems) == [(3, column, message)]


def test_duplicate_ccg_and_provider_pair() -> None:
    result = read_activity(csv_bytes(HEADER, GOOD, "99W,NHS Bravo CCG,RZX,Oscar NHS FT,1,0,0,0", GOOD))
    assert triples(result.problems) == [
        (
            4,
            "provider_code",
            "CCG '99X' and provider 'RZX' are already on line 2. Put each CCG and provider pair on one line.",
        )
    ]


def test_a_code_keeps_its_name() -> None:
    result = read_activity(
        csv_bytes(
            HEADER,
            GOOD,
            "99X,Alpha CCG,RZP,Papa NHS FT,1,0,0,0",
            "99W,NHS Bravo CCG,RZX,Oscar NHS Foundation Trust,1,0,0,0",
        )
    )
    assert triples(result.problems) == [
        (
            3,
            "ccg_name",
            "CCG '99X' is called 'NHS Alpha CCG' on line 2 but 'Alpha CCG' here. "
            "Use the same name on every row with that code.",
        ),
        (
            4,
            "provider_name",
            "Provider 'RZX' is called 'Oscar NHS FT' on line 2 but 'Oscar NHS Foundation Trust' here. "
            "Use the same name on every row with that code.",
        ),
    ]


def test_the_same_code_may_be_a_ccg_and_a_provider() -> None:
    result = read_activity(csv_bytes(HEADER, "X1,Alpha,X1,Alpha Trust,1,0,0,0"))
    assert result.ok


def test_every_problem_is_listed_in_line_order() -> None:
    result = read_activity(
        csv_bytes(HEADER, "99X,A,RZX,O,x,0,0,0", GOOD.replace("99X", "99W"), "99Y,C,RZX,O,1,2,3,4")
    )
    assert [(p.line, p.column) for p in result.problems] == [
        (2, "admissions"),
        (3, "provider_name"),
        (4, "elective_admissions"),
        (4, "first_outpatients"),
    ]


def test_empty_file_and_no_rows() -> None:
    assert triples(read_activity(b"").problems) == [
        (1, None, f"The file is empty. Line 1 must be the header: {HEADER}")
    ]
    assert triples(read_activity(csv_bytes(HEADER)).problems) == [
        (2, None, "The file has no rows under the header.")
    ]
