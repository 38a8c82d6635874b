"""The NHS.UK frontend: pinned pair of versions, macros autoescaped, assets served locally, no NHS
logo unless the organiser's own, nothing loaded from another host."""

from __future__ import annotations

import io
import json
import re
import tomllib
from pathlib import Path
from typing import Any

from flask import Flask, render_template_string
from flask.testing import FlaskClient

from tests.conftest import ORGANISATIONS_CSV
from tests.helpers import csrf_token

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor" / "nhsuk"
SCRIPT = "<script>alert('owned')</script>"
# nhsuk-frontend-jinja's compatibility table: each release ports exactly one frontend release.
MATCHING_JINJA = {"10.6.1": "0.10.2"}


def test_the_frontend_and_its_jinja_port_are_pinned_as_a_matching_pair() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    frontend = package["dependencies"]["nhsuk-frontend"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    jinja = [d.split("==")[1] for d in project["dependencies"] if d.startswith("nhsuk-frontend-jinja==")]
    assert jinja == [MATCHING_JINJA[frontend]]
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/nhsuk-frontend"]["version"] == frontend
    assert f"nhsuk-frontend {frontend}" in (VENDOR / "LICENSE").read_text()


def test_the_vendored_css_loads_nothing_from_another_host() -> None:
    css = (VENDOR / "nhsuk-frontend.min.css").read_text()
    assert "@font-face" not in css, "the NHS font would be fetched from assets.nhs.uk"
    urls = re.findall(r"url\(([^)]*)\)", css)
    assert urls and all(url.strip("\"'").startswith("/assets/") for url in urls), urls
    assert "font-family:arial,sans-serif" in css
    for url in urls:
        assert (VENDOR / "assets" / url.strip("\"'").removeprefix("/assets/")).is_file(), url
    logos = [p.name for p in (VENDOR / "assets").rglob("*") if "favicon" in p.name or p.suffix == ".png"]
    assert not logos, f"NHS logo files vendored: {logos}"  # the logo needs permission


def test_the_vendored_javascript_is_an_es_module() -> None:
    script = (VENDOR / "nhsuk-frontend.min.js").read_text()
    assert re.search(r"export\s*\{[^}]*\binitAll\b", script)
    assert 'from "../vendor/nhsuk/nhsuk-frontend.min.js"' in (ROOT / "static" / "js" / "nhsuk.js").read_text()


def test_assets_are_served_at_assets_under_the_same_csp(client: FlaskClient) -> None:
    with client.get("/assets/images/nhsuk-icon-cross.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert "script-src 'self'; style-src 'self'" in icon.headers["Content-Security-Policy"]
    with client.get("/static/vendor/nhsuk/nhsuk-frontend.min.css") as css:
        assert css.status_code == 200 and css.mimetype == "text/css"
    page = client.get("/login").get_data(as_text=True)
    assert '<script type="module" src="/static/js/nhsuk.js"></script>' in page
    assert 'href="/static/vendor/nhsuk/nhsuk-frontend.min.css"' in page


def test_the_nhs_macro_files_are_autoescaped(app: Flask) -> None:
    assert app.jinja_env.autoescape("nhsuk/components/tag/template.jinja") is True
    with app.test_request_context():
        html = render_template_string(
            '{% from "nhsuk/components/error-summary/macro.jinja" import errorSummary %}'
            '{% from "nhsuk/components/tag/macro.jinja" import tag %}'
            '{{ errorSummary({"heading": text, "errorList": [{"text": text, "href": "#x"}]}) }}{{ tag({"text": text}) }}',
            text=SCRIPT,
        )
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;") == 3


def test_user_text_inside_a_macro_on_a_real_page_is_escaped(facilitator: FlaskClient) -> None:
    """An uploaded file's name reaches the NHS error summary and error message macros."""
    created = facilitator.post("/events", data={"name": SCRIPT, "csrf_token": csrf_token(facilitator, "/")})
    console = created.headers["Location"]
    page = facilitator.post(
        f"{console}/import/organisations",
        data={
            "file": (io.BytesIO(b"code,name\n,\n"), f"{SCRIPT}.csv"),
            "csrf_token": csrf_token(facilitator, console),
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "There is a problem with &lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;.csv" in page
    assert SCRIPT not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # every script is a file


def test_the_header_names_the_service_and_never_shows_the_nhs_logo(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'class="nhsuk-header__service-name"[^>]*>\s*Collaborative commissioning vote', page)
    assert "nhsuk-header__logo" not in page and "<svg" not in page
    assert 'aria-label="Collaborative commissioning vote homepage"' in page
    assert 'aria-label="NHS' not in page
    assert 'rel="icon" href="data:,"' in page  # not the NHS favicon either


def make_app(tmp_path: Path, **config: Any) -> Flask:
    from voting import create_app

    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'logo.sqlite3'}",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "TESTING": True,
        "SOCKETIO_ASYNC_MODE": "threading",
    }
    return create_app({**settings, **config})


def test_an_organisers_logo_from_the_instance_folder(tmp_path: Path) -> None:
    app = make_app(tmp_path, ORGANISER_LOGO_URL="logo.png", ORGANISER_LOGO_ALT="North East CSU")
    (Path(app.instance_path) / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    try:
        client = app.test_client()
        page = client.get("/join").get_data(as_text=True)
        assert '<img class="nhsuk-header__organisation-logo" src="/organiser-logo"' in page
        assert 'alt="North East CSU"' in page and "<svg" not in page
        with client.get("/organiser-logo") as logo:
            assert logo.status_code == 200 and logo.data.startswith(b"\x89PNG")
    finally:
        app.extensions["voting_publisher"].stop()


def test_a_logo_on_another_host_is_never_loaded(tmp_path: Path) -> None:
    app = make_app(tmp_path, ORGANISER_LOGO_URL="https://example.org/logo.png")
    try:
        client = app.test_client()
        page = client.get("/join").get_data(as_text=True)
        assert "example.org" not in page and "<img" not in page
        assert client.get("/organiser-logo").status_code == 404
    finally:
        app.extensions["voting_publisher"].stop()


def test_a_missing_logo_file_is_left_out(tmp_path: Path) -> None:
    app = make_app(tmp_path, ORGANISER_LOGO_URL="missing.png")
    try:
        client = app.test_client()
        assert "<img" not in client.get("/join").get_data(as_text=True)
        assert client.get("/organiser-logo").status_code == 404
    finally:
        app.extensions["voting_publisher"].stop()


def test_a_logo_under_static_is_used_as_it_is(tmp_path: Path) -> None:
    app = make_app(tmp_path, ORGANISER_LOGO_URL="/static/img/organiser.png")
    try:
        page = app.test_client().get("/join").get_data(as_text=True)
        assert 'src="/static/img/organiser.png"' in page
    finally:
        app.extensions["voting_publisher"].stop()


def test_flashed_messages_use_the_nhs_banner_and_error_summary(facilitator: FlaskClient) -> None:
    console = facilitator.post("/events", data={"name": "Event", "csrf_token": csrf_token(facilitator, "/")})
    path = console.headers["Location"]
    done = facilitator.post(
        f"{path}/import/organisations",
        data={
            "file": (io.BytesIO(ORGANISATIONS_CSV), "orgs.csv"),
            "csrf_token": csrf_token(facilitator, path),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert (
        "nhsuk-notification-banner--success" in done
        and "Imported 3 organisations rows from orgs.csv." in done
    )
    refused = facilitator.post(
        f"{path}/import/contracts", data={"csrf_token": csrf_token(facilitator, path)}, follow_redirects=True
    ).get_data(as_text=True)
    assert 'class="nhsuk-error-summary flash error"' in refused and "Choose a file to upload." in refused
