"""One blueprint per audience: facilitator console, delegate phones, projector, public API."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, InterfaceError, InternalError, OperationalError
from werkzeug.exceptions import HTTPException

from voting.errors import Closed, Conflict, Invalid, NotAllowed, NotFound, Refusal, Unauthorised, Unavailable
from voting.extensions import csrf
from voting.web.text_guard import refuse_unstorable_text

NOT_STORED = "Some of the text or numbers sent cannot be stored. Shorten or correct them and try again."
# What each typed refusal becomes in an HTTP answer: decided here once, for pages and the API alike.
HTTP_STATUS: dict[type[Refusal], int] = {
    Invalid: 422,
    NotFound: 404,
    Closed: 423,
    Conflict: 409,
    NotAllowed: 403,
    Unauthorised: 401,
    Unavailable: 503,
}
TITLES: dict[type[Refusal], str] = {
    Invalid: "Not done",
    NotFound: "Not found",
    Closed: "Not open",
    Conflict: "Not done",
    NotAllowed: "Not allowed",
    Unauthorised: "Link not valid",
    Unavailable: "Please try again",
}
UNAVAILABLE = "The service could not save or read that just now. Please try again in a moment."

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint, the security headers and the error pages."""
    from voting.web import (  # noqa: F401  (add routes)
        api_pipeline,
        api_stages,
        delegate_stages,
        facilitator_stages,
        steering,  # the steering pack routes, on the console and API blueprints
    )
    from voting.web.activity import bp as activity_bp
    from voting.web.api import bp as api_bp
    from voting.web.delegate import bp as delegate_bp
    from voting.web.facilitator import bp as facilitator_bp
    from voting.web.frontend import bp as frontend_bp
    from voting.web.health import bp as health_bp
    from voting.web.projector import bp as projector_bp

    csrf.exempt(api_bp)  # bearer tokens, or a cookie plus an X-CSRFToken header checked in the view
    for blueprint in (facilitator_bp, delegate_bp, projector_bp, api_bp, health_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(activity_bp)
    app.register_blueprint(frontend_bp)  # /assets: the NHS frontend's icons
    app.before_request(refuse_unstorable_text)
    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Refusal, _refused)
    # The database's own refusals, should anything get past the checks before it: never a 500.
    app.register_error_handler(DataError, _data_refused)
    for failure in (OperationalError, InterfaceError, InternalError):
        app.register_error_handler(failure, _database_unavailable)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"  # personal links must never leak onward
    response.headers["X-Frame-Options"] = "DENY"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    message = "This form has expired. Go back, reload the page and try again."
    return render_template("error.html", title="Form expired", message=message), 400


def _http_error(error: HTTPException) -> Response | tuple[object, int]:
    message = error.description or error.name
    if error.code == 413:
        limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
        message = f"The upload is too large: the limit is {limit} MB. Nothing was imported."
    if _wants_json():
        return jsonify(error=message), error.code or 500
    return render_template("error.html", title=error.name, message=message), error.code or 500


def _refusal(title: str, message: str, status: int) -> tuple[object, int]:
    if _wants_json():
        return jsonify(error=message), status
    return render_template("error.html", title=title, message=message), status


def http_status(refusal: Refusal) -> int:
    """The HTTP status of a typed refusal (its nearest listed type; 422 for an unlisted one)."""
    for kind in type(refusal).__mro__:
        if kind in HTTP_STATUS:
            return HTTP_STATUS[kind]
    return 422


def _refused(refusal: Refusal) -> tuple[object, int]:
    """A refusal a route let through: its sentence, as JSON under /api/ and as a page elsewhere."""
    kind = next((k for k in type(refusal).__mro__ if k in TITLES), Invalid)
    return _refusal(TITLES[kind], refusal.message, http_status(refusal))


def _data_refused(_error: DataError) -> tuple[object, int]:
    """A value the database cannot hold (too long for its column, out of range)."""
    return _refusal("Not saved", NOT_STORED, 422)


def _database_unavailable(_error: Exception) -> tuple[object, int]:
    """A cancelled query, a statement or lock timeout, a dropped connection: try again (phones do)."""
    return _refusal("Please try again", UNAVAILABLE, 503)
