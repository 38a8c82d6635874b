"""Live voting for collaborative commissioning events: the application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from voting import db_setup, logs  # noqa: F401  (db_setup registers the SQLite connection hooks)
from voting.config import Config, from_environment
from voting.extensions import csrf, db, socketio

ROOT = Path(__file__).resolve().parent.parent

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, socket handlers, schema."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(Config)
    overrides = dict(config or {})
    instance = overrides.pop("INSTANCE_PATH", None)
    if instance:
        app.instance_path = str(instance)
    app.config.update(from_environment(app.instance_path))
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config.get("TRUST_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUST_PROXY"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from voting.web.frontend import configure_jinja

    configure_jinja(app)  # before anything builds the Jinja environment (csrf.init_app does)
    db.init_app(app)
    csrf.init_app(app)
    socketio.init_app(
        app,
        # The entry point (wsgi.py) names eventlet or gevent; everything else runs threaded.
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE") or "threading",
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        # Pushes are small; a client has no business sending large frames.
        max_http_buffer_size=16 * 1024,
        # None = same origin only (the default); never "*".
        cors_allowed_origins=app.config.get("SOCKETIO_ALLOWED_ORIGINS"),
        # The message queue's channel (Flask-SocketIO's default name unless set).
        channel=app.config.get("SOCKETIO_CHANNEL") or "flask-socketio",
    )

    from voting import audit  # noqa: F401  (links every audit record into its event's hash chain)
    from voting.realtime import handlers
    from voting.realtime.publish import publisher
    from voting.services import group_commit
    from voting.web import rate_limits, register_blueprints

    register_blueprints(app)
    rate_limits.init_app(app)  # Flask-Limiter: in memory on one process, in Redis when scaled out
    logs.init_app(app)
    handlers.register()  # on the Socket.IO server socketio.init_app has just made for this app
    publisher.init_app(app)
    group_commit.init_app(app)

    with app.app_context():
        db.create_all()
    return app
