"""The facilitator's console: sign-in, events, imports, delegates, opening and closing votes."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import RequestLimit
from werkzeug.wrappers import Response as BaseResponse

from voting.audit import head as audit_head
from voting.domain.suggestions import MODELS
from voting.errors import Invalid, Refusal
from voting.exports import matrix_csv, matrix_xlsx
from voting.extensions import limiter
from voting.importers import (
    contracts_template_csv,
    contracts_template_xlsx,
    organisations_template_csv,
    organisations_template_xlsx,
)
from voting.models import Event
from voting.models.base import utcnow
from voting.services import auth, contracts, delegates, events, imports
from voting.services.screens import console_state
from voting.services.snapshots import event_matrix
from voting.web import rate_limits
from voting.web.common import event_or_404, facilitator_required, public_url, qr_svg

log = logging.getLogger(__name__)
bp = Blueprint("facilitator", __name__)


@bp.context_processor
def _catalogue() -> dict[str, object]:
    return {"collab_models": MODELS}


TEMPLATES = {
    ("organisations", "csv"): organisations_template_csv,
    ("organisations", "xlsx"): organisations_template_xlsx,
    ("contracts", "csv"): contracts_template_csv,
    ("contracts", "xlsx"): contracts_template_xlsx,
}
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def too_many_wrong_passwords(limit: RequestLimit) -> Response:
    """The answer past SIGN_IN_LIMIT wrong passwords from one address, until the wait is over."""
    minutes = rate_limits.minutes_to_wait(limit)
    error = f"Too many wrong passwords. Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    return rate_limits.answer(render_template("facilitator/login.html", error=error))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    rate_limits.sign_in_limit,  # per address (the limiter's default key), as the only such limit
    methods=["POST"],
    deduct_when=rate_limits.wrong_password,
    on_breach=too_many_wrong_passwords,
)
def login() -> str | BaseResponse:
    """Sign in with the facilitator password set by `voting set-password`."""
    error = None
    if request.method == "POST":
        if auth.check_password(request.form.get("password", "")):
            rate_limits.forget_this_request()  # earlier wrong passwords from here no longer count
            session.clear()  # a fresh session: nothing from before sign-in carries over
            session["facilitator"] = True
            # The sign-in's record (services.auth): checked on every request and every screen's
            # connection, so signing out or a password change ends it for every copy of the cookie.
            session["facilitator_session"] = auth.start_session()
            target = request.args.get("next", "")
            return redirect(
                target if target.startswith("/") and not target.startswith("//") else url_for(".home")
            )
        error = (
            "That password is not right."
            if auth.password_is_set()
            else ("No facilitator password has been set yet. Run `voting set-password` on the server.")
        )
        log.info("failed facilitator sign-in")
    return render_template("facilitator/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout() -> BaseResponse:
    """Sign out of the console, and close this sign-in's live screens."""
    signed_in = session.get("facilitator_session")
    session.clear()
    auth.end_session(signed_in)
    return redirect(url_for(".login"))


@bp.get("/")
@facilitator_required
def home() -> str:
    """Every event, and a form to create one."""
    return render_template("facilitator/home.html", events=events.list_events())


@bp.post("/events")
@facilitator_required
def create_event() -> BaseResponse:
    """Create an event and go to its console."""
    try:
        event = events.create_event(request.form.get("name", ""))
    except Refusal as error:
        flash(error.message, "error")
        return redirect(url_for(".home"))
    return redirect(url_for(".console", event_id=event.id))


@bp.get("/events/<int:event_id>")
@facilitator_required
def console(event_id: int) -> str:
    """The console: imports, delegates, voting controls and live turnout."""
    return _console_page(event_or_404(event_id))


def _console_page(event: Event, problems: dict[str, object] | None = None) -> str:
    return render_template(
        "facilitator/console.html",
        event=event,
        state=console_state(event),
        delegates=delegates.list_delegates(event.id),
        join_url=public_url("delegate.join", code=event.join_code),
        problems=problems,
    )


@bp.post("/events/<int:event_id>/import/<kind>")
@facilitator_required
def import_file(event_id: int, kind: str) -> str | BaseResponse:
    """Upload an organisations or contracts file (CSV or XLSX); all or nothing."""
    event = event_or_404(event_id)
    upload = request.files.get("file")
    if kind not in ("organisations", "contracts"):
        return redirect(url_for(".console", event_id=event.id))
    if upload is None or not upload.filename:
        flash("Choose a file to upload.", "error")
        return redirect(url_for(".console", event_id=event.id))
    data = upload.read()
    runner = imports.import_organisations if kind == "organisations" else imports.import_contracts
    count, problems = runner(event, data)
    if problems:
        return _console_page(event, {"kind": kind, "filename": upload.filename, "items": problems}), 422
    flash(f"Imported {count} {kind} rows from {upload.filename}.", "success")
    return redirect(url_for(".console", event_id=event.id))


@bp.get("/templates/<kind>.<fmt>")
@facilitator_required
def download_template(kind: str, fmt: str) -> Response:
    """Blank import templates with the right header and example rows."""
    maker = TEMPLATES.get((kind, fmt))
    if maker is None:
        return Response("No such template.", 404)
    return _download(maker(), f"{kind}-template.{fmt}", CSV if fmt == "csv" else XLSX)


