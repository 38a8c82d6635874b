"""Small helpers for tests: reading CSRF tokens from pages, waiting for pushes."""

from __future__ import annotations

import re
import time
from typing import Any

from flask.testing import FlaskClient

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token from a form on the page, as a browser would submit it."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def wait_for(socket: Any, name: str, predicate: Any = None, timeout: float = 3.0) -> dict[str, Any]:
    """The first push called `name` (matching predicate) received within timeout, else fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in socket.get_received():
            if message["name"] == name:
                payload = message["args"][0]
                if predicate is None or predicate(payload):
                    return payload
        time.sleep(0.02)
    raise AssertionError(f"no {name!r} push matched within {timeout}s")
