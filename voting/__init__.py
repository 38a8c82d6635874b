"""Live voting for collaborative commissioning events: the application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from voting import db_setup, logs, schema
from voting.config import Config
from voting.extensions import csrf, db, socketio

PACKAGE = Path(__file__).resolve().parent
# The repository in a checkout; site-packages once installed, where wsgi.py ships beside the package.
ROOT = PACKAGE.parent

log = logging.getLogger(__name__)


def create_app(
    config_class: type[Config] | Mapping[str, Any] = Config, overrides: Mapping[str, Any] | None = None
) -> Flask:
    """Build the app: configuration, extensions, blueprints, socket handlers, schema.

    `config_class` is Config (settings from the environment, see .env.example) or TestingConfig
    (nothing from the environment); `overrides` win over both. A mapping in place of the class is
    read as overrides on Config.
    """
    if isinstance(config_class, Mapping):
        config_class, overrides = Config, {**config_class, **(overrides or {})}
    app = Flask(
        __name__,
        instance_relative_config=True,
        # Links to the repository's templates/ and static/ in a checkout; copies once installed.
        template_folder=str(PACKAGE / "templates"),
        static_folder=str(PACKAGE / "static"),
    )
    overrides = dict(overrides or {})
    instance = overrides.pop("INSTANCE_PATH", None)
    if instance:
        app.instance_path = str(instance)
    app.config.update(config_class.deployment_settings(app.instance_path))
    app.config.from_object(config_class)  # after: a class's own values (TestingConfig's) win
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config.get("TRUST_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUST_PROXY"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from voting.web.frontend import configure_jinja

    configure_jinja(app)  # before anything builds the Jinja environment (csrf.init_app does)
    db.init_app(app)
    db_setup.init_app(app)  # how transactions begin (the engine hooks), and which requests only read
    schema.migrate.init_app(app, db)
    csrf.init_app(app)
    # The SocketIO object is module-global and keeps the options of the last init_app, including the
    # message-queue client it made: an app without a queue must not inherit another app's.
    socketio.server_options.pop("client_manager", None)
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

    from voting import audit
    from voting.realtime import handlers
    from voting.realtime.publish import publisher
    from voting.services import group_commit
    from voting.web import rate_limits, register_blueprints

    audit.init_app(app)  # links every audit record the ORM writes into its event's hash chain
    register_blueprints(app)
    rate_limits.init_app(app)  # Flask-Limiter: in memory on one process, in Redis when scaled out
    logs.init_app(app)
    handlers.register()  # on the Socket.IO server socketio.init_app has just made for this app
    publisher.init_app(app)
    group_commit.init_app(app)

    with app.app_context():
        schema.upgrade()  # the migrations in voting/migrations, in one write transaction
    return app
