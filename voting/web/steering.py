"""Steering pack downloads, on the facilitator console and in API v1 (XLSX, CSV zip, JSON, HTML, PDF)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Response, current_app, render_template, url_for

from voting.exports.steering import (
    PdfUnavailable,
    gather_pack,
    pack_json,
    pack_xlsx,
    pack_zip,
    report_pdf,
    report_view,
)
from voting.extensions import db
from voting.models import Event
from voting.web.api import bp as api_bp
from voting.web.api import facilitator_api, refuse
from voting.web.common import event_or_404, facilitator_required
from voting.web.declared import declare
from voting.web.facilitator import bp as facilitator_bp
from voting.web.schemas_reads import Pack

log = logging.getLogger(__name__)

FORMATS = "any(xlsx, zip, json, html, pdf)"
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "json": "application/json",
    "html": "text/html",  # Flask adds "; charset=utf-8"
    "pdf": "application/pdf",
}
PDF_MISSING = (
    "The PDF can't be made on this computer (WeasyPrint or the Pango library is not installed). "
    "Open the HTML report and print it to PDF instead."
)


def _stylesheet() -> Path:
    return Path(current_app.static_folder or "static") / "css" / "report.css"


def _report_html(event_id: int, pack: dict[str, Any], for_pdf: bool) -> str:
    """The report page; the PDF gets its stylesheet from the file, the browser by URL."""
    links = None
    if not for_pdf:
        links = {
            "console": url_for("facilitator.console", event_id=event_id),
            **{
                fmt: url_for("facilitator.steering_pack", event_id=event_id, fmt=fmt)
                for fmt in ("xlsx", "zip", "json", "pdf")
            },
        }
    stylesheet = None if for_pdf else url_for("static", filename="css/report.css")
    return render_template(
        "steering/report.html", report=report_view(pack), stylesheet=stylesheet, links=links
    )


def steering_download(event: Event, fmt: str) -> Response:
    """The pack in one format: an attachment, or the HTML report shown inline."""
    event_id = event.id
    pack = gather_pack(event)
    # End the read now: every SQLite transaction here is BEGIN IMMEDIATE, and rendering (a PDF takes
    # seconds) must not hold the write lock that votes need.
    db.session.rollback()
    if fmt == "xlsx":
        body: bytes | str = pack_xlsx(pack)
    elif fmt == "zip":
        body = pack_zip(pack)
    elif fmt == "json":
        body = pack_json(pack)
    elif fmt == "html":
        body = _report_html(event_id, pack, for_pdf=False)
    else:
        body = report_pdf(_report_html(event_id, pack, for_pdf=True), _stylesheet())
    response = Response(body, mimetype=MIMETYPES[fmt])
    disposition = "inline" if fmt == "html" else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="steering-pack-{event_id}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    log.info("event %s: steering pack %s downloaded", event_id, fmt)
    return response


@facilitator_bp.get(f"/events/<int:event_id>/steering-pack.<{FORMATS}:fmt>")
@facilitator_required
def steering_pack(event_id: int, fmt: str) -> Response | tuple[str, int]:
    """The steering pack from the console."""
    event = event_or_404(event_id)
    try:
        return steering_download(event, fmt)
    except PdfUnavailable as error:
        log.warning("event %s: PDF unavailable: %s", event_id, error)
        return render_template("error.html", title="PDF not available", message=PDF_MISSING), 503


def _api_formats(view: Any) -> Any:
    """One rule per format, so that the description has one path per format, as they are called."""
    for fmt in MIMETYPES:
        view = api_bp.get(f"/events/<int:event_id>/steering-pack.{fmt}", defaults={"fmt": fmt})(view)
    return view


@_api_formats
@facilitator_api
@declare(
    ok={200: (Pack, "The steering pack (an attachment; HTML shown inline).")},
    errors=(401, 404, 503),
    tags=["steering"],
    files={fmt: media for fmt, media in MIMETYPES.items() if fmt != "json"},
)
def api_steering_pack(event: Event, fmt: str) -> Response | tuple[Response, int]:
    """The steering pack through the API (facilitator token)."""
    event_id = event.id
    try:
        return steering_download(event, fmt)
    except PdfUnavailable as error:
        log.warning("event %s: PDF unavailable: %s", event_id, error)
        return refuse(PDF_MISSING, 503)
