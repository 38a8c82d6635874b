"""Typed refusals become HTTP answers in one place (voting/web: HTTP_STATUS and its error handler):
the same status and sentence for pages and the API, and no type left without a status."""

from __future__ import annotations

import inspect

import pytest
from flask import Flask

from voting import errors
from voting.errors import Closed, Conflict, Invalid, NotAllowed, NotFound, Refusal, Unauthorised, Unavailable
from voting.web import HTTP_STATUS, http_status

# The statuses every existing answer already had (tests across tests/web assert them).
EXPECTED = {
    Invalid: 422,
    NotFound: 404,
    Closed: 423,
    Conflict: 409,
    NotAllowed: 403,
    Unauthorised: 401,
    Unavailable: 503,
}


def test_every_refusal_type_has_one_status() -> None:
    kinds = {
        kind
        for _name, kind in inspect.getmembers(errors, inspect.isclass)
        if issubclass(kind, Refusal) and kind is not Refusal
    }
    assert kinds == set(EXPECTED)
    assert HTTP_STATUS == EXPECTED
    for kind, status in EXPECTED.items():
        assert http_status(kind("A sentence.")) == status


@pytest.fixture
def refusing_app(app: Flask) -> Flask:
    """The app with two routes that refuse with the type named in the path: one API, one page."""

    def refuse(kind: str) -> str:
        raise getattr(errors, kind)(f"Refused as {kind}.")

    app.add_url_rule("/api/v1/test-refusal/<kind>", "api_refusal", refuse)
    app.add_url_rule("/test-refusal/<kind>", "page_refusal", refuse)
    return app


@pytest.mark.parametrize("kind", sorted(k.__name__ for k in EXPECTED))
def test_a_refusal_is_answered_with_its_status_and_sentence(refusing_app: Flask, kind: str) -> None:
    status = EXPECTED[getattr(errors, kind)]
    client = refusing_app.test_client()
    api = client.get(f"/api/v1/test-refusal/{kind}")
    assert (api.status_code, api.get_json()) == (status, {"error": f"Refused as {kind}."})
    page = client.get(f"/test-refusal/{kind}")
    assert page.status_code == status and page.mimetype == "text/html"
    assert f"Refused as {kind}." in page.get_data(as_text=True)
