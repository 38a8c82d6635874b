"""The NHS.UK frontend: its Jinja macros (autoescaped), its assets at /assets, and the header logo.

The CSS, the JavaScript (an ES module) and the icons are vendored into static/vendor/nhsuk by
scripts/vendor-assets; nothing is fetched from another host at run time. The macros come from the
`nhsuk-frontend-jinja` package, pinned to the release that matches the vendored frontend.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from jinja2 import ChainableUndefined, ChoiceLoader, PackageLoader, select_autoescape
from markupsafe import Markup

ASSETS = Path(__file__).resolve().parents[1] / "static" / "vendor" / "nhsuk" / "assets"  # voting/static
SERVICE_NAME = "Collaborative commissioning vote"

# The CSS refers to its icons as /assets/images/...; serve the vendored copies there.
bp = Blueprint("nhsuk_assets", __name__, static_folder=str(ASSETS), static_url_path="/assets")

_NHS_LOGO = re.compile(r'<svg class="nhsuk-header__logo".*?</svg>\s*', re.DOTALL)


def configure_jinja(app: Flask) -> None:
    """Find the NHS macros after the app's own templates, and escape in .jinja files too.

    Must run before the first template is rendered (Flask builds its Jinja environment once).
    The macros expect ChainableUndefined: `params.hint.text` with no hint must render nothing.
    """
    app.jinja_options = {
        **app.jinja_options,
        "loader": ChoiceLoader([app.create_global_jinja_loader(), PackageLoader("nhsuk_frontend_jinja")]),
        "undefined": ChainableUndefined,
        # Flask only escapes .html/.htm/.xml/.xhtml/.svg by default; the macro files are .jinja.
        "autoescape": select_autoescape(
            enabled_extensions=("html", "htm", "xml", "xhtml", "svg", "jinja"), default_for_string=True
        ),
    }
    app.jinja_env.filters["without_nhs_logo"] = without_nhs_logo
    app.context_processor(_frontend_context)


def without_nhs_logo(html: str) -> Markup:
    """The header macro always draws the NHS logo unless given an image; the logo needs permission."""
    return Markup(_NHS_LOGO.sub("", str(html)))  # noqa: S704  (only removes markup from a macro's output)


def organiser_logo_url() -> str | None:
    """Where the organiser's own logo is served, if ORGANISER_LOGO_URL names one on this server.

    "/static/..." is served as it is; a bare file name is a file in the instance folder, served at
    /organiser-logo. Anything on another host is ignored: no page may load from another host.
    """
    value = (current_app.config.get("ORGANISER_LOGO_URL") or "").strip()
    if not value or "//" in value or ":" in value:
        return None
    if value.startswith("/static/"):
        return value
    if not _instance_logo(value):
        return None  # a missing file would only show as a broken image
    return url_for("nhsuk_assets.organiser_logo")


def _instance_logo(name: str) -> Path | None:
    """The logo file in the instance folder, for a plain file name (no paths, nothing outside)."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = Path(current_app.instance_path) / name
    return path if path.is_file() else None


@bp.get("/organiser-logo")
def organiser_logo() -> ResponseReturnValue:
    """The organiser's logo from the instance folder (ORGANISER_LOGO_URL is a file name there)."""
    name = (current_app.config.get("ORGANISER_LOGO_URL") or "").strip()
    if _instance_logo(name) is None:
        abort(404)
    return send_from_directory(current_app.instance_path, name, max_age=3600)


def _frontend_context() -> dict[str, Any]:
    src = organiser_logo_url()
    logo = None
    if src:
        alt = current_app.config.get("ORGANISER_LOGO_ALT") or "Organiser's logo"
        logo = {"src": src, "alt": alt, "ariaLabel": f"{alt}: {SERVICE_NAME} homepage"}
    return {"service_name": SERVICE_NAME, "organiser_logo": logo}
