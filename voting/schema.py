"""The database schema: Alembic migrations (through Flask-Migrate) in voting/migrations.

`upgrade()` brings a database to the newest revision. It runs in one write transaction (SQLite's
BEGIN IMMEDIATE, PostgreSQL's advisory write lock: voting/db_setup.py), so several server processes
starting at once take turns and the later ones find nothing to do. A database made before the app
had migrations (by `db.create_all()`, with no alembic_version table) is recognised by its tables and
stamped as the first revision before upgrading, so an event database from that release keeps its votes.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from flask_migrate import Migrate
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Connection

from voting.extensions import db

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The first revision: exactly the tables the last release without migrations made with create_all.
BASELINE = "0001"

# render_as_batch: SQLite changes a column by copying its table (Alembic's "batch" mode).
migrate = Migrate(directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)


class SchemaError(RuntimeError):
    """The database's tables are not ones this app knows how to upgrade."""


def alembic_config() -> AlembicConfig:
    """Flask-Migrate's Alembic configuration for voting/migrations (needs an app context)."""
    return migrate.get_config(str(MIGRATIONS))


def upgrade(revision: str = "head") -> None:
    """Bring the app's database to `revision`, adopting a database made before migrations existed."""
    config = alembic_config()
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        try:
            with connection.begin():  # the write lock, held until every step is committed
                _adopt_unversioned(connection, config)
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    _check_foreign_keys(connection)
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    """SQLite's way to change a table is to copy it and drop the old one, and with foreign keys on,
    dropping a parent table deletes or refuses its children's rows. SQLite's own procedure for
    altering tables turns them off first (the pragma is a no-op inside a transaction, so this runs
    outside one) and checks them before committing."""
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise SchemaError(
            f"The upgrade would leave {len(broken)} rows pointing at rows that do not exist "
            f"(first in table {broken[0][0]}); nothing was changed."
        )


def _columns(connection: Connection) -> dict[str, set[str]]:
    found = inspect(connection)
    return {table: {c["name"] for c in found.get_columns(table)} for table in found.get_table_names()}


def baseline_columns() -> dict[str, set[str]]:
    """Every table and column the first revision makes (run on a scratch in-memory SQLite)."""
    config = alembic_config()
    scratch = create_engine("sqlite://")
    try:
        with scratch.connect() as connection, connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, BASELINE)
            tables = _columns(connection)
    finally:
        scratch.dispose()
    tables.pop("alembic_version", None)
    return tables


def _adopt_unversioned(connection: Connection, config: AlembicConfig) -> None:
    """Stamp a database made by create_all (no alembic_version) as the first revision, if its tables
    are exactly the ones that revision makes; refuse with a sentence if they are not."""
    tables = _columns(connection)
    if "alembic_version" in tables or not set(tables) & set(db.metadata.tables):
        return  # already under migrations, or none of our tables yet (a new database)
    expected = baseline_columns()
    ours = {name: columns for name, columns in tables.items() if name in db.metadata.tables}
    if ours != expected:
        missing = sorted(set(expected) - set(ours)) or sorted(
            f"{name}.{column}" for name in expected for column in expected[name] ^ ours.get(name, set())
        )
        raise SchemaError(
            "This database was made by a version of the app older than the one it can upgrade from "
            f"(it differs in: {', '.join(missing[:5])}). Nothing was changed; restore a backup made "
            "by the release before this one, or start a new database."
        )
    config.attributes["connection"] = connection
    command.stamp(config, BASELINE)


def current_revision() -> str | None:
    """The revision the app's database is at (None before the first upgrade)."""
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
