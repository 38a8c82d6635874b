"""The app's rate limits, counted by Flask-Limiter (`limiter` in voting.extensions).

Who is counted is the app's rule (docs/security.md): a whole hall shares one address, so votes count
per delegate, resyncs per phone connection, joining by code per browser (a cookie) and per event;
only the facilitator's sign-in counts per address. The numbers are settings in voting/config.py.

Where the counts live: in the process (`voting-memory://`, below) on one process, so a vote costs no network
round trip; in Redis when SOCKETIO_MESSAGE_QUEUE is a Redis URL, so a limit holds however the
requests are spread over the processes.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request, session
from flask_limiter import RateLimitExceeded, RequestLimit
from limits import parse
from limits.errors import StorageError
from limits.storage import MemoryStorage

from voting.extensions import limiter
from voting.services import is_id, voters

log = logging.getLogger(__name__)


class ProcessStorage(MemoryStorage):
    """limits' in-process storage, tidied at most once a second rather than 10 ms after every hit.

    MemoryStorage starts a new thread to drop expired entries 10 ms after a hit whenever its last
    one has finished: on a stream of votes, a thread for nearly every vote (about 0.4 ms each in
    threading mode on a busy machine, most of what the limit cost a vote). Its counts never depend
    on that tidying (each check compares the entries' times), so tidying once a second is as exact.
    """

    STORAGE_SCHEME = ["voting-memory"]

    def _MemoryStorage__schedule_expiry(self) -> None:  # the private hook MemoryStorage calls
        if not self.timer.is_alive():
            self.timer = threading.Timer(1.0, self._MemoryStorage__expire_events)  # type: ignore[attr-defined]
            self.timer.daemon = True  # never keeps a finished command (voting set-password) waiting
            self.timer.start()


def storage_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """Flask-Limiter's storage for these settings: Redis when the message queue is Redis (unless a
    storage is named outright in RATELIMIT_STORAGE_URI)."""
    if config.get("RATELIMIT_STORAGE_URI"):
        return {}
    settings: dict[str, Any] = {"RATELIMIT_STORAGE_URI": "voting-memory://"}
    queue = str(config.get("SOCKETIO_MESSAGE_QUEUE") or "")
    if queue.startswith(("redis://", "rediss://")):
        # Keys carry the Socket.IO channel, which already keeps two deployments (or test runs) on
        # one Redis apart: delegate 1 of one event database is not delegate 1 of another.
        channel = config.get("SOCKETIO_CHANNEL") or "flask-socketio"
        settings = {
            "RATELIMIT_STORAGE_URI": queue,
            "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": f"voting-limits:{channel}", "wrap_exceptions": True},
        }
    return settings


def init_app(app: Flask) -> None:
    """Bind the limiter to the app, with its storage, and answer a breached limit in sentences."""
    app.config.update(storage_settings(app.config))
    limiter.init_app(app)
    # The limiter is one object for every app made in this process (tests make many), and it keeps
    # "the storage is down, count in memory" from the last app whose Redis did not answer: a new app
    # starts on its own, working storage, or a limit would be counted half here and half there.
    limiter._storage_dead = False  # Flask-Limiter 4.1 (pinned) has no public way to say so
    app.register_error_handler(RateLimitExceeded, _too_many)


def _too_many(error: RateLimitExceeded) -> Response | tuple[Response | str, int]:
    """The limit's own answer (its view's sentence); never the library's "60 per 10 second"."""
    if error.response is not None:
        return error.response
    message = "Too many requests too quickly. Wait a moment and try again."
    if request.path.startswith("/api/"):
        return jsonify(error=message), 429
    return render_template("error.html", title="Too many requests", message=message), 429


def minutes_to_wait(limit: RequestLimit) -> int:
    """Whole minutes (at least 1) until the breached limit lets another request through."""
    reset_time = limit.window[0]  # when the oldest counted request leaves the window (reset_at adds 1 s)
    return max(1, math.ceil((reset_time - time.time()) / 60))


def answer(body: str | Response, status: int = 429) -> Response:
    """A breach's answer as a Response (what Flask-Limiter's on_breach must return)."""
    response = current_app.make_response(body)
    response.status_code = status
    return response


# Votes ---------------------------------------------------------------------------------------------


def vote_limit() -> str:
    return str(current_app.config["VOTE_LIMIT"])


def delegate_key() -> str:
    """The delegate a vote comes from: their token's delegate, or the phone page's session; "" when
    neither names one (the view answers 401, and nothing is counted). Never the address."""
    if "rate_limit_delegate" not in g:
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        delegate_id = session.get("delegate")
        if token:
            voter = voters.by_token(token)  # remembered per process: a query only the first time
            g.rate_limit_delegate = f"delegate:{voter.id}" if voter else ""
        else:
            g.rate_limit_delegate = f"delegate:{delegate_id}" if is_id(delegate_id) else ""
    return str(g.rate_limit_delegate)


def no_delegate() -> bool:
    return not delegate_key()


# Joining by event code ------------------------------------------------------------------------------


def join_limit_per_browser() -> str:
    config = current_app.config
    return f"{config['JOIN_LIMIT_PER_BROWSER']} per {config['JOIN_LIMIT_WINDOW']} seconds"


def join_limit_per_event() -> str:
    config = current_app.config
    return f"{config['JOIN_LIMIT_PER_EVENT']} per {config['JOIN_LIMIT_WINDOW']} seconds"


def browser_key() -> str:
    """This browser's own cookie (made on its first request to join), not the hall's address."""
    return "browser:" + session.setdefault("joiner", secrets.token_urlsafe(12))


def event_key() -> str:
    """The event being joined, by its code as the app reads it (case and spaces ignored)."""
    code = (request.view_args or {}).get("code", "")
    return "event:" + "".join(str(code).split()).upper()


# Signing in to the console ------------------------------------------------------------------------


def sign_in_limit() -> str:
    return str(current_app.config["SIGN_IN_LIMIT"])


def wrong_password(response: Response) -> bool:
    """Only a refused password counts towards the sign-in limit."""
    return response.status_code == 401


def forget_this_request() -> None:
    """Start the counts of this request's limits afresh (a successful sign-in)."""
    for current in limiter.current_limits:
        limiter.limiter.clear(current.limit, *current.request_args)


# Phone resyncs (Socket.IO) ---------------------------------------------------------------------


def resync_allowed(sid: str) -> bool:
    """Count one resync request for this connection; False past RESYNC_LIMIT.

    Socket.IO events do not pass through Flask-Limiter's request hooks, so this asks the limiter's
    own strategy directly, with the same storage as every other limit.
    """
    item = parse(str(current_app.config["RESYNC_LIMIT"]))
    try:
        return bool(limiter.limiter.hit(item, "resync", sid))
    except StorageError:
        log.warning("rate-limit storage unavailable; resync allowed")
        return True  # a missed limit costs one snapshot; refusing would leave a phone out of date
