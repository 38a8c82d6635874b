"""API v1 routes declare their bodies once (pydantic models, voting/web/schemas.py); spectree validates
requests against them and generates the OpenAPI description served at /api/v1/openapi.json.

A route's decorators run outside in: its token check (401), then `declare` (400 for a body that is
not a JSON object, 422 with the field's sentence for one that does not fit), then the view.
What pydantic cannot say (file bodies and file answers) is given beside the route, as OpenAPI says it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from functools import cache, wraps
from typing import Any

from flask import Response, current_app, jsonify, request
from pydantic import BaseModel, RootModel, ValidationError
from spectree import Response as Responses
from spectree import SpecTree
from spectree.plugins.flask_plugin import FlaskPlugin

from voting.web.schemas import Body, Error

FACILITATOR = [{"facilitatorToken": []}]
STRING = {"type": "string"}
DELEGATE = [{"delegateToken": []}]
ERRORS = {
    400: "The body is not a JSON object (or not JSON at all).",
    401: "No valid token.",
    403: "The delegate was removed or is not admitted yet, or may not take this part.",
    404: "No such event, or no such thing in it.",
    409: "A conflict with what was already recorded.",
    413: "The body is larger than 5 MB. Nothing was changed.",
    422: "The request could not be carried out; the sentence says why.",
    423: "Voting (or answering) is not open.",
    429: "Too many votes too quickly; wait for Retry-After seconds.",
    503: "This server cannot do that just now (a PDF needs WeasyPrint and Pango); the sentence says what to do.",
}
SECURITY_SCHEMES = {
    "facilitatorToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "A facilitator API token (`voting api-token`).",
    },
    "delegateToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "A delegate's own token, from their personal link (the part after /j/).",
    },
}
INFO = {
    "title": "Collaborative commissioning voting: API v1",
    "version": "1",
    "description": "Live voting at CCG engagement events (Annex 2 method). JSON in and out unless "
    'stated; every error is {"error": "<a sentence>"}, import errors {"errors": [...]}. '
    "See docs/api.md.",
}


class DescribedResponses(FlaskPlugin):
    """Answers are described, not re-read on every request: the fuzz run (tests/fuzz) checks every
    answer against the description, and a vote's answer is not parsed a second time."""

    def validate_response(self, resp: Any, resp_model: Any, skip_validation: bool, force: bool) -> Any:
        return super().validate_response(resp, resp_model, True, force)


# strict: only routes declared here are collected; spectree's own pages are not registered.
api_spec = SpecTree(
    "flask",
    backend=DescribedResponses,
    mode="strict",
    annotations=True,
    validation_error_model=Error,
    naming_strategy=lambda model: model.__name__,  # the names the hand-described routes refer to
    nested_naming_strategy=lambda _parent, child: child,
)


class Document(RootModel[dict[str, Any]]):
    """An OpenAPI 3.1 description."""


def declare(
    *,
    json: type[Body] | None = None,
    ok: dict[int, tuple[type[BaseModel], str]],
    errors: Iterable[int] = (),
    security: list[dict[str, list[str]]] | None = None,
    tags: Iterable[str] = (),
    query: type[Body] | None = None,
    request_body: dict[str, Any] | None = None,
    files: dict[str, str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Validate the JSON body with `json` (the view gets it as its `json` argument) and the query
    string with `query`, and describe the route: `ok` answers, `errors` (statuses answered with an
    Error sentence), security and tags. What pydantic cannot say is given as OpenAPI says it:
    `request_body` for a body that is not JSON (a file), `files` for a route whose `fmt` answers a
    file ({fmt: media type}; the other formats answer `ok`'s model)."""
    answers: dict[str, Any] = {f"HTTP_{code}": found for code, found in ok.items()}
    answers.update({f"HTTP_{code}": (Error, ERRORS[code]) for code in errors})
    if json is not None:
        answers.setdefault("HTTP_400", (Error, ERRORS[400]))
        answers.setdefault("HTTP_422", (Error, ERRORS[422]))

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        validated = api_spec.validate(
            json=json,
            query=query,
            resp=Responses(**answers),
            security=security,
            tags=list(tags),
            before=_in_sentences(json or query) if (json or query) is not None else _nothing,
        )(view)
        if json is None:
            found = validated
        else:

            @wraps(validated)
            def found(*args: Any, **kwargs: Any) -> Any:
                if json_object() is None:  # before spectree reads it: it would take junk for {}
                    return jsonify(error=json.unreadable), 400
                return validated(*args, **kwargs)

        found.openapi_extra = {"request_body": request_body, "files": files or {}}  # type: ignore[attr-defined]
        return found

    return decorate


def sentence(model: type[Body], error: ValidationError) -> str:
    """The sentence for the first problem pydantic found (fields are checked in declared order)."""
    problems = error.errors()
    if not problems or not problems[0]["loc"]:
        return model.invalid
    field, kind = str(problems[0]["loc"][0]), problems[0]["type"]
    return model.sentences.get(f"{field}:{kind}") or model.sentences.get(field) or model.invalid


def _in_sentences(model: type[Body]) -> Callable[..., None]:
    """spectree's hook before the view: replace its list of pydantic errors with our sentence."""

    def before(_req: Any, response: Response | None, error: Exception | None, *_rest: Any) -> None:
        if response is not None and isinstance(error, ValidationError):
            response.set_data(json.dumps({"error": sentence(model, error)}))
            problems = error.errors()
            field = str(problems[0]["loc"][0]) if problems and problems[0]["loc"] else ""
            response.status_code = model.statuses.get(field, 422)

    return before


def _nothing(*_args: Any) -> None:
    return None


def json_object() -> dict[str, Any] | None:
    """The body as a JSON object, or None: not JSON, not an object, nested too deeply to read, or
    text no database can store (a lone surrogate such as "\\ud800" is valid JSON but not Unicode)."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return None
    if not isinstance(body, dict) or not _storable(body):
        return None
    return body


def _storable(value: object) -> bool:
    """True when every string in a parsed JSON value (keys too) encodes as UTF-8; no recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


@cache
def document() -> dict[str, Any]:
    """The whole OpenAPI description, generated by spectree from the declarations (built once, in
    an app context; callers must not change it)."""
    found = copy.deepcopy(api_spec.spec)
    paths = found["paths"]
    for rule in current_app.url_map.iter_rules():
        extra = getattr(current_app.view_functions[rule.endpoint], "openapi_extra", None)
        path, _parameters = api_spec.backend.parse_path(rule, None)
        for method in (m.lower() for m in rule.methods or ()):
            operation = paths.get(path, {}).get(method)
            if extra is None or operation is None:
                continue
            if extra["request_body"] is not None:
                operation["requestBody"] = extra["request_body"]
            media = extra["files"].get((rule.defaults or {}).get("fmt"))
            if media is not None:
                schema = {"type": "string", "contentMediaType": media} if media != "text/csv" else STRING
                operation["responses"]["200"]["content"] = {media: {"schema": schema}}
            # Any API request with a NUL character in its text is refused before the route (text_guard).
            operation["responses"].setdefault("422", {"$ref": "#/components/responses/E422"})
    schemas = found["components"]["schemas"]
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "tags": found.get("tags", []),
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "responses": {
                f"E{code}": {
                    "description": text,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
                for code, text in ERRORS.items()
            },
            "securitySchemes": SECURITY_SCHEMES,
        },
        "security": FACILITATOR,
    }
