"""A bare Flask-SocketIO server for the benchmark to compare the app with (issue 6, item 2).

    .venv/bin/python scripts/reference_server.py --host 127.0.0.1 --port 5001 --database /tmp/ref.sqlite3

It does the least a live-voting server can do, with the same stack as the app (Flask, Flask-SocketIO,
the same async mode, SQLite with the app's settings: WAL, synchronous=FULL, busy_timeout, BEGIN
IMMEDIATE), so the benchmark can run the same load against it in the same run and report the app's
figures as ratios that travel across noisy machines:

- `POST /api/v1/vote` with any `Authorization: Bearer <token>`: store one row, commit, emit one
  `vote` message `{"total": <rows so far>}` to the screens' room, answer like the app does;
- `GET /j/<token>` sets a cookie and redirects, like the app's personal link;
- Socket.IO connections: `{"audience": "projector"|"console"}` join the screens' room and get the
  current total; `{"audience": "delegate"}` (with the cookie) join a phones' room that hears nothing;
- `GET /ping` answers `ok` (the benchmark's responsiveness probe).

Nothing else: no ORM, no validation, no coalescing, no snapshot. SOCKETIO_ASYNC_MODE chooses eventlet
(default; monkey-patched here, in this file only), gevent or threading. Listens where it is told;
the benchmark only ever starts it on 127.0.0.1.
"""

import os
import warnings

warnings.filterwarnings("ignore", message=".*Eventlet is deprecated.*")
ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE") or "gevent"  # as wsgi.py
if ASYNC_MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import argparse  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from flask import Flask, jsonify, redirect, request  # noqa: E402
from flask_socketio import ConnectionRefusedError, SocketIO, emit, join_room  # noqa: E402

SCREENS, PHONES = "screens", "phones"

app = Flask(__name__, static_folder=None)
socketio = SocketIO(app, async_mode=ASYNC_MODE, max_http_buffer_size=16 * 1024)


class Store:
    """One SQLite connection with the app's pragmas; writes are serialised (SQLite does so anyway)."""

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in (
            "PRAGMA foreign_keys=ON",
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
            "PRAGMA busy_timeout=5000",
        ):
            self.connection.execute(pragma)
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS vote (id INTEGER PRIMARY KEY, token TEXT NOT NULL, contract TEXT, "
            "level INTEGER, vote_id TEXT UNIQUE, created_at TEXT NOT NULL)"
        )
        self.lock = threading.Lock()
        self.total = self.connection.execute("SELECT count(*) FROM vote").fetchone()[0]

    def add(self, token: str, contract: Any, level: Any, vote_id: Any) -> int:
        with self.lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                cursor = self.connection.execute(
                    "INSERT INTO vote (token, contract, level, vote_id, created_at) VALUES (?, ?, ?, ?, ?)",
                    (token, str(contract), level if isinstance(level, int) else None, str(vote_id),
                     datetime.now(UTC).isoformat()),
                )  # fmt: skip
                self.connection.execute("COMMIT")
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.total += 1
            return int(cursor.lastrowid or 0)


store: Store | None = None


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


@app.post("/api/v1/vote")
def vote() -> Any:
    token = _bearer() or request.cookies.get("phone", "")
    if not token:
        return jsonify(error="no token"), 401
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="send a JSON object"), 400
    assert store is not None
    try:
        store.add(token, body.get("contract"), body.get("level"), body.get("vote_id"))
    except sqlite3.IntegrityError:
        return jsonify(ok=True, contract=body.get("contract"), level=body.get("level"), duplicate=True), 200
    socketio.emit("vote", {"total": store.total}, to=SCREENS)
    return jsonify(ok=True, contract=body.get("contract"), level=body.get("level"), duplicate=False), 200


@app.get("/j/<token>")
def personal_link(token: str) -> Any:
    response = redirect("/vote")
    response.set_cookie("phone", token, httponly=True, samesite="Lax")
    return response


@app.get("/ping")
def ping() -> Any:
    return "ok"


@socketio.on("connect")
def connect(auth: Any = None) -> None:
    auth = auth if isinstance(auth, dict) else {}
    audience = auth.get("audience")
    if audience in ("projector", "console"):
        join_room(SCREENS)
        assert store is not None
        emit("vote", {"total": store.total})
        return
    if audience == "delegate" and request.cookies.get("phone"):
        join_room(PHONES)
        return
    raise ConnectionRefusedError("unknown screen")


def main() -> None:
    global store
    parser = argparse.ArgumentParser(description="A bare Flask-SocketIO reference server for the benchmark.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--database", default="", help="SQLite file (default: a new temporary one)")
    args = parser.parse_args()
    database = args.database or str(Path(tempfile.mkdtemp(prefix="voting-reference-")) / "reference.sqlite3")
    store = Store(database)
    options: dict[str, Any] = {"log_output": False}
    if ASYNC_MODE == "eventlet":
        options["max_size"] = 10_000  # as the app's wsgi.py: eventlet refuses past 1,024 otherwise
    print(f"Reference server on http://{args.host}:{args.port} ({ASYNC_MODE}, {database})", flush=True)
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True, **options)


if __name__ == "__main__":
    main()
