"""Health checks for load balancers and monitoring: is the process up, can it reach the database?"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from voting.extensions import db

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """The process answers."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """The database answers too; 503 otherwise (a load balancer should stop sending traffic)."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError:
        log.exception("readiness check: the database did not answer")
        db.session.rollback()
        return jsonify(status="unavailable", database="not answering"), 503
    return jsonify(status="ok", database="ok"), 200
