"""The app's limits on an uploaded table, checked before any parser sees the file.

An .xlsx is a zip of XML: a 99 KB upload can declare a 16,384-column sheet or hold millions of
shared strings, and parsing it would take the server's CPU for many seconds. So the zip's own
directory (entry count, uncompressed sizes), each sheet's declared <dimension> and a count of its
cells, and the shared-strings count are all checked first, at C speed, and the file is refused with
a sentence when any is beyond these limits. They are the app's settings, not the format's: our
imports have at most 8 columns and a few thousand rows.
"""

from __future__ import annotations

import re
import zipfile
from typing import IO

MAX_ROWS = 50_000  # rows under the header
MAX_COLUMNS = 50
MAX_CELLS = 500_000
MAX_TEXTS = 100_000  # different texts in the shared-strings part (openpyxl reads them all first)
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # the whole workbook, unzipped
MAX_ENTRIES = 200  # files inside the workbook's zip; Excel writes about a dozen

CHUNK = 1024 * 1024
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s[^>]*?ref=\"([^\"]*)\"")
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")
_STRING = re.compile(rb"<(?:\w+:)?si[\s/>]")


class TooLarge(Exception):
    """The upload is beyond one of the app's limits; the message says which, in a sentence."""


def too_large(what: str, count: int, most: int) -> TooLarge:
    """The one sentence every limit uses (counting stops just past the limit: "more than")."""
    amount = f"more than {most:,}" if count == most + 1 else f"{count:,}"
    return TooLarge(
        f"This spreadsheet is too large to import: it has {amount} {what}; the most allowed is {most:,}."
    )


def check_rows_and_columns(rows: int, columns: int, cells: int) -> None:
    """Refuse a table (rows include the header) beyond the app's row, column or cell limits."""
    if columns > MAX_COLUMNS:
        raise too_large("columns", columns, MAX_COLUMNS)
    if rows - 1 > MAX_ROWS:
        raise too_large("rows under the header", rows - 1, MAX_ROWS)
    if cells > MAX_CELLS:
        raise too_large("cells", cells, MAX_CELLS)


def check_xlsx(data: IO[bytes]) -> None:
    """Refuse a workbook whose zip directory, sheet sizes or shared strings are beyond the limits.

    zipfile stops reading an entry at the size the directory declares (and fails its CRC check if
    there was more), so the declared sizes bound what any parser can be made to read.
    """
    with zipfile.ZipFile(data) as archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise too_large("parts inside the file", len(entries), MAX_ENTRIES)
        total = sum(entry.file_size for entry in entries)
        if total > MAX_UNCOMPRESSED_BYTES:
            megabytes = -(-total // (1024 * 1024))
            raise too_large("MB of data once unzipped", megabytes, MAX_UNCOMPRESSED_BYTES // (1024 * 1024))
        for entry in entries:
            name = entry.filename.lower()
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                _check_sheet(archive, entry)
            elif name.endswith("sharedstrings.xml"):
                strings = _count(archive, entry, _STRING, MAX_TEXTS)
                if strings > MAX_TEXTS:
                    raise too_large("different texts", strings, MAX_TEXTS)


def _check_sheet(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    with archive.open(entry) as part:
        head = part.read(4096)  # <dimension> comes right after the sheet's properties
    found = _DIMENSION.search(head)
    if found:
        corners = [_CELL_REF.fullmatch(ref) for ref in found.group(1).decode("ascii", "replace").split(":")]
        if all(corners) and corners:
            columns = max(_column_number(c.group(1)) for c in corners if c)
            rows = max(int(c.group(2)) for c in corners if c)
            check_rows_and_columns(rows, columns, 0)
            if rows * columns > MAX_CELLS:
                raise too_large("cells", rows * columns, MAX_CELLS)
    # The declared size may be missing or wrong: count what is really there too.
    cells = _count(archive, entry, _CELL, MAX_CELLS)  # first: it stops early on the usual attack
    check_rows_and_columns(1, 0, cells)
    check_rows_and_columns(_count(archive, entry, _ROW, MAX_ROWS + 1), 0, cells)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _count(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, tag: re.Pattern[bytes], most: int) -> int:
    """Occurrences of an XML start tag in one part, read a megabyte at a time; most + 1 means more."""
    total = 0
    carry = b""
    with archive.open(entry) as part:
        while chunk := part.read(CHUNK):
            buffer = carry + chunk
            # A tag starts at '<' and holds no other '<': count up to the last one, keep the rest.
            cut = buffer.rfind(b"<")
            if cut == -1 or len(buffer) - cut > 64:
                cut = len(buffer)
            total += len(tag.findall(buffer, 0, cut))
            if total > most:
                return most + 1
            carry = buffer[cut:]
    return min(total + len(tag.findall(carry)), most + 1)
