"""The `voting` command: serve, demo, api-token, set-password, db (and Flask's own commands)."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate.cli import db as migrate_commands

from voting import ROOT, create_app


def _serve(host: str, port: int, env: dict[str, str] | None = None) -> None:
    """Replace this process with the real server (wsgi.py monkey-patches before importing the app)."""
    os.environ.update(env or {})
    os.execv(sys.executable, [sys.executable, str(ROOT / "wsgi.py"), "--host", host, "--port", str(port)])  # noqa: S606


def _app() -> Flask:
    """The app for a command; a database it cannot upgrade is refused with the reason, not a traceback."""
    from voting.schema import SchemaError

    try:
        return create_app()
    except SchemaError as error:
        raise click.ClickException(str(error)) from error


@click.group(cls=FlaskGroup, create_app=_app, add_default_commands=False)
def main() -> None:
    """Live voting for collaborative commissioning events."""


@main.group("db")
@with_appcontext
def db_commands() -> None:
    """Schema migrations (Flask-Migrate): `voting db upgrade` brings the database up to date."""
    from flask import g

    from voting.schema import MIGRATIONS

    g.directory, g.x_arg = str(MIGRATIONS), ()  # what Flask-Migrate's own `db` group would set


# Flask-Migrate's commands, except `init` and `list-templates` (the app ships its migrations folder)
# and `upgrade`: ours below also adopts a database made before the app had migrations.
for _name, _command in migrate_commands.commands.items():
    if _name not in ("init", "list-templates", "upgrade"):
        db_commands.add_command(_command)


@db_commands.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: the newest), keeping every vote.

    A database made by the release before migrations (no alembic_version table) is recognised by
    its tables and marked as the first revision first.
    """
    from voting import schema

    try:
        schema.upgrade(revision)
    except schema.SchemaError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"The database is at revision {schema.current_revision()}.")


@main.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for the LAN)."
)
@click.option("--port", default=5000, show_default=True)
def serve(host: str, port: int) -> None:
    """Run the real server (gevent unless SOCKETIO_ASYNC_MODE says eventlet or threading)."""
    _serve(host, port)


@main.command("set-password")
@click.option(
    "--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Read from the prompt."
)
@with_appcontext
def set_password(password: str) -> None:
    """Set the facilitator password (asked twice, never echoed)."""
    from voting.errors import Refusal
    from voting.services import auth

    try:
        auth.set_password(password)
    except Refusal as error:
        raise click.ClickException(error.message) from error
    click.echo("Facilitator password set.")


@main.command("api-token")
@click.option("--event", "event_id", type=int, default=None, help="Bind the token to one event.")
@click.option(
    "--list", "show", is_flag=True, help="List issued tokens (numbers and dates, never the tokens)."
)
@click.option("--revoke", type=int, default=None, help="Revoke the token with this number.")
@with_appcontext
def api_token(event_id: int | None, show: bool, revoke: int | None) -> None:
    """Print a new facilitator API token (alone on the last line); or list or revoke tokens."""
    from voting.errors import Refusal
    from voting.services import auth

    try:
        if show:
            for token in auth.list_api_tokens():
                scope = f"event {token.event_id}" if token.event_id else "all events"
                state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
                click.echo(f"{token.id}\t{token.created_at:%Y-%m-%d %H:%M}\t{scope}\t{state}")
            return
        if revoke is not None:
            auth.revoke_api_token(revoke)
            click.echo(f"API token {revoke} revoked.")
            return
        click.echo("New facilitator API token (shown once; only its hash is kept):", err=True)
        click.echo(auth.issue_api_token(event_id))
    except Refusal as error:
        raise click.ClickException(error.message) from error


