"""Annex 2 collaboration matrix as an Excel workbook: coloured levels, legend, contracts sheet."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from voting.domain.matrix import NA, Matrix
from voting.exports.legend import (
    LEVEL_COLOURS,
    NA_FILL,
    NA_TEXT,
    NOTES,
    SPLIT_FILL,
    SPLIT_HATCH,
    TEXT_COLOUR,
    is_split,
    level_of,
    level_rows,
)
from voting.exports.safe import escape_cell

WORKBOOK_OPTIONS: dict[str, Any] = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
LIGHT_UP = 14  # XlsxWriter pattern index for a light diagonal hatch
NAME_WIDTH = (12, 40)
CODE_WIDTH = (5, 20)


class MatrixStyles:
    """The cell formats used by the matrix and contracts sheets."""

    def __init__(self, book: Workbook) -> None:
        base = {"font_color": TEXT_COLOUR, "border": 1, "border_color": "#AEB7BD", "valign": "vcenter"}
        centre = {**base, "align": "center"}
        self.header: Format = book.add_format({**base, "bold": True, "bg_color": "#E8EDEE"})
        self.header_code: Format = book.add_format({**centre, "bold": True, "bg_color": "#E8EDEE"})
        self.text: Format = book.add_format(base)
        self.empty: Format = book.add_format(centre)
        self.na: Format = book.add_format({**centre, "font_color": NA_TEXT, "bg_color": NA_FILL})
        self.split: Format = book.add_format(
            {**centre, "bold": True, "pattern": LIGHT_UP, "bg_color": SPLIT_FILL, "fg_color": SPLIT_HATCH}
        )
        self.levels: dict[int, Format] = {
            level: book.add_format({**centre, "bg_color": colour}) for level, colour in LEVEL_COLOURS.items()
        }
        self.plain: Format = book.add_format({"font_color": TEXT_COLOUR})


def _write_cell(sheet: Worksheet, row: int, col: int, value: str, styles: MatrixStyles) -> None:
    """One matrix cell: a number for a level, styled text for NA or a split, else blank."""
    level = level_of(value)
    if level is not None:
        sheet.write_number(row, col, level, styles.levels[level])
    elif value == NA:
        sheet.write_string(row, col, NA, styles.na)
    elif is_split(value):
        sheet.write_string(row, col, value, styles.split)
    elif value == "":
        sheet.write_blank(row, col, None, styles.empty)
    else:
        sheet.write_string(row, col, escape_cell(value), styles.text)


def _write_legend(sheet: Worksheet, first_row: int, styles: MatrixStyles) -> None:
    """Levels with their coloured number, a blank row, then the Split/NA/empty notes."""
    row = first_row
    for number, label in level_rows():
        sheet.write_number(row, 0, number, styles.levels[number])
        sheet.write_string(row, 1, label, styles.plain)
        row += 1
    row += 1
    note_styles = {"Split": styles.split, NA: styles.na}
    for key, note in NOTES:
        sheet.write_string(row, 0, key, note_styles.get(key, styles.empty))
        sheet.write_string(row, 1, note, styles.plain)
        row += 1


def _width(texts: list[str], bounds: tuple[int, int]) -> int:
    """A column width that fits the longest text, within bounds."""
    longest = max((len(text) for text in texts), default=0) + 2
    return min(max(longest, bounds[0]), bounds[1])


def write_matrix_sheet(
    book: Workbook, matrix: Matrix, title: str, styles: MatrixStyles, name: str = "Matrix", top: int = 0
) -> Worksheet:
    """A matrix sheet: header row at row `top`, one row per organisation, legend below."""
    sheet = book.add_worksheet(name)
    sheet.write_string(top, 0, "CCG", styles.header)
    for col, column in enumerate(matrix.columns, start=1):
        sheet.write_string(top, col, escape_cell(column.code), styles.header_code)
    for row, org in enumerate(matrix.rows, start=top + 1):
        sheet.write_string(row, 0, escape_cell(org.name), styles.text)
        for col, label in enumerate(matrix.row_labels(org.code), start=1):
            _write_cell(sheet, row, col, label, styles)
    last_row, last_col = top + len(matrix.rows), len(matrix.columns)
    _write_legend(sheet, last_row + 2, styles)
    sheet.freeze_panes(top + 1, 1)
    sheet.autofilter(top, 0, last_row, last_col)
    sheet.set_column(0, 0, _width(["CCG", *(org.name for org in matrix.rows)], NAME_WIDTH))
    for col, column in enumerate(matrix.columns, start=1):
        sheet.set_column(col, col, _width([column.code], CODE_WIDTH))
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(top)
    sheet.set_header("&C" + title[:200].replace("&", "&&"))
    return sheet


def _contracts_sheet(book: Workbook, matrix: Matrix, styles: MatrixStyles) -> None:
    """The "Contracts" sheet: what each header code in the matrix stands for."""
    sheet = book.add_worksheet("Contracts")
    sheet.write_string(0, 0, "Code", styles.header)
    sheet.write_string(0, 1, "Contract", styles.header)
    for row, column in enumerate(matrix.columns, start=1):
        sheet.write_string(row, 0, escape_cell(column.code), styles.text)
        sheet.write_string(row, 1, escape_cell(column.name), styles.text)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, _width(["Code", *(c.code for c in matrix.columns)], (8, 20)))
    sheet.set_column(1, 1, _width(["Contract", *(c.name for c in matrix.columns)], (20, 80)))


def matrix_xlsx(
    matrix: Matrix, title: str = "Collaboration matrix", provenance: Sequence[tuple[str, str]] = ()
) -> bytes:
    """The matrix as .xlsx bytes: levels as numbers with colour, NA grey, splits hatched; an "About"
    sheet says where it came from when provenance is given."""
    buffer = io.BytesIO()
    book = Workbook(buffer, WORKBOOK_OPTIONS)
    book.set_properties({"title": title})
    styles = MatrixStyles(book)
    write_matrix_sheet(book, matrix, title, styles)
    _contracts_sheet(book, matrix, styles)
    if provenance:
        about = book.add_worksheet("About")
        for row, (key, value) in enumerate(provenance):
            about.write_string(row, 0, escape_cell(key), styles.header)
            about.write_string(row, 1, escape_cell(value), styles.text)
        about.set_column(0, 0, 28)
        about.set_column(1, 1, 70)
    book.close()
    return buffer.getvalue()
