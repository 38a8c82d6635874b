"""The activity explorer (technical appendix 1): upload, the two views as pages, CSV and JSON."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from voting.domain.activity import (
    DEFAULT_CCG_TOP,
    DEFAULT_PROVIDER_TOP,
    DEFAULT_THRESHOLDS,
    ActivityView,
    Relationship,
    Thresholds,
    ccgs,
    ccgs_for_provider,
    classify_provider,
    providers,
    providers_for_ccg,
)
from voting.errors import Refusal
from voting.exports import escape_cell
from voting.extensions import csrf
from voting.importers.activity import COLUMNS
from voting.models import Event
from voting.services import activity
from voting.web.api import IMPORT_BODY, facilitator_api
from voting.web.common import event_or_404, facilitator_required
from voting.web.declared import declare
from voting.web.schemas import Grouping, Imported, ImportErrors
from voting.web.schemas_reads import ActivityView as ActivityViewModel
from voting.web.schemas_reads import TopQuery

bp = Blueprint("activity", __name__)

MAX_TOP = 1000
CSV = "text/csv; charset=utf-8"
SIDES = {"ccgs": "ccg", "providers": "provider"}


def _top(raw: str | None, default: int) -> int:
    """The number of rows before Other; a 400 with a sentence when it is not 1..MAX_TOP."""
    if raw is None or raw == "":
        return default
    # ASCII digits, and few of them: "²".isdigit() is true but int() refuses it, and int() refuses
    # more than 4300 digits.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not 1 <= int(raw) <= MAX_TOP:
        abort(400, description=f"'top' must be a whole number from 1 to {MAX_TOP}, for example top=5.")
    return int(raw)


def _view(event: Event, side: str, code: str, top: int) -> ActivityView:
    """One view of the event's activity, or a 404 with a sentence."""
    found = (activity.ccg_view if side == "ccgs" else activity.provider_view)(event.id, code, top)
    if found is None:
        what = "CCG" if side == "ccgs" else "provider"
        abort(404, description=f"There is no {what} '{code}' in this event's activity data.")
    return found