@main.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="0.0.0.0 lets phones on the wifi reach it."
)
@click.option("--port", default=5000, show_default=True)
@click.option("--public-url", default="", help="The address phones use, e.g. http://192.168.1.20:5000")
@click.option("--with-votes", is_flag=True, help="Pre-fill the votes published in Annex 2.")
@click.option("--no-serve", is_flag=True, help="Only build the demo database.")
@with_appcontext
def demo(host: str, port: int, public_url: str, with_votes: bool, no_serve: bool) -> None:
    """Build a fresh demo database with the Annex 2 example and serve it."""
    from voting.demo import build_demo

    database = Path(current_app.instance_path) / "demo.sqlite3"
    local = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104  (only compared)
    base = (public_url or f"http://{local}:{port}").rstrip("/")
    password = secrets.token_urlsafe(12)
    info = build_demo(database, base, password, with_votes)
    click.echo(info)
    if not no_serve:
        _serve(host, port, {"DATABASE_URL": f"sqlite:///{database}", "PUBLIC_BASE_URL": base})


@main.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Back up the database to PATH (SQLite online backup; safe while the server runs)."""
    from voting.backup import backup

    try:
        pages = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except (ValueError, FileExistsError, RuntimeError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up to {path} ({pages} pages, integrity checked).")


@main.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH (refused while a server is using it)."""
    from voting.backup import restore
    from voting.extensions import db

    if not yes:
        click.confirm("This replaces everything in the current database. Continue?", abort=True)
    db.engine.dispose()  # no open connection may write while the file is replaced
    try:
        restore(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except (ValueError, FileNotFoundError, RuntimeError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored from {path}.")


@main.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command("verify")
@click.option("--event", "event_id", type=int, default=None, help="One event (default: all).")
@click.option(
    "--pack",
    "pack_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Check a steering pack (JSON) offline against its own audit records instead.",
)
@click.option(
    "--head",
    "printed_head",
    default=None,
    help="A chain head printed in an earlier export: check it is still in the event's chain (needs --event).",
)
@with_appcontext
def audit_verify(event_id: int | None, pack_path: Path | None, printed_head: str | None) -> None:
    """Recompute each event's sealed chain and replay it against the tables; name the first break.

    Exit status 1 when anything is broken or differs, 2 when the chain is intact but (partly)
    written before the app kept an audit key, so it cannot prove nobody rewrote it.
    """
    from voting import audit as chain

    if pack_path is not None:
        from voting.audit_pack import verify_pack

        outcome = verify_pack(pack_path.read_bytes(), chain.audit_key())
        for line in outcome.lines:
            click.echo(line)
        raise SystemExit(outcome.status)
    verdicts = [chain.verify(event_id)] if event_id is not None else chain.verify_all()
    status = 0
    if printed_head is not None:
        if event_id is None:
            raise click.UsageError("Name the event whose export printed the head: --event ID --head HASH.")
        seq = chain.position_of(event_id, printed_head)
        if seq is None:
            status = 1
            click.echo(
                f"Event {event_id}: FAILED: the head {printed_head} handed out earlier is not in the chain: "
                "the records up to it were deleted or rewritten since."
            )
        else:
            click.echo(
                f"Event {event_id}: the head {printed_head} handed out earlier is link {seq} of the chain."
            )
    for verdict in verdicts:
        if verdict.broken:
            status = 1
            click.echo(f"Event {verdict.event_id}: BROKEN after {verdict.links} good links. {verdict.broken}")
        elif verdict.difference:
            status = 1
            click.echo(
                f"Event {verdict.event_id}: TABLES DIFFER from the {verdict.links} chained records. "
                f"{verdict.difference}"
            )
        elif verdict.unsealed:
            status = status or 2
            click.echo(f"Event {verdict.event_id}: NOT SEALED, {verdict.links} records, head {verdict.head}.")
        else:
            click.echo(
                f"Event {verdict.event_id}: intact, {verdict.links} records sealed with the audit key; "
                f"votes and frozen versions match them; head {verdict.head}"
            )
        for note in verdict.notes:
            click.echo(f"  {note}")
    raise SystemExit(status)
