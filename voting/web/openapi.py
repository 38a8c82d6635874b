"""The OpenAPI 3.1 description of the public API v1 (docs/api.md), served at /api/v1/openapi.json.

Built by hand, next to the routes it describes; tests/fuzz/test_openapi.py checks that every
/api/v1 route is here (method by method) and nothing else is, and the fuzz run drives every
operation from this description.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Response, jsonify

from voting.domain.costs import METHODS as COST_METHODS
from voting.domain.governance import BALLOTS
from voting.domain.governance import KINDS as RULE_KINDS
from voting.domain.polls import KINDS as POLL_KINDS
from voting.domain.suggestions import MODELS
from voting.services import MAX_ID
from voting.web.api import bp

Schema = dict[str, Any]

JSON = "application/json"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FACILITATOR = [{"facilitatorToken": []}]
DELEGATE = [{"delegateToken": []}]


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
OK: Schema = obj({"ok": {"const": True}}, ("ok",))
LEVEL: Schema = {"type": "integer", "minimum": 1, "maximum": 5, "description": "A level, 1 to 5."}
VOTE_ID: Schema = {
    "type": "string",
    "pattern": "^[A-Za-z0-9_-]{8,64}$",
    "description": "Unique per vote (per tap): a resend with the same id never counts twice.",
}
CONTRACT_CODE: Schema = {"type": "string", "description": 'A contract id as loaded, e.g. "7".'}
ROUND: Schema = {
    "type": "integer",
    "minimum": 1,
    "maximum": 999_999_999,
    "description": "The contract's round (its `round` in the phone's ballot) when the level was chosen. "
    "A reset starts a new round; a vote from an earlier round is refused (409), never counted.",
}


def _id(description: str) -> Schema:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": description}


SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        {"error": {"type": "string", "description": "A sentence a person understands."}},
        ("error",),
    ),
    "ImportProblem": obj(
        {
            "line": {
                "type": "integer",
                "description": "File line (spreadsheet row); 1 is the header, 0 the file.",
            },
            "column": {"type": ["string", "null"], "description": "The header name, or null for the line."},
            "message": STRING,
        },
        ("line", "column", "message"),
    ),
    "ImportErrors": obj({"errors": {"type": "array", "items": ref("ImportProblem")}}, ("errors",)),
    "Imported": obj({"imported": INTEGER}, ("imported",)),
    "EventCreated": obj({"id": INTEGER, "join_code": STRING}, ("id", "join_code")),
    "ConsoleState": obj(
        {
            "event": obj({"id": INTEGER, "name": STRING, "join_code": STRING}, ("id", "name", "join_code")),
            "levels": {"type": "object", "additionalProperties": STRING},
            "contracts": {
                "type": "array",
                "items": obj(
                    {
                        "code": STRING,
                        "name": STRING,
                        "status": {"enum": ["ready", "open", "closed"]},
                        "holders": INTEGER,
                        "voted": INTEGER,
                        "turnout": NUMBER,
                        "counts": {"type": "object", "additionalProperties": INTEGER},
                        "split": INTEGER,
                        "modal": STRING,
                        "votes": {"type": "object", "additionalProperties": INTEGER},
                        "results_hidden": BOOLEAN,
                        "closes_at": NULLABLE_STRING,
                    },
                    ("code", "name", "status", "holders", "voted", "turnout", "counts", "votes"),
                ),
            },
            "open": {"type": "array", "items": STRING},
            "matrix": ref("Matrix"),
            "organisations": {"type": "array"},
            "pending": {"type": "array"},
            "splits": {"type": "array"},
            "stage": {"type": "integer", "minimum": 1, "maximum": 4},
            "now": STRING,
        },
        ("event", "levels", "contracts", "open", "matrix", "stage", "now"),
    ),
    "Matrix": obj(
        {
            "columns": {"type": "array", "items": STRING},
            "rows": {
                "type": "array",
                "items": obj(
                    {"code": STRING, "name": STRING, "cells": {"type": "array", "items": STRING}},
                    ("code", "name", "cells"),
                ),
            },
        },
        ("columns", "rows"),
    ),
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
    "DelegateCreated": obj(
        {
            "id": INTEGER,
            "token": {"type": "string", "description": "Shown once."},
            "join_url": STRING,
        },
        ("id", "token", "join_url"),
    ),
    "ContractStatus": obj(
        {"contract": STRING, "status": {"enum": ["ready", "open", "closed"]}}, ("contract", "status")
    ),
    "VoteRecorded": obj(
        {"ok": {"const": True}, "contract": STRING, "level": LEVEL, "duplicate": BOOLEAN, "seq": INTEGER},
        ("ok", "contract", "level", "duplicate", "seq"),
    ),
    "Poll": obj(
        {
            "id": INTEGER,
            "kind": {"enum": list(POLL_KINDS)},
            "question": STRING,
            "options": {"type": "array", "items": STRING},
            "anonymous": BOOLEAN,
            "status": {"enum": ["ready", "open", "closed"]},
            "results_hidden": BOOLEAN,
            "closes_at": NULLABLE_STRING,
            "results": obj(
                {
                    # null: an anonymous poll still open, or with too few answers (docs/security.md)
                    "overall": {"type": ["object", "null"], "additionalProperties": INTEGER},
                    "total": INTEGER,
                    "mean": {"type": ["number", "null"]},
                    "by_org": {"type": "object"},
                    "position_by_org": {"type": "object", "additionalProperties": STRING},
                    "answered_by_org": {"type": "object", "additionalProperties": INTEGER},
                    "withheld": STRING,
                },
                ("overall", "total", "mean", "by_org", "position_by_org", "answered_by_org", "withheld"),
            ),
        },
        ("id", "kind", "question", "options", "anonymous", "status", "results_hidden"),
    ),
    "Answered": obj({"ok": {"const": True}, "duplicate": BOOLEAN}, ("ok", "duplicate")),
    "Reset": obj({"contract": STRING, "removed": INTEGER}, ("contract", "removed")),
    "Settings": obj({"exclude_declared": BOOLEAN, "stage": INTEGER}, ("exclude_declared", "stage")),
    "Declarations": obj(
        {
            "declarations": {
                "type": "array",
                "items": obj(
                    {
                        "delegate": STRING,
                        "organisation": STRING,
                        "contract": STRING,
                        "interest": STRING,
                        "at": STRING,
                    },
                    ("delegate", "organisation", "contract", "interest", "at"),
                ),
            }
        },
        ("declarations",),
    ),
    "Version": obj(
        {
            "id": INTEGER,
            "kind": {"enum": ["indicative", "confirmed", "arrangements"]},
            "number": INTEGER,
            "frozen_at": STRING,
        },
        ("id", "kind", "number", "frozen_at"),
    ),
    "StageMoved": obj(
        {
            "stage": {"type": "integer", "minimum": 1, "maximum": 4},
            "frozen": {"oneOf": [ref("Version"), {"type": "null"}]},
        },
        ("stage", "frozen"),
    ),
    "Stage3": obj(
        {
            "stage3": obj(
                {
                    "indicative_version": INTEGER,
                    "flags_total": INTEGER,
                    "flags_open": INTEGER,
                    "open_flags": {
                        "type": "array",
                        "items": obj(
                            {
                                "organisation": STRING,
                                "contract": STRING,
                                "kind": {"enum": ["isolated", "mismatch", "split", "no_position"]},
                                "message": STRING,
                            },
                            ("organisation", "contract", "kind", "message"),
                        ),
                    },
                    "ranking": {
                        "type": "array",
                        "items": obj(
                            {"contract": STRING, "score": NUMBER, "explanation": STRING},
                            ("contract", "score", "explanation"),
                        ),
                    },
                    "weighted": {"type": "object"},
                    "confirmed": INTEGER,
                    "amended": INTEGER,
                    "matrix": ref("Matrix"),
                },
                (
                    "flags_total",
                    "flags_open",
                    "open_flags",
                    "ranking",
                    "weighted",
                    "confirmed",
                    "amended",
                    "matrix",
                ),
            )
        },
        ("stage3",),
    ),
    "Arrangements": obj(
        {
            "confirmed_version": INTEGER,
            "arrangements": {
                "type": "array",
                "items": obj(
                    {
                        "key": STRING,
                        "contract": STRING,
                        "level": INTEGER,
                        "members": {"type": "array", "items": {"type": "object"}},
                        "suggested_coordinator": NULLABLE_STRING,
                        "suggested_model": NULLABLE_STRING,
                        "model_reason": STRING,
                        "coordinator": STRING,
                        "model": STRING,
                        "rule": {"type": "object"},
                        "decisions": {"type": "object"},
                        "cost_method": {"enum": list(COST_METHODS)},
                        "cost_problem": STRING,
                    },
                    ("key", "contract", "level", "members", "coordinator", "model", "rule", "cost_method"),
                ),
            },
            "problems": {"type": "array", "items": {"type": "object"}},
        },
        ("confirmed_version", "arrangements", "problems"),
    ),
    "Decision": obj({"passed": BOOLEAN, "reason": STRING}, ("passed", "reason")),
    "FinaliseRefused": obj(
        {
            "error": STRING,
            "problems": {
                "type": "array",
                "items": obj({"contract": STRING, "message": STRING}, ("contract", "message")),
            },
        },
        ("error", "problems"),
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
}


def json_response(description: str, schema: Schema) -> Schema:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def errors(*codes: int) -> dict[str, Schema]:
    return {str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes}


def body(schema: Schema, required: bool = True) -> Schema:
    return {"required": required, "content": {JSON: {"schema": schema}}}


def path_param(name: str, schema: Schema, description: str = "") -> Schema:
    param: Schema = {"name": name, "in": "path", "required": True, "schema": schema}
    if description:
        param["description"] = description
    return param


EVENT = path_param("event_id", _id("The event id returned when the event was created."))
CONTRACT = path_param("contract", {"type": "string", "minLength": 1}, "A contract id as loaded.")
POLL = path_param("poll_id", _id("A poll id."))
VERSION = path_param("version_id", _id("A frozen version id."))
KEY = path_param("key", {"type": "string", "minLength": 1}, "An arrangement key, e.g. 1:2:1.")
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


IMPORT_BODY: Schema = {
    "required": True,
    "description": "The file itself: CSV (UTF-8, a BOM is fine; Windows-1252 is read too) or XLSX "
    "(detected from its bytes; first sheet). Limit 5 MB, 50,000 rows.",
    "content": {
        CSV: {"schema": {"type": "string"}},
        XLSX: {"schema": {"type": "string", "contentMediaType": XLSX}},
    },
}
IMPORTED = {
    "200": json_response("Everything imported (all or nothing).", ref("Imported")),
    "422": json_response("Every problem in the file; nothing was changed.", ref("ImportErrors")),
    **facilitator_errors(413),
}
STEERING_TYPES = {
    "xlsx": XLSX,
    "zip": "application/zip",
    "json": JSON,
    "html": "text/html",
    "pdf": "application/pdf",
}


def _events() -> dict[str, Schema]:
    e = "/api/v1/events/{event_id}"
    c = e + "/contracts/{contract}"
    paths: dict[str, Schema] = {
        "/api/v1/events": {
            "post": operation(
                "Create an event",
                {
                    "201": json_response("Created.", ref("EventCreated")),
                    **errors(400, 401, 413, 422),
                },
                request=body(obj({"name": {"type": "string", "maxLength": 200}}, ("name",))),
                tag="events",
                description="422 when the name is empty or longer than 200 characters.",
            )
        },
        e: {
            "get": operation(
                "The live state the console shows",
                {"200": json_response("The console's state.", ref("ConsoleState")), **facilitator_errors()},
                parameters=[EVENT],
                tag="events",
            )
        },
        e + "/delegates": {
            "post": operation(
                "Create a delegate with a personal link",
                {
                    "201": json_response("The token is shown once.", ref("DelegateCreated")),
                    **facilitator_errors(400, 413, 422),
                },
                parameters=[EVENT],
                request=body(
                    obj(
                        {"organisation": STRING, "name": {"type": "string", "maxLength": 120}},
                        ("organisation", "name"),
                    )
                ),
                tag="delegates",
            )
        },
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
    for kind in ("organisations", "contracts"):
        paths[f"{e}/{kind}"] = {
            "put": operation(
                f"Replace the event's {kind} from a file",
                IMPORTED,
                parameters=[EVENT],
                request=IMPORT_BODY,
                tag="imports",
            )
        }
    for action in ("open", "close"):
        paths[f"{c}/{action}"] = {
            "post": operation(
                f"{action.capitalize()} voting on a contract",
                {
                    "200": json_response("The contract's status.", ref("ContractStatus")),
                    **facilitator_errors(422),
                },
                parameters=[EVENT, CONTRACT],
                tag="voting",
                description="Opening an open contract or closing a closed one changes nothing.",
            )
        }
    for action in ("hide", "reveal"):
        paths[f"{c}/{action}"] = {
            "post": operation(
                f"{action.capitalize()} the contract's results on the projector",
                {"200": json_response("Done.", OK), **facilitator_errors(422)},
                parameters=[EVENT, CONTRACT],
                tag="facilitation",
            )
        }
    seconds = obj({"seconds": {"type": "integer", "minimum": 5, "maximum": 3600}}, ("seconds",))
    paths[c + "/countdown"] = {
        "post": operation(
            "Close an open vote by itself after 5-3600 seconds",
            {"200": json_response("Started.", OK), **facilitator_errors(400, 413, 422)},
            parameters=[EVENT, CONTRACT],
            request=body(seconds),
            tag="facilitation",
        )
    }
    paths[c + "/reset"] = {
        "post": operation(
            "Remove a closed contract's votes so it can be voted again",
            {"200": json_response("How many votes were removed.", ref("Reset")), **facilitator_errors(422)},
            parameters=[EVENT, CONTRACT],
            tag="facilitation",
        )
    }
    paths[c + "/rerun"] = {
        "post": operation(
            "Stage 3: vote on one contract again",
            {"200": json_response("Reset and opened.", OK), **facilitator_errors(422)},
            parameters=[EVENT, CONTRACT],
            tag="stages",
        )
    }
    return paths


def _voting() -> dict[str, Schema]:
    e = "/api/v1/events/{event_id}"
    vote_refusals = errors(400, 401, 403, 409, 413, 422, 423)
    return {
        "/api/v1/vote": {
            "post": operation(
                "Cast or change a vote (delegate)",
                {
                    "200": json_response("Recorded (or a resend of a recorded vote).", ref("VoteRecorded")),
                    **vote_refusals,
                    **errors(429),
                },
                security=DELEGATE,
                request=body(
                    obj(
                        {"contract": CONTRACT_CODE, "level": LEVEL, "vote_id": VOTE_ID, "round": ROUND},
                        ("contract", "level", "vote_id"),
                    )
                ),
                tag="voting",
                description="The phone page may send its session cookie and an X-CSRFToken header instead.",
            )
        },
        e + "/proxy-vote": {
            "post": operation(
                "A vote for a delegate without a phone (audited as entered by the facilitator)",
                {
                    "200": json_response("Recorded.", ref("VoteRecorded")),
                    **facilitator_errors(400, 403, 409, 413, 422, 423),
                },
                parameters=[EVENT],
                request=body(
                    obj(
                        {
                            "delegate": _id("The delegate's id."),
                            "contract": CONTRACT_CODE,
                            "level": LEVEL,
                            "vote_id": VOTE_ID,
                        },
                        ("delegate", "contract", "level"),
                    )
                ),
                tag="voting",
            )
        },
        e + "/settings": {
            "put": operation(
                "Event settings",
                {
                    "200": json_response("The settings now.", ref("Settings")),
                    **facilitator_errors(400, 413, 422),
                },
                parameters=[EVENT],
                request=body(obj({"exclude_declared": BOOLEAN})),
                tag="facilitation",
            )
        },
        e + "/declarations": {
            "get": operation(
                "Every declared interest",
                {"200": json_response("The declarations.", ref("Declarations")), **facilitator_errors()},
                parameters=[EVENT],
                tag="facilitation",
            )
        },
        "/api/v1/declarations": {
            "post": operation(
                "Declare an interest in a contract (delegate)",
                {"201": json_response("Declared.", OK), **errors(400, 401, 403, 404, 413, 422)},
                security=DELEGATE,
                request=body(
                    obj(
                        {"contract": CONTRACT_CODE, "interest": {"type": "string", "maxLength": 500}},
                        ("contract", "interest"),
                    )
                ),
                tag="facilitation",
            )
        },
    }


def _polls() -> dict[str, Schema]:
    e = "/api/v1/events/{event_id}/polls"
    poll = json_response("The poll with its results.", ref("Poll"))
    paths: dict[str, Schema] = {
        e: {
            "post": operation(
                "Create a poll",
                {"201": poll, **facilitator_errors(400, 413, 422)},
                parameters=[EVENT],
                request=body(
                    obj(
                        {
                            "kind": {"enum": list(POLL_KINDS)},
                            "question": {"type": "string", "maxLength": 500},
                            "options": {
                                "type": "array",
                                "items": STRING,
                                "description": "Choice polls: 2-10.",
                            },
                            "anonymous": BOOLEAN,
                        },
                        ("kind", "question"),
                    )
                ),
                tag="polls",
            )
        },
        e + "/{poll_id}": {
            "get": operation(
                "A poll with its results",
                {"200": poll, **facilitator_errors()},
                parameters=[EVENT, POLL],
                tag="polls",
            )
        },
        e + "/{poll_id}/countdown": {
            "post": operation(
                "Close an open poll by itself after 5-3600 seconds",
                {"200": json_response("Started.", OK), **facilitator_errors(400, 413, 422)},
                parameters=[EVENT, POLL],
                request=body(
                    obj({"seconds": {"type": "integer", "minimum": 5, "maximum": 3600}}, ("seconds",))
                ),
                tag="polls",
            )
        },
        "/api/v1/polls/{poll_id}/answer": {
            "post": operation(
                "Answer a poll (delegate)",
                {
                    "200": json_response("Recorded (or a resend).", ref("Answered")),
                    **errors(400, 401, 403, 404, 409, 413, 422, 423),
                },
                security=DELEGATE,
                parameters=[POLL],
                request=body(
                    obj(
                        {"answer": {"type": ["string", "integer"]}, "vote_id": VOTE_ID}, ("answer", "vote_id")
                    )
                ),
                tag="polls",
            )
        },
    }
    for action in ("open", "close", "hide", "reveal"):
        paths[f"{e}/{{poll_id}}/{action}"] = {
            "post": operation(
                f"{action.capitalize()} a poll",
                {"200": poll, **facilitator_errors(422)},
                parameters=[EVENT, POLL],
                tag="polls",
            )
        }
    return paths


def _stages() -> dict[str, Schema]:
    e = "/api/v1/events/{event_id}"
    arrangement_fields = {
        "coordinator": {"type": "string", "description": "A member's code, CSS, or empty."},
        "model": {"enum": ["", *MODELS]},
        "rule_kind": {"enum": list(RULE_KINDS)},
        "rule_threshold": {"type": "string", "examples": ["1/2", "2/3"]},
        "rule_at_least": BOOLEAN,
        "quorum": {"type": "string", "description": "A number of members or a fraction, e.g. 3 or 1/2."},
        "majority_binds_all": BOOLEAN,
        "on_disagreement": STRING,
        "cost_method": {"enum": list(COST_METHODS)},
    }
    edit = obj(
        {
            "operation": {"enum": ["move", "merge", "split"]},
            "contract": STRING,
            "organisation": STRING,
            "to": NULLABLE_STRING,
            "key": STRING,
            "other": STRING,
            "members": {"type": "array", "items": STRING},
        },
        ("operation",),
    )
    return {
        e + "/stage": {
            "post": operation(
                "Move to the next stage (freezing this one's result) or back",
                {
                    "200": json_response("The stage now.", ref("StageMoved")),
                    **facilitator_errors(400, 413, 422),
                },
                parameters=[EVENT],
                request=body(obj({"stage": {"type": "integer", "minimum": 1, "maximum": 4}}, ("stage",))),
                tag="stages",
            )
        },
        e + "/versions": {
            "get": operation(
                "Every frozen version",
                {
                    "200": json_response(
                        "The versions, oldest first.",
                        obj({"versions": {"type": "array", "items": ref("Version")}}, ("versions",)),
                    ),
                    **facilitator_errors(),
                },
                parameters=[EVENT],
                tag="stages",
            )
        },
        e + "/versions/{version_id}": {
            "get": operation(
                "One frozen version with its content",
                {
                    "200": json_response(
                        "The version.",
                        {"allOf": [ref("Version"), obj({"payload": {"type": "object"}}, ("payload",))]},
                    ),
                    **facilitator_errors(),
                },
                parameters=[EVENT, VERSION],
                tag="stages",
            )
        },
        e + "/stage3": {
            "get": operation(
                "Stage 3: open flags, ranking, value-weighted results, the working matrix",
                {"200": json_response("Stage 3.", ref("Stage3")), **facilitator_errors(422)},
                parameters=[EVENT],
                tag="stages",
            )
        },
        "/api/v1/confirmations": {
            "post": operation(
                "Stage 3: confirm a position, or amend it with a reason (delegate)",
                {"200": json_response("Recorded.", OK), **errors(400, 401, 403, 413, 422, 423)},
                security=DELEGATE,
                request=body(
                    obj(
                        {
                            "contract": CONTRACT_CODE,
                            "action": {"enum": ["confirm", "amend"]},
                            "level": LEVEL,
                            "reason": {"type": "string", "maxLength": 500},
                        },
                        ("contract", "action"),
                    )
                ),
                tag="stages",
            )
        },
        e + "/arrangements": {
            "get": operation(
                "Stage 4: every arrangement, and the problems that stop finalising",
                {"200": json_response("The arrangements.", ref("Arrangements")), **facilitator_errors(422)},
                parameters=[EVENT],
                tag="stages",
            )
        },
        e + "/arrangements/edit": {
            "post": operation(
                "Stage 4: move a CCG, merge two arrangements or split one",
                {"200": json_response("Done.", OK), **facilitator_errors(400, 413, 422)},
                parameters=[EVENT],
                request=body(edit),
                tag="stages",
            )
        },
        e + "/arrangements/{key}": {
            "patch": operation(
                "Stage 4: set co-ordinator, model, decision rule, quorum, cost method",
                {"200": json_response("Done.", OK), **facilitator_errors(400, 413, 422)},
                parameters=[EVENT, KEY],
                request=body(obj(arrangement_fields)),
                tag="stages",
            )
        },
        e + "/arrangements/{key}/contributions": {
            "post": operation(
                "Stage 4: a member's contribution and (custom split) percentage",
                {"200": json_response("Done.", OK), **facilitator_errors(400, 413, 422)},
                parameters=[EVENT, KEY],
                request=body(
                    obj(
                        {
                            "organisation": STRING,
                            "role": STRING,
                            "days": STRING,
                            "notes": STRING,
                            "percent": {
                                "type": ["string", "number"],
                                "description": "0 to 100; custom splits only.",
                            },
                        },
                        ("organisation",),
                    )
                ),
                tag="stages",
            )
        },
        "/api/v1/arrangements/{key}/ballot": {
            "post": operation(
                "Stage 4: a member CCG votes on the proposed co-ordinator or model (delegate)",
                {
                    "200": json_response("The decision under the arrangement's rule.", ref("Decision")),
                    **errors(400, 401, 403, 404, 409, 413, 422, 423),
                },
                security=DELEGATE,
                parameters=[KEY],
                request=body(
                    obj(
                        {"topic": {"enum": ["coordinator", "model"]}, "ballot": {"enum": list(BALLOTS)}},
                        ("topic", "ballot"),
                    )
                ),
                tag="stages",
            )
        },
        e + "/finalise": {
            "post": operation(
                "Stage 4: freeze the arrangements",
                {
                    "200": json_response("The frozen version.", ref("Version")),
                    "409": json_response("What must be fixed first.", ref("FinaliseRefused")),
                    "422": json_response("Not at stage 4.", ref("FinaliseRefused")),
                    **facilitator_errors(),
                },
                parameters=[EVENT],
                tag="stages",
            )
        },
    }


def _activity() -> dict[str, Schema]:
    e = "/api/v1/events/{event_id}/activity"
    paths: dict[str, Schema] = {
        e: {
            "put": operation(
                "Replace the event's activity (technical appendix 1) from a file",
                IMPORTED,
                parameters=[EVENT],
                request=IMPORT_BODY,
                tag="activity",
            )
        }
    }
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
    paths[f"{e}/providers/{{code}}/grouping"] = {
        "post": operation(
            "A new contract held by the event's CCGs that commission from this provider",
            {
                "201": json_response(
                    "Created; import its values before voting.",
                    obj(
                        {
                            "contract": STRING,
                            "organisations": {"type": "array", "items": STRING},
                            "not_in_event": {"type": "array", "items": STRING},
                        },
                        ("contract", "organisations", "not_in_event"),
                    ),
                ),
                **facilitator_errors(409, 422),
            },
            parameters=[EVENT, code],
            tag="activity",
            description="404 for a provider with no admissions in the activity data; 409 when the "
            "grouping exists already; 422 when none of its CCGs is an organisation of the event.",
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


@cache
def spec() -> dict[str, Any]:
    """The whole description (built once; callers must not change it)."""
    paths = {
        "/api/v1/openapi.json": {
            "get": operation(
                "This description",
                {"200": json_response("OpenAPI 3.1.", {"type": "object"})},
                security=[],
                tag="meta",
            )
        },
        **_events(),
        **_voting(),
        **_polls(),
        **_stages(),
        **_activity(),
        **_steering(),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Collaborative commissioning voting: API v1",
            "version": "1",
            "description": "Live voting at CCG engagement events (Annex 2 method). JSON in and out unless "
            'stated; every error is {"error": "<a sentence>"}, import errors {"errors": [...]}. '
            "See docs/api.md.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": SCHEMAS,
            "responses": {f"E{code}": json_response(text, ref("Error")) for code, text in ERRORS.items()},
            "securitySchemes": {
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
            },
        },
        "security": FACILITATOR,
    }


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """This API's OpenAPI 3.1 description (no token needed)."""
    return jsonify(spec())
