"""The steering pack as one Excel workbook: a sheet per table, each opening with the pack's banner."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from voting.exports.safe import escape_cell
from voting.exports.steering.table import Table
from voting.exports.steering.tables import all_tables
from voting.exports.steering.text import banner
from voting.exports.xlsx_matrix import WORKBOOK_OPTIONS, MatrixStyles, write_matrix_sheet

HEADER_ROW = 2  # row 0: banner, row 1: caption, row 2: column headers (0-based)
WIDTH = (8, 60)


class _Formats:
    """Formats for the plain tables, on top of the matrix styles."""

    def __init__(self, book: Workbook, matrix: MatrixStyles) -> None:
        self.matrix = matrix
        self.banner: Format = book.add_format({"bold": True, "font_size": 12})
        self.caption: Format = book.add_format({"italic": True})
        self.text: Format = book.add_format({"text_wrap": True, "valign": "top"})
        self.number: Format = book.add_format({"valign": "top", "num_format": "#,##0.##"})


def _write_value(sheet: Worksheet, row: int, col: int, value: Any, formats: _Formats) -> None:
    if value is None or value == "":
        sheet.write_blank(row, col, None, formats.text)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(row, col, value, formats.number)
    else:
        sheet.write_string(row, col, escape_cell(str(value)), formats.text)


def _width(table: Table, col: int) -> int:
    texts = [table.headers[col], *(str(row[col]) for row in table.rows if row[col] is not None)]
    longest = max(len(text) for text in texts) + 2
    return min(max(longest, WIDTH[0]), WIDTH[1])


def _table_sheet(book: Workbook, table: Table, formats: _Formats) -> Worksheet:
    sheet = book.add_worksheet(table.name)
    for col, header in enumerate(table.headers):
        sheet.write_string(HEADER_ROW, col, escape_cell(header), formats.matrix.header)
        sheet.set_column(col, col, _width(table, col))
    for row, values in enumerate(table.rows, start=HEADER_ROW + 1):
        for col, value in enumerate(values):
            _write_value(sheet, row, col, value, formats)
    if table.headers:
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + len(table.rows), len(table.headers) - 1)
        sheet.repeat_rows(HEADER_ROW)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    return sheet


def print_header(line: str, limit: int = 240) -> str:
    """The page header for printing: the banner centred, "&" escaped, within Excel's length limit."""
    text = ""
    for char in line:
        piece = "&&" if char == "&" else char
        if len(text) + len(piece) > limit:
            break
        text += piece
    return "&C" + text


def pack_xlsx(pack: Mapping[str, Any]) -> bytes:
    """The whole pack as .xlsx bytes; no cell is ever a formula."""
    buffer = io.BytesIO()
    book = Workbook(buffer, WORKBOOK_OPTIONS)
    line = banner(pack)
    book.set_properties(
        {
            "title": f"Steering pack - {pack['event']['name']}"[:250],
            "subject": line[:250],
            "created": datetime.fromisoformat(pack["generated_at"]).replace(tzinfo=None),
        }
    )
    formats = _Formats(book, MatrixStyles(book))
    for table in all_tables(pack):
        if table.matrix is not None:
            name = pack["event"]["name"]
            sheet = write_matrix_sheet(book, table.matrix, name, formats.matrix, table.name, HEADER_ROW)
        else:
            sheet = _table_sheet(book, table, formats)
        sheet.write_string(0, 0, escape_cell(line), formats.banner)
        sheet.write_string(1, 0, escape_cell(table.caption), formats.caption)
        sheet.set_header(print_header(line))
    book.close()
    return buffer.getvalue()
