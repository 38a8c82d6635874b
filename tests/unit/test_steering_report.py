"""The printable steering report (HTML print view and PDF) and its print stylesheet."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

import pytest
from flask import render_template

from tests.unit.test_steering_fixtures import EVENT_NAME, EVIL, J_REASON, finished_event
from voting import ROOT
from voting.exports.legend import LEVEL_COLOURS, NA_FILL, SPLIT_FILL
from voting.exports.steering import report_pdf, report_view
from voting.exports.steering.html import cell_class

STYLESHEET = ROOT / "static" / "css" / "report.css"


class Tables(HTMLParser):
    """Collects table captions, header scopes and the classes of table cells."""

    def __init__(self) -> None:
        super().__init__()
        self.captions: list[str] = []
        self.cell_classes: list[str] = []
        self.scopes: set[str] = set()
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "caption":
            self._in_caption = True
            self.captions.append("")
        if tag == "td" and found.get("class"):
            self.cell_classes.append(str(found["class"]))
        if tag == "th" and found.get("scope"):
            self.scopes.add(str(found["scope"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self.captions[-1] += data


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    yield from finished_event(tmp_path_factory.mktemp("steering-report"))


def render(done: SimpleNamespace, pack: dict[str, Any]) -> str:
    with done.app.test_request_context():
        return render_template("steering/report.html", report=report_view(pack), stylesheet=None, links=None)


@pytest.fixture(scope="module")
def html(done: SimpleNamespace) -> str:
    return render(done, done.pack)


def test_the_report_states_the_event_versions_time_and_method(done: SimpleNamespace, html: str) -> None:
    assert f"<title>Steering pack - {EVENT_NAME}</title>" in html
    assert '<html lang="en-GB">' in html
    assert "Confirmed matrix v1 (frozen " in html and f'datetime="{done.pack["generated_at"]}"' in html
    assert "Annex 2" in html and "Stage 4, \u201cSo who and how will we make it work?\u201d" in html


def test_the_matrices_are_accessible_tables_with_their_legend(done: SimpleNamespace, html: str) -> None:
    tables = Tables()
    tables.feed(html)
    assert {"col", "row"} <= tables.scopes
    assert any(c.startswith("Indicative matrix v1") for c in tables.captions)
    assert any(c.startswith("Confirmed matrix v1") for c in tables.captions)
    assert tables.captions.count("Legend (Annex 2 levels)") == 2
    confirmed = [cell for row in done.pack["confirmed"]["rows"] for cell in row["cells"]]
    assert {cell_class(cell) for cell in confirmed} <= set(tables.cell_classes)
    assert "Small clusters of CCGs" in html and "Does not hold this contract" in html


def test_the_report_shows_changes_and_arrangements(done: SimpleNamespace, html: str) -> None:
    assert J_REASON in html
    assert "Lead CCG as co-ordinator" in html and "majority of at least two thirds needed" in html
    assert "Chairs the oversight board" in html and "A CCG may leave at year end" in html
    assert EVIL.replace('"', "&#34;") in html  # escaped by the template, never markup
    assert f"{len(done.pack['audit'])} entries" in html


def test_a_report_before_any_freeze_says_so(done: SimpleNamespace) -> None:
    early = {
        **done.pack,
        "versions": [
            {**v, "number": None, "frozen_at": None, "status": "not frozen yet"}
            for v in done.pack["versions"]
        ],
        "indicative": None,
        "confirmed": None,
        "arrangements": None,
        "changes": [],
    }
    text = render(done, early)
    assert "Indicative matrix not frozen yet" in text and "Arrangements not frozen yet" in text
    assert 'class="matrix"' not in text


@pytest.mark.parametrize(
    ("cell", "css"), [("1", "level-1"), ("5", "level-5"), ("NA", "na"), ("2/3", "split"), ("", "empty")]
)
def test_cell_classes(cell: str, css: str) -> None:
    assert cell_class(cell) == css


def test_the_print_stylesheet_uses_the_export_colours_on_a4_landscape() -> None:
    css = STYLESHEET.read_text().lower()
    assert "size: a4 landscape" in css
    for level, colour in LEVEL_COLOURS.items():
        assert re.search(rf"\.level-{level} \{{ background: {colour.lower()};", css)
    assert NA_FILL.lower() in css and SPLIT_FILL.lower() in css


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF with its compressed streams (object streams included) inflated, for searching."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_the_pdf_is_rendered_from_the_same_html(html: str) -> None:
    pdf = report_pdf(html, STYLESHEET)
    assert pdf.startswith(b"%PDF-")
    objects = pdf_objects(pdf)
    assert b"/StructTreeRoot" in objects  # tagged (PDF/UA-1): readable by screen readers
    assert b"/Lang" in objects
