"""The OpenAPI description at /api/v1/openapi.json is served without a token and matches the app:
every /api/v1 route and method is described, nothing else is, path parameters are declared as the
routes take them, and the security it declares is what the routes enforce."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import schemathesis
from flask import Flask
from flask.testing import FlaskClient

from voting.web.declared import document as spec

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")
METHODS = {"get", "put", "post", "patch", "delete"}


def expand(rule: str) -> list[tuple[str, dict[str, str]]]:
    """A Flask rule as OpenAPI paths: any(a, b) becomes one path per choice, other converters {name}.
    Returns (path, {parameter: converter}) pairs."""
    match = PLACEHOLDER.search(rule)
    if match is None:
        return [(rule, {})]
    before, after = rule[: match.start()], rule[match.end() :]
    converter, name = match["converter"] or "default", match["name"]
    if converter == "any":
        choices = [choice.strip().strip("'\"") for choice in match["args"].split(",")]
        return [(before + choice + path, params) for choice in choices for path, params in expand(after)]
    return [(before + "{" + name + "}" + path, {name: converter, **params}) for path, params in expand(after)]


def app_operations(app: Flask) -> dict[tuple[str, str], dict[str, str]]:
    found: dict[tuple[str, str], dict[str, str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        for path, params in expand(rule.rule):
            for method in rule.methods or ():
                if method.lower() in METHODS:
                    found[(method.lower(), path)] = params
    return found


def described_operations() -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, item in spec()["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def test_served_without_a_token_as_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["openapi"] == "3.1.0"
    assert body == spec()


def test_it_is_a_valid_openapi_3_1_description(client: FlaskClient) -> None:
    loaded = schemathesis.openapi.from_dict(client.get("/api/v1/openapi.json").get_json())
    loaded.validate()  # against the OpenAPI 3.1 schema
    operations = [result.ok() for result in loaded.get_all_operations()]  # ok() raises on a broken one
    assert len(operations) == len(described_operations())


def test_every_route_is_described_and_nothing_else(app: Flask) -> None:
    routes, described = app_operations(app), described_operations()
    assert sorted(set(routes) - set(described)) == [], "routes missing from the description"
    assert sorted(set(described) - set(routes)) == [], "described operations with no route"


def test_path_parameters_are_declared_as_the_routes_take_them(app: Flask) -> None:
    for (method, path), converters in app_operations(app).items():
        operation = spec()["paths"][path][method]
        declared = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "path"}
        assert set(declared) == set(converters), (method, path)
        for name, converter in converters.items():
            assert declared[name]["required"] is True
            expected = "integer" if converter == "int" else "string"
            assert declared[name]["schema"]["type"] == expected, (method, path, name)


def test_declared_security_is_what_the_routes_enforce(
    client: FlaskClient, api_headers: dict[str, str], make_event: Any, make_delegate: Any
) -> None:
    """No token, or the other kind of token: 401 wherever a token is declared; the rest answer."""
    event = make_event()["id"]
    delegate = make_delegate(event, "00Q")["token"]
    for (method, path), operation in described_operations().items():
        url = re.sub(r"\{[^}]+\}", lambda m: str(event) if m[0] in ("{event_id}", "{poll_id}") else "1", path)
        security = operation.get("security", spec()["security"])
        schemes = {name for requirement in security for name in requirement}
        wrong = {"delegateToken": api_headers, "facilitatorToken": {"Authorization": f"Bearer {delegate}"}}
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, *(wrong[s] for s in schemes)):
            status = client.open(url, method=method.upper(), headers=headers, json={}).status_code
            if schemes:
                assert status == 401, (method, path, headers, status)
                assert "401" in operation["responses"], (method, path)
            else:
                assert status == 200, (method, path, status)


def test_errors_are_described_as_json_sentences() -> None:
    for (method, path), operation in described_operations().items():
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                if "$ref" in response:
                    response = spec()["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
                schema = response["content"]["application/json"]["schema"]
                name = schema["$ref"].rsplit("/", 1)[1]
                required = spec()["components"]["schemas"][name]["required"]
                assert "error" in required or "errors" in required, (method, path, status)


def test_the_api_docs_point_at_it() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert "The OpenAPI description is at /api/v1/openapi.json" in text.split("\n## ", 1)[0]
