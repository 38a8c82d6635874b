"""Text no database can store is refused once, at the door, with a sentence.

PostgreSQL refuses a NUL character (U+0000) in any text value (psycopg2 raises before sending it),
where SQLite stores it; so a pasted NUL in a name, a question, a reason or a URL would be a crash on
one database and junk on the other. Every request's path, query string, form fields and JSON
strings are looked at before any view runs; uploaded files are the importers' business (they report
problems line by line).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request

NUL = "\x00"
HAS_NUL = "The text sent contains a NUL character (\\0), which cannot be stored. Remove it and try again."


def refuse_unstorable_text() -> Any:
    """A 422 with a sentence when any text of the request holds a NUL character; else None."""
    if not _has_nul(request):
        return None
    if request.path.startswith("/api/"):
        return jsonify(error=HAS_NUL), 422
    return render_template("error.html", title="Not saved", message=HAS_NUL), 422


def _has_nul(req: Any) -> bool:
    if NUL in req.path:
        return True
    for values in (req.args, req.form):
        for key, value in values.items(multi=True):
            if NUL in key or NUL in value:
                return True
    if req.is_json:
        try:
            body = req.get_json(silent=True)
        except RecursionError:
            return False  # the view refuses it as unreadable
        return _any_nul(body)
    return False


def _any_nul(value: object) -> bool:
    """True when any string in a parsed JSON value (keys too) holds a NUL; no recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
