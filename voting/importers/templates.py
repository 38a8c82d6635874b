"""Downloadable upload templates: the header and two example rows, as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import xlsxwriter

from voting.importers.contracts import COLUMNS as CONTRACT_COLUMNS
from voting.importers.contracts import OPTIONAL as CONTRACT_OPTIONAL
from voting.importers.organisations import COLUMNS as ORGANISATION_COLUMNS

Cell = str | int | float

ORGANISATIONS_HEADER: tuple[str, ...] = ORGANISATION_COLUMNS
ORGANISATIONS_EXAMPLE: tuple[tuple[Cell, ...], ...] = (
    ("00Q", "Alpha CCG", "00R"),
    ("00R", "Beta CCG", "00Q"),
)
ORGANISATIONS_TEXT = {"code", "name", "neighbours"}

CONTRACTS_HEADER: tuple[str, ...] = CONTRACT_COLUMNS + CONTRACT_OPTIONAL
CONTRACTS_EXAMPLE: tuple[tuple[Cell, ...], ...] = (
    ("1", "Acute - Example FT", "00Q", 1250000, 5400, "Acute services at Example FT"),
    ("1", "Acute - Example FT", "00R", 750000.5, 3100, ""),
)
CONTRACTS_TEXT = {"contract", "contract_name", "organisation", "description"}

XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "in_memory": True}


def organisations_template_csv() -> bytes:
    """The organisations template as UTF-8 CSV with a BOM (so Excel reads it as UTF-8)."""
    return _csv(ORGANISATIONS_HEADER, ORGANISATIONS_EXAMPLE)


def organisations_template_xlsx() -> bytes:
    """The organisations template as an .xlsx workbook with code columns formatted as text."""
    return _xlsx("Organisations", ORGANISATIONS_HEADER, ORGANISATIONS_EXAMPLE, ORGANISATIONS_TEXT)


def contracts_template_csv() -> bytes:
    """The contracts template as UTF-8 CSV with a BOM (so Excel reads it as UTF-8)."""
    return _csv(CONTRACTS_HEADER, CONTRACTS_EXAMPLE)


def contracts_template_xlsx() -> bytes:
    """The contracts template as an .xlsx workbook with id and code columns formatted as text."""
    return _xlsx("Contracts", CONTRACTS_HEADER, CONTRACTS_EXAMPLE, CONTRACTS_TEXT)


def template_organisation_codes() -> tuple[str, ...]:
    """The organisation codes the contracts template refers to (those in the organisations template)."""
    return tuple(str(row[0]) for row in ORGANISATIONS_EXAMPLE)


def _csv(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(sheet_name: str, header: Sequence[str], rows: Sequence[Sequence[Cell]], text: set[str]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, XLSX_OPTIONS)
    bold = workbook.add_format({"bold": True, "num_format": "@"})
    as_text = workbook.add_format({"num_format": "@"})
    money = workbook.add_format({"num_format": "#,##0.00"})
    sheet = workbook.add_worksheet(sheet_name)
    for col, name in enumerate(header):
        width = 30 if name in {"name", "contract_name", "description"} else 18
        sheet.set_column(col, col, width, as_text if name in text else None)
        sheet.write_string(0, col, name, bold)
    for row_index, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(row_index, col, value, as_text)
            else:
                cell_format = money if header[col] == "annual_value_gbp" else None
                sheet.write_number(row_index, col, value, cell_format)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
