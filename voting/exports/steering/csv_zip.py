"""The steering pack as CSV files in a zip: one UTF-8-with-BOM CSV per sheet, text cells escaped."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from voting.exports.csv_matrix import legend_rows, matrix_rows
from voting.exports.safe import escape_cell
from voting.exports.steering.table import Table
from voting.exports.steering.tables import all_tables
from voting.exports.steering.text import banner

PENCE = Decimal("0.01")


def _text(value: Any, money: bool = False) -> str:
    """A cell as text; numbers as exact decimals (never 7.2212e+07), money to the penny."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        # repr() is the shortest text that reads back as the same float: the decimal it was made from.
        exact = value if isinstance(value, Decimal) else Decimal(repr(value))
        if money:
            exact = exact.quantize(PENCE, rounding=ROUND_HALF_UP)
        elif exact == exact.to_integral_value():
            exact = exact.to_integral_value()
        return format(exact, "f")
    return escape_cell(str(value))


def table_csv(table: Table, line: str) -> bytes:
    """One table as CSV bytes: banner, caption, then the header row and the rows (or the matrix)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_cell(line)])
    writer.writerow([escape_cell(table.caption)])
    if table.matrix is not None:
        writer.writerows(matrix_rows(table.matrix))
        writer.writerow([])
        writer.writerows(legend_rows())
    elif table.headers:
        writer.writerow([escape_cell(header) for header in table.headers])
        money = [header.endswith("(GBP)") for header in table.headers]
        writer.writerows([_text(value, money[i]) for i, value in enumerate(row)] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")


def file_name(index: int, table: Table) -> str:
    """ "01-about.csv", "02-indicative-matrix.csv", ... in sheet order."""
    slug = re.sub(r"[^a-z0-9]+", "-", table.name.lower()).strip("-")
    return f"{index:02d}-{slug}.csv"


def pack_zip(pack: Mapping[str, Any]) -> bytes:
    """Every table of the pack as a CSV file in one zip archive."""
    line = banner(pack)
    stamp = datetime.fromisoformat(pack["generated_at"]).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, table in enumerate(all_tables(pack), start=1):
            info = zipfile.ZipInfo(file_name(index, table), date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, table_csv(table, line))
    return buffer.getvalue()
