"""The API v1 routes still described by hand, merged into the OpenAPI description that spectree
generates from the declared routes (voting/web/declared.py). Each route moved to `declare` leaves
this file; tests/fuzz/test_openapi_spec.py checks that every /api/v1 route is described (method by
method) and nothing else is.
"""

from __future__ import annotations

from typing import Any

from voting.services import MAX_ID

Schema = dict[str, Any]

JSON = "application/json"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FACILITATOR = [{"facilitatorToken": []}]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Schema], required: tuple[str, ...] = (), **extra: Any) -> Schema:
    """A JSON object; other keys are allowed unless `additionalProperties` says otherwise."""
    schema: Schema = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = list(required)
    return schema


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
NUMBER: Schema = {"type": "number"}
NULLABLE_STRING: Schema = {"type": ["string", "null"]}


def _id(description: str) -> Schema:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": description}


SCHEMAS: dict[str, Schema] = {
    "MatrixJson": obj(
        {
            "columns": {"type": "array", "items": obj({"id": STRING, "name": STRING}, ("id", "name"))},
            "rows": {
                "type": "array",
                "items": obj(
                    {
                        "code": STRING,
                        "name": STRING,
                        "cells": {
                            "type": "array",
                            "items": STRING,
                            "description": "1..5, NA, empty (no position) or a split such as 2/3.",
                        },
                    },
                    ("code", "name", "cells"),
                ),
            },
            "audit_head": {
                "type": "string",
                "description": "The event's audit chain head when the matrix was read (voting audit verify).",
            },
        },
        ("columns", "rows", "audit_head"),
    ),
    "ActivityView": obj(
        {
            "title": STRING,
            "ccg": obj({"code": STRING, "name": STRING}, ("code", "name")),
            "provider": obj({"code": STRING, "name": STRING}, ("code", "name")),
            "top": INTEGER,
            "headers": {"type": "array", "items": STRING},
            "rows": {
                "type": "array",
                "items": obj(
                    {
                        "kind": {"enum": ["row", "other", "total"]},
                        "cells": {"type": "array", "items": STRING},
                    },
                    ("kind", "cells"),
                ),
            },
            "relationship": obj(
                {"kind": {"enum": ["core", "linked", "specialist low volume", "none"]}, "reason": STRING},
                ("kind", "reason"),
            ),
        },
        ("title", "top", "headers", "rows"),
    ),
}


def json_response(description: str, schema: Schema) -> Schema:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def errors(*codes: int) -> dict[str, Schema]:
    return {str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes}


def path_param(name: str, schema: Schema, description: str = "") -> Schema:
    param: Schema = {"name": name, "in": "path", "required": True, "schema": schema}
    if description:
        param["description"] = description
    return param


EVENT = path_param("event_id", _id("The event id returned when the event was created."))
TOP = {
    "name": "top",
    "in": "query",
    "required": False,
    "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
    "description": "How many rows before Other (default 4 for a CCG, 5 for a provider).",
}


def operation(
    summary: str,
    responses: dict[str, Schema],
    *,
    security: list[dict[str, list[str]]] | None = None,
    parameters: list[Schema] | None = None,
    request: Schema | None = None,
    tag: str,
    description: str = "",
) -> Schema:
    found: Schema = {"summary": summary, "tags": [tag], "responses": responses}
    found["security"] = FACILITATOR if security is None else security
    if description:
        found["description"] = description
    if parameters:
        found["parameters"] = parameters
    if request is not None:
        found["requestBody"] = request
    return found


def facilitator_errors(*codes: int) -> dict[str, Schema]:
    """A facilitator call under /events/{event_id}: 401 without a token, 404 for an unknown event."""
    return errors(401, 404, *codes)


def download(description: str, media_type: str) -> Schema:
    return {"description": description, "content": {media_type: {"schema": {"type": "string"}}}}


STEERING_TYPES = {
    "xlsx": XLSX,
    "zip": "application/zip",
    "json": JSON,
    "html": "text/html",
    "pdf": "application/pdf",
}


def _events() -> dict[str, Schema]:
    e = "/api/v1/events/{event_id}"
    paths: dict[str, Schema] = {
        e + "/matrix.json": {
            "get": operation(
                "The matrix (Annex 2 layout) as JSON",
                {"200": json_response("The matrix.", ref("MatrixJson")), **facilitator_errors()},
                parameters=[EVENT],
                tag="matrix",
            )
        },
        e + "/matrix.csv": {
            "get": operation(
                "The matrix as CSV (UTF-8 with a BOM, legend after a blank line)",
                {"200": download("An attachment.", CSV), **facilitator_errors()},
                parameters=[EVENT],
                tag="matrix",
            )
        },
        e + "/matrix.xlsx": {
            "get": operation(
                "The matrix as an Excel workbook",
                {"200": download("An attachment.", XLSX), **facilitator_errors()},
                parameters=[EVENT],
                tag="matrix",
            )
        },
    }
    return paths


def _activity() -> dict[str, Schema]:
    e = "/api/v1/events/{event_id}/activity"
    paths: dict[str, Schema] = {}
    code = path_param(
        "code", {"type": "string", "minLength": 1}, "A CCG or provider code as in the activity file."
    )
    for side, what in (
        ("ccgs", "Main providers for a CCG"),
        ("providers", "Main commissioning CCGs for a provider"),
    ):
        refusals = facilitator_errors(400)
        paths[f"{e}/{side}/{{code}}.csv"] = {
            "get": operation(
                f"{what}, as the framework prints it (CSV)",
                {"200": download("An attachment, UTF-8 with a BOM.", CSV), **refusals},
                parameters=[EVENT, code, TOP],
                tag="activity",
            )
        }
        paths[f"{e}/{side}/{{code}}.json"] = {
            "get": operation(
                f"{what}, with raw numbers (JSON)",
                {"200": json_response("The view.", ref("ActivityView")), **refusals},
                parameters=[EVENT, code, TOP],
                tag="activity",
            )
        }
    return paths


def _steering() -> dict[str, Schema]:
    paths: dict[str, Schema] = {}
    for fmt, media_type in STEERING_TYPES.items():
        responses: dict[str, Schema] = {"200": download(f"steering-pack-<event>.{fmt}", media_type)}
        if fmt == "json":
            responses["200"] = json_response("The gathered pack (an attachment).", {"type": "object"})
        if fmt == "pdf":
            responses["503"] = {
                "description": "This server cannot make PDFs (WeasyPrint or Pango missing); print the HTML report.",
                "content": {JSON: {"schema": ref("Error")}},
            }
        paths[f"/api/v1/events/{{event_id}}/steering-pack.{fmt}"] = {
            "get": operation(
                f"The steering pack as {fmt.upper()}",
                {**responses, **facilitator_errors()},
                parameters=[EVENT],
                tag="steering",
            )
        }
    return paths


def paths() -> dict[str, Schema]:
    """The routes not yet declared with `declare`, by path."""
    return {**_events(), **_activity(), **_steering()}
