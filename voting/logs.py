"""Logs as JSON lines, with the event and request or socket id - never a token or a password."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, g, has_request_context, request

# Personal links and bearer tokens must never reach a log file, whoever wrote the message.
SECRETS = re.compile(r"(/j/)[A-Za-z0-9_-]{8,}|((?:Bearer|token[=:])\s*)[A-Za-z0-9_.-]{8,}", re.IGNORECASE)


def redact(text: str) -> str:
    """Replace anything that looks like a token with [redacted]."""
    return SECRETS.sub(lambda m: (m.group(1) or m.group(2) or "") + "[redacted]", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and request context when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if has_request_context():
            entry["request_id"] = getattr(g, "request_id", None)
            sid = getattr(request, "sid", None)
            if sid:
                entry["socket_id"] = sid
            event = (request.view_args or {}).get("event_id")
            if event is not None:
                entry["event"] = event
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(level: int = logging.INFO) -> None:
    """Send every log line to standard error as JSON."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def init_app(app: Flask) -> None:
    """A request id per request (from X-Request-ID if a proxy set one), echoed in the response."""

    @app.before_request
    def _request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if re.fullmatch(r"[A-Za-z0-9._-]{1,64}", incoming) else uuid.uuid4().hex

    @app.after_request
    def _echo(response: Any) -> Any:
        if getattr(g, "request_id", None):
            response.headers["X-Request-ID"] = g.request_id
        return response
