"""The app's limits on uploads (voting/importers/bounds.py), checked before openpyxl parses anything."""

from __future__ import annotations

import time

from tests.hostile_xlsx import many_strings, wide_header, workbook
from voting.importers import read_organisations
from voting.importers.activity import COLUMNS as ACTIVITY_COLUMNS
from voting.importers.activity import read_activity
from voting.importers.bounds import MAX_CELLS, MAX_COLUMNS, MAX_TEXTS

TOO_WIDE = "This spreadsheet is too large to import: it has 16,384 columns; the most allowed is 50."


def only_message(data: bytes) -> str:
    result = read_organisations(data)
    assert len(result.problems) == 1 and result.problems[0].line == 0 and not result.rows
    return result.problems[0].message


def test_a_declared_16384_column_sheet_is_refused_before_parsing() -> None:
    started = time.perf_counter()
    assert only_message(wide_header()) == TOO_WIDE
    assert time.perf_counter() - started < 0.2  # the zip's directory and one 4 KB read


def test_an_undeclared_16384_column_header_is_refused_at_the_header() -> None:
    assert only_message(wide_header(declared=False)) == TOO_WIDE


def test_millions_of_shared_strings_are_counted_not_parsed() -> None:
    """84 KB of zipped shared strings took openpyxl 15 s of CPU; counting them takes milliseconds."""
    data = many_strings(3_000_000)
    assert len(data) < 150_000
    started = time.perf_counter()
    assert only_message(data) == (
        f"This spreadsheet is too large to import: it has more than {MAX_TEXTS:,} different texts; "
        f"the most allowed is {MAX_TEXTS:,}."
    )
    assert time.perf_counter() - started < 1


def test_millions_of_empty_cells_are_refused() -> None:
    data = workbook(b"<row>" + b"<c/>" * 2_000_000 + b"</row>")
    assert only_message(data) == (
        f"This spreadsheet is too large to import: it has more than {MAX_CELLS:,} cells; "
        f"the most allowed is {MAX_CELLS:,}."
    )


def test_a_declared_size_beyond_the_row_limit_is_refused() -> None:
    data = workbook(b'<row r="1"><c r="A1"><v>1</v></c></row>', dimension="A1:C60001")
    assert only_message(data) == (
        "This spreadsheet is too large to import: it has 60,000 rows under the header; "
        "the most allowed is 50,000."
    )


def test_csv_columns_and_cells_are_bounded() -> None:
    wide = ("code,name,neighbours" + ",x" * MAX_COLUMNS + "\n").encode()
    assert only_message(wide) == (
        f"This spreadsheet is too large to import: it has {MAX_COLUMNS + 3} columns; "
        f"the most allowed is {MAX_COLUMNS}."
    )
    header = ",".join(ACTIVITY_COLUMNS) + ",x" * 30
    rows = "\n".join(f"C{i},A,P,B,1,1,1,1" + ",y" * 30 for i in range(MAX_CELLS // 38 + 1))
    result = read_activity(f"{header}\n{rows}\n".encode())
    first_over = 38 * (MAX_CELLS // 38 + 1)  # 38 cells a line, counted line by line
    assert [p.message for p in result.problems] == [
        f"This spreadsheet is too large to import: it has {first_over:,} cells; "
        f"the most allowed is {MAX_CELLS:,}."
    ]


def test_a_workbook_parsed_in_the_child_process_reads_as_in_place() -> None:
    """The gevent path (voting/importers/offload.py) gives the same rows and the same refusals."""
    from voting.importers import organisations_template_xlsx
    from voting.importers.offload import parse_off_loop

    template = organisations_template_xlsx()
    assert parse_off_loop("gevent", read_organisations, template) == read_organisations(template)
    assert parse_off_loop("gevent", read_organisations, template).ok
    refused = parse_off_loop("gevent", read_organisations, wide_header())
    assert [p.message for p in refused.problems] == [TOO_WIDE]
