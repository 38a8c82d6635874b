"""Alembic's entry point for the app's migrations (run by voting.schema and the `voting db` commands)."""

from __future__ import annotations

from typing import Any

from alembic import context
from flask import current_app

from voting import models  # noqa: F401  (registers every table on db.metadata for autogenerate)
from voting.extensions import db

config = context.config


def _skip_empty_revision(_context: Any, _revision: Any, directives: list[Any]) -> None:
    """`voting db migrate` writes no revision file when the models did not change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def _options() -> dict[str, Any]:
    options = dict(current_app.extensions["migrate"].configure_args)  # render_as_batch, compare_type
    options.setdefault("process_revision_directives", _skip_empty_revision)
    return options


def run_offline() -> None:
    """`voting db upgrade --sql`: print the SQL instead of running it."""
    context.configure(url=db.engine.url, target_metadata=db.metadata, literal_binds=True, **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run on the connection voting.schema hands over (its transaction holds the write lock), or on
    a connection of our own for the other `voting db` commands."""
    given = config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    with db.engine.connect() as connection:
        _run(connection)


def _run(connection: Any) -> None:
    context.configure(connection=connection, target_metadata=db.metadata, **_options())
    # Alembic joins a transaction already open on the connection; otherwise it begins one, and the
    # app's begin hook (voting/db_setup.py) takes the write lock for it as for any writer.
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