def view_csv(view: ActivityView) -> bytes:
    """The view's header and rows as UTF-8-with-BOM CSV, every cell guarded against formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([escape_cell(cell) for cell in row] for row in view.table())
    return buffer.getvalue().encode("utf-8-sig")


def view_json(view: ActivityView) -> dict[str, Any]:
    """The view with raw counts and exact shares (fractions of 1, null where there is no total)."""
    counterpart = "share_of_provider_total" if view.kind == "ccg" else "share_of_ccg_total"

    def number(value: Any) -> float | None:
        return None if value is None else float(value)

    rows = [
        {
            "kind": row.kind,
            "code": row.code,
            "name": row.name,
            "admissions": row.counts.admissions,
            "elective_admissions": row.counts.elective_admissions,
            "outpatients": row.counts.outpatients,
            "first_outpatients": row.counts.first_outpatients,
            "admissions_share": number(row.admissions_share),
            "outpatients_share": number(row.outpatients_share),
            counterpart: number(row.counterpart_share),
            "cells": row.cells(),
        }
        for row in view.rows
    ]
    return {
        "title": view.title,
        view.kind: {"code": view.code, "name": view.name},
        "top": view.top,
        "headers": list(view.headers),
        "rows": rows,
    }


def relationship_json(relationship: Relationship, settings: Thresholds) -> dict[str, Any]:
    """The provider's relationship with the CCGs in it and the settings that decided it."""

    def listed(pairs: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
        return [{"code": code, "name": name} for code, name in pairs]

    return {
        "kind": relationship.kind,
        "reason": relationship.reason,
        "ccgs": listed(relationship.ccgs),
        "small": listed(relationship.small),
        "settings": settings.described(),
    }


def _csv_download(view: ActivityView) -> Response:
    prefix = "main-providers-for-ccg" if view.kind == "ccg" else "main-ccgs-for-provider"
    filename = f"{prefix}-{re.sub(r'[^A-Za-z0-9_-]', '_', view.code)}.csv"
    response = Response(view_csv(view), mimetype=CSV)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _default_top(side: str) -> int:
    return DEFAULT_CCG_TOP if side == "ccgs" else DEFAULT_PROVIDER_TOP


# --- pages (signed-in facilitator) ------------------------------------------------------------------


@bp.get("/events/<int:event_id>/activity")
@facilitator_required
def explorer(event_id: int) -> str:
    """Upload the activity file and pick a CCG or a provider to see the framework's two tables."""
    return _explorer_page(event_or_404(event_id))


def _explorer_page(event: Event, problems: dict[str, object] | None = None) -> str:
    flows = activity.event_flows(event.id)
    args = request.args
    ccg_top = _top(args.get("ccg_top"), DEFAULT_CCG_TOP)
    provider_top = _top(args.get("provider_top"), DEFAULT_PROVIDER_TOP)
    ccg_code, provider_code = args.get("ccg", ""), args.get("provider", "")
    missing = []
    ccg_view = providers_for_ccg(flows, ccg_code, ccg_top) if ccg_code else None
    if ccg_code and ccg_view is None:
        missing.append(f"There is no CCG '{ccg_code}' in this event's activity data.")
    provider_view = ccgs_for_provider(flows, provider_code, provider_top) if provider_code else None
    if provider_code and provider_view is None:
        missing.append(f"There is no provider '{provider_code}' in this event's activity data.")
    relationship = classify_provider(flows, provider_code) if provider_view else None
    return render_template(
        "activity/explorer.html",
        event=event,
        header=",".join(COLUMNS),
        row_count=len(flows),
        ccgs=ccgs(flows),
        providers=providers(flows),
        selected={
            "ccg": ccg_code,
            "provider": provider_code,
            "ccg_top": ccg_top,
            "provider_top": provider_top,
        },
        views=[view for view in (ccg_view, provider_view) if view is not None],
        missing=missing,
        relationship=relationship,
        settings=DEFAULT_THRESHOLDS.described(),
        problems=problems,
    )


@bp.post("/events/<int:event_id>/activity")
@facilitator_required
def upload(event_id: int) -> str | BaseResponse | tuple[str, int]:
    """Replace the event's activity from a CSV or XLSX file; all or nothing."""
    event = event_or_404(event_id)
    file = request.files.get("file")
    if file is None or not file.filename:
        flash("Choose a file to upload.", "error")
        return redirect(url_for(".explorer", event_id=event.id))
    count, problems = activity.import_activity(event, file.read())
    if problems:
        return _explorer_page(event, {"filename": file.filename, "items": problems}), 422
    flash(f"Imported {count} activity rows from {file.filename}.", "success")
    return redirect(url_for(".explorer", event_id=event.id))


@bp.get("/events/<int:event_id>/activity/<any(ccgs, providers):side>/<code>.csv")
@facilitator_required
def page_csv(event_id: int, side: str, code: str) -> Response:
    """The same CSV as the API, for the signed-in facilitator."""
    event = event_or_404(event_id)
    return _csv_download(_view(event, side, code, _top(request.args.get("top"), _default_top(side))))


# --- API v1 (facilitator API token) -----------------------------------------------------------------


@bp.put("/api/v1/events/<int:event_id>/activity")
@csrf.exempt
@facilitator_api
@declare(
    ok={
        200: (Imported, "Everything imported (all or nothing)."),
        422: (ImportErrors, "Every problem in the file; nothing was changed."),
    },
    errors=(401, 404, 413),
    tags=["activity"],
    request_body=IMPORT_BODY,
)
def api_import(event: Event) -> tuple[Response, int]:
    """Replace the event's activity (technical appendix 1) from a file (CSV or XLSX); all or nothing."""
    count, problems = activity.import_activity(event, request.get_data())
    if problems:
        return jsonify(errors=[problem.to_dict() for problem in problems]), 422
    return jsonify(imported=count), 200


# One rule per side and format, so that the description has one path for each, as they are called.
@bp.get("/api/v1/events/<int:event_id>/activity/ccgs/<code>.csv", defaults={"side": "ccgs", "fmt": "csv"})
@bp.get("/api/v1/events/<int:event_id>/activity/ccgs/<code>.json", defaults={"side": "ccgs", "fmt": "json"})
@bp.get(
    "/api/v1/events/<int:event_id>/activity/providers/<code>.csv",
    defaults={"side": "providers", "fmt": "csv"},
)
@bp.get(
    "/api/v1/events/<int:event_id>/activity/providers/<code>.json",
    defaults={"side": "providers", "fmt": "json"},
)
@facilitator_api
@declare(
    query=TopQuery,
    ok={200: (ActivityViewModel, "The view (CSV: as the framework prints it, UTF-8 with a BOM).")},
    errors=(400, 401, 404),
    tags=["activity"],
    files={"csv": "text/csv"},
)
def api_view(event: Event, side: str, code: str, fmt: str) -> Response:
    """Main providers for a CCG, or main commissioning CCGs for a provider, as CSV or JSON."""
    view = _view(event, side, code, _top(request.args.get("top"), _default_top(side)))
    if fmt == "csv":
        return _csv_download(view)
    body = view_json(view)
    relationship = activity.provider_relationship(event.id, code) if side == "providers" else None
    if relationship is not None:
        body["relationship"] = relationship_json(relationship, DEFAULT_THRESHOLDS)
    return jsonify(body)


@csrf.exempt
@bp.post("/api/v1/events/<int:event_id>/activity/providers/<code>/grouping")
@facilitator_api
@declare(
    ok={201: (Grouping, "Created; import its values before voting.")},
    errors=(401, 404, 409, 422),
    tags=["activity"],
)
def api_grouping(event: Event, code: str) -> tuple[Response, int]:
    """A new contract held by the event's CCGs that commission from this provider.

    404 for a provider with no admissions in the activity data; 409 when the grouping exists
    already; 422 when none of its CCGs is an organisation of the event."""
    contract, added, missing = activity.create_grouping_from_provider(event, code)
    return jsonify(contract=contract, organisations=added, not_in_event=missing), 201


@bp.post("/events/<int:event_id>/activity/providers/<code>/grouping")
@facilitator_required
def page_grouping(event_id: int, code: str) -> BaseResponse:
    """The same, from the explorer page."""
    event = event_or_404(event_id)
    try:
        contract, added, missing = activity.create_grouping_from_provider(event, code)
        skipped = f" Not in this event, so left out: {', '.join(missing)}." if missing else ""
        flash(
            f"Contract {contract} created, held by {', '.join(added)}. Import its values before voting.{skipped}",
            "success",
        )
    except Refusal as error:
        flash(error.message, "error")
    return redirect(url_for("activity.explorer", event_id=event.id, provider=code))