@bp.post("/events/<int:event_id>/delegates")
@facilitator_required
def add_delegate(event_id: int) -> str | BaseResponse:
    """Add a delegate and show their personal link once."""
    event = event_or_404(event_id)
    try:
        delegate, token = delegates.create_delegate(
            event, request.form.get("organisation", ""), request.form.get("name", "")
        )
    except Refusal as error:
        flash(error.message, "error")
        return redirect(url_for(".console", event_id=event.id, _anchor="delegates"))
    link = public_url("delegate.personal_link", token=token)
    return render_template(
        "facilitator/link.html", event=event, delegate=delegate, link=link, qr=qr_svg(link)
    )


@bp.post("/events/<int:event_id>/delegates/<int:delegate_id>/<action>")
@facilitator_required
def delegate_action(event_id: int, delegate_id: int, action: str) -> BaseResponse:
    """Admit or remove one delegate."""
    event = event_or_404(event_id)
    delegate = delegates.event_delegate(event.id, delegate_id)
    if delegate is None or action not in ("admit", "revoke"):
        flash("That delegate is not part of this event.", "error")
        return redirect(url_for(".console", event_id=event.id))
    try:
        if action == "admit":
            delegates.admit(delegate)
            flash(f"{delegate.name} admitted.", "success")
        else:
            flash(delegates.revoke(delegate), "success")
    except Refusal as error:
        flash(error.message, "error")
    return redirect(url_for(".console", event_id=event.id, _anchor="delegates"))


@bp.post("/events/<int:event_id>/delegates/turn-away-waiting")
@facilitator_required
def turn_away_waiting(event_id: int) -> BaseResponse:
    """Turn away everyone on the waiting list the console showed, once the number is confirmed."""
    event = event_or_404(event_id)
    chosen = {int(x) for x in request.form.getlist("delegate") if x.isdigit()}
    if request.form.get("confirm") != str(len(chosen)):
        flash("Tick the box to confirm how many people to turn away.", "error")
        return redirect(url_for(".console", event_id=event.id, _anchor="delegates"))
    try:
        count = delegates.turn_away_waiting(event, chosen)
        flash(f"Turned away {count} {'person' if count == 1 else 'people'} who were waiting.", "success")
    except Refusal as error:
        flash(error.message, "error")
    return redirect(url_for(".console", event_id=event.id, _anchor="delegates"))


@bp.post("/events/<int:event_id>/qr-sheet")
@facilitator_required
def qr_sheet(event_id: int) -> str:
    """A printable A4 sheet of personal QR codes; printing issues fresh links (only hashes are kept)."""
    event = event_or_404(event_id)
    chosen = {int(x) for x in request.form.getlist("delegate") if x.isdigit()}
    cards = []
    for delegate, token in delegates.reissue_links(event, chosen or None):
        link = public_url("delegate.personal_link", token=token)
        cards.append({"delegate": delegate, "link": link, "qr": qr_svg(link)})
    return render_template("facilitator/qr_sheet.html", event=event, cards=cards)


@bp.post("/events/<int:event_id>/voting")
@facilitator_required
def voting_control(event_id: int) -> BaseResponse:
    """Open or close voting on the chosen contracts, or on all of them."""
    event = event_or_404(event_id)
    action = request.form.get("action", "")
    codes = None if request.form.get("scope") == "all" else request.form.getlist("contract")
    try:
        if action == "open":
            done = contracts.open_contracts(event, codes)
        elif action == "close":
            done = contracts.close_contracts(event, codes)
        else:
            raise Invalid("Choose open or close.")
        verb = "opened" if action == "open" else "closed"
        flash(f"Voting {verb} on {', '.join(done) or 'no contracts (nothing to change)'}.", "success")
    except Refusal as error:
        flash(error.message, "error")
    return redirect(url_for(".console", event_id=event.id, _anchor="voting"))


@bp.post("/events/<int:event_id>/resolve")
@facilitator_required
def resolve(event_id: int) -> BaseResponse:
    """Settle a CCG's split with one of its tied levels."""
    event = event_or_404(event_id)
    form = request.form
    try:
        contracts.resolve_split(
            event, form.get("contract", ""), form.get("organisation", ""), form.get("level")
        )
        flash("Split resolved.", "success")
    except Refusal as error:
        flash(error.message, "error")
    return redirect(url_for(".console", event_id=event.id, _anchor="splits"))


@bp.get("/events/<int:event_id>/matrix.<fmt>")
@facilitator_required
def export_matrix(event_id: int, fmt: str) -> Response:
    """Download the matrix in the Annex 2 layout."""
    event = event_or_404(event_id)
    return matrix_download(event, fmt)


def matrix_download(event: Event, fmt: str) -> Response:
    """The matrix as a CSV or XLSX attachment (shared with the API)."""
    matrix, _positions, _votes = event_matrix(event)
    provenance = [
        ("Event", event.name),
        ("Exported (UTC)", utcnow().isoformat(timespec="seconds") + "Z"),
        ("Audit chain head", audit_head(event.id)),
    ]
    if fmt == "csv":
        return _download(matrix_csv(matrix, provenance), "matrix.csv", CSV)
    if fmt == "xlsx":
        return _download(matrix_xlsx(matrix, event.name, provenance), "matrix.xlsx", XLSX)
    return Response("Choose csv or xlsx.", 404)


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/events/<int:event_id>/console/<any(pending, splits, polls, stage3, stage4, interests):part>")
@facilitator_required
def console_part(event_id: int, part: str) -> str:
    """One live part of the console, re-fetched by the page when its contents change."""
    event = event_or_404(event_id)
    return render_template(f"facilitator/_{part}.html", event=event, state=console_state(event))
