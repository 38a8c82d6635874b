"""Health checks for load balancers and monitoring: is the process up, can it reach the database?"""

from __future__ import annotations

import logging

import redis
from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from voting.extensions import db

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
QUEUE_TIMEOUT = 1.0  # seconds: a readiness probe must answer quickly either way


@bp.get("/healthz")
def healthz() -> Response:
    """The process answers."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """The database (and the message queue, when one is configured) answer; 503 naming the part
    that does not (a load balancer should stop sending traffic)."""
    parts = {"database": _database()}
    queue = current_app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if queue:
        # Without it this process's pushes reach only its own phones: every other process's
        # projector and phones would silently miss votes.
        parts["message_queue"] = _message_queue(queue)
    ready = all(state == "ok" for state in parts.values())
    return jsonify(status="ok" if ready else "unavailable", **parts), 200 if ready else 503


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError:
        log.exception("readiness check: the database did not answer")
        db.session.rollback()
        return "not answering"
    return "ok"


def _message_queue(url: str) -> str:
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return "ok"  # another kind of queue (kombu): not ours to probe
    client = redis.Redis.from_url(url, socket_connect_timeout=QUEUE_TIMEOUT, socket_timeout=QUEUE_TIMEOUT)
    try:
        client.ping()
    except (redis.RedisError, OSError):
        log.warning("readiness check: the message queue (Redis) did not answer")
        return "not answering"
    finally:
        client.close()
    return "ok"
