"""Read an uploaded CSV or XLSX file into numbered rows keyed by (lower-case) header name."""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Sequence
from datetime import datetime, time
from decimal import Decimal

from openpyxl import load_workbook

from voting.importers.bounds import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, TooLarge, check_xlsx, too_large
from voting.importers.problems import Problem

MAX_BYTES = 5 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
DELIMITERS = (",", ";", "\t")  # "," wins a tie

Record = tuple[int, dict[str, str]]  # (line number, {column: trimmed text})
RawRow = tuple[int, list[str]]


class _Unreadable(Exception):
    """The file cannot be read at all; carries the one problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def is_xlsx(data: bytes) -> bool:
    """True when the bytes are a zip container, i.e. an .xlsx workbook rather than CSV."""
    return data.startswith(XLSX_MAGIC)


def read_table(
    data: bytes, required: Sequence[str], optional: Sequence[str] = ()
) -> tuple[list[Record], list[Problem]]:
    """Non-blank rows under the header as (line, {column: text}), or the problems that stop reading."""
    expected = ",".join(required)
    if len(data) > MAX_BYTES:
        return [], [Problem(0, None, "The file is larger than the 5 MB limit. Remove unused sheets or rows.")]
    try:
        raw = _xlsx_rows(data) if is_xlsx(data) else _csv_rows(data)
    except _Unreadable as exc:
        return [], [exc.problem]
    except TooLarge as exc:
        return [], [Problem(0, None, str(exc))]
    if not raw:
        return [], [Problem(1, None, f"The file is empty. Line 1 must be the header: {expected}")]
    positions, problems = _match_header(raw[0][1], required, optional)
    if problems:
        return [], problems
    records: list[Record] = []
    for line, cells in raw[1:]:
        if line > MAX_ROWS + 1:
            message = f"The file has more than {MAX_ROWS:,} rows under the header (empty rows count)."
            return [], [Problem(line, None, message)]
        values = {name: cells[i] if i < len(cells) else "" for name, i in positions.items()}
        if any(values.values()):
            records.append((line, values))
    if not records:
        return [], [Problem(2, None, "The file has no rows under the header.")]
    return records, []


def _normalise(name: str) -> str:
    return re.sub(r"[\s_]+", "_", name.replace("\ufeff", "").strip().lower())


def _match_header(
    cells: list[str], required: Sequence[str], optional: Sequence[str]
) -> tuple[dict[str, int], list[Problem]]:
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for index, cell in enumerate(cells):
        name = _normalise(cell)
        if name not in required and name not in optional:
            continue  # unknown columns are ignored
        if name in positions:
            problems.append(Problem(1, name, f"Column '{name}' appears more than once in the header."))
        else:
            positions[name] = index
    expected = ",".join(required)
    for name in required:
        if name not in positions:
            problems.append(Problem(1, name, f"Missing column '{name}'. The header must be: {expected}"))
    return positions, problems


def _csv_rows(data: bytes) -> list[RawRow]:
    if data.startswith(XLS_MAGIC):
        message = "This is an old-style .xls workbook. Save it as .xlsx or 'CSV UTF-8' and upload it again."
        raise _Unreadable(Problem(0, None, message))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Excel's plain "CSV (Comma delimited)" on UK Windows saves Windows-1252 (a £ is byte 0xA3).
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            line = data[: exc.start].count(b"\n") + 1
            message = (
                "The file is not UTF-8 text. Save it as 'CSV UTF-8 (Comma delimited)' and upload it again."
            )
            raise _Unreadable(Problem(line, None, message)) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    rows: list[RawRow] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 0
    total = 0
    try:
        for line, cells in enumerate(reader, start=1):
            total += len(cells)
            if len(cells) > MAX_COLUMNS:
                raise too_large("columns", len(cells), MAX_COLUMNS)
            if total > MAX_CELLS:
                raise too_large("cells", total, MAX_CELLS)
            rows.append((line, [cell.strip() for cell in cells]))
            if line > MAX_ROWS + 1:
                break
    except csv.Error:  # its message is the csv module's, not a sentence for the facilitator
        raise _Unreadable(
            Problem(line + 1, None, "The file could not be read as CSV. Check for a stray '\"'.")
        ) from None
    return rows


def _xlsx_rows(data: bytes) -> list[RawRow]:
    rows: list[RawRow] = []
    try:
        check_xlsx(io.BytesIO(data))  # before openpyxl reads a byte of it
    except zipfile.BadZipFile:
        message = "The file looks like an Excel workbook but could not be opened. Save it again as .xlsx."
        raise _Unreadable(Problem(0, None, message)) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # e.g. "Data Validation extension is not supported"
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    return rows
                sheet = workbook.worksheets[0]
                sheet.reset_dimensions()  # don't trust the stored size; read the rows that are there
                header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
                if header is None:
                    return rows
                names = [cell_text(value) for value in header]
                while names and not names[-1]:
                    names.pop()  # formatted but empty cells past the last heading
                if len(names) > MAX_COLUMNS:
                    raise too_large("columns", len(names), MAX_COLUMNS)
                rows.append((1, names))
                width = max(len(names), 1)
                data_rows = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
                for line, values in enumerate(data_rows, start=2):
                    if line * width > MAX_CELLS:
                        raise too_large("cells", line * width, MAX_CELLS)
                    rows.append((line, [cell_text(value) for value in values]))
                    if line > MAX_ROWS + 1:
                        break
            finally:
                workbook.close()
    except TooLarge:
        raise
    except Exception:  # openpyxl raises many types for damaged or non-Excel zips
        message = "The file looks like an Excel workbook but could not be opened. Save it again as .xlsx."
        raise _Unreadable(Problem(0, None, message)) from None
    return rows


def cell_text(value: object) -> str:
    """A spreadsheet cell as trimmed text: 7 and 7.0 become "7", None becomes ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    return str(value).strip()
