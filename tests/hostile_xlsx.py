"""Small .xlsx files that would take a parser's CPU for seconds: hand-written zips of XML."""

from __future__ import annotations

import io
import zipfile

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
}
_NO_STRINGS = b"<sst " + NS + b' count="0" uniqueCount="0"></sst>'


def _column(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def workbook(sheet_data: bytes, dimension: str = "", shared_strings: bytes = _NO_STRINGS) -> bytes:
    """An .xlsx whose first sheet holds `sheet_data` (the inside of <sheetData>)."""
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    sheet = b"<worksheet " + NS + b">" + dim + b"<sheetData>" + sheet_data + b"</sheetData></worksheet>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, body in _PARTS.items():
            archive.writestr(name, body)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", shared_strings)
    return out.getvalue()


def wide_header(rows: int = 2000, declared: bool = True) -> bytes:
    """The organisations header in A1:C1, then headings out to column XFD (16,384), then rows."""
    names = {1: b"code", 2: b"name", 3: b"neighbours"}
    header = b"".join(
        b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (_column(i).encode(), names.get(i, b"x"))
        for i in range(1, 16_385)
    )
    body = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(2, rows + 1))
    return workbook(b'<row r="1">' + header + b"</row>" + body, f"A1:XFD{rows}" if declared else "")


def many_strings(count: int) -> bytes:
    """One cell, and `count` shared strings that openpyxl reads in full before any row."""
    strings = b"<sst " + NS + b">" + b"<si><t>a</t></si>" * count + b"</sst>"
    return workbook(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared_strings=strings)
