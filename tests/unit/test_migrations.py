"""The schema comes from Alembic migrations, and an event database of the last release upgrades intact.

The fixtures in tests/fixtures/ were made by the release before migrations (see the README there);
each test runs on SQLite, and on PostgreSQL in scripts/test's second run (VOTING_TEST_DATABASE).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from tests.conftest import on_postgresql
from voting import create_app
from voting.config import TestingConfig
from voting.extensions import db
from voting.models import Event, Vote, VoteAudit
from voting.schema import BASELINE

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VOTING = str(Path(sys.executable).with_name("voting"))
RELEASE_AUDIT_KEY = "release-fixture-audit-key"  # the key the fixtures' chains were sealed with
RELEASE_VOTES, RELEASE_LINKS = 189, 216  # what the release's `voting demo --with-votes` stored


def differences(url: str) -> list[Any]:
    """What Alembic's autogenerate finds between the database at `url` and the models."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, db.metadata))
    finally:
        engine.dispose()


def voting(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The real `voting` command on the database at `url`, with the fixtures' audit key."""
    env = os.environ | {"DATABASE_URL": url, "AUDIT_KEY": RELEASE_AUDIT_KEY, "SECRET_KEY": "x" * 32}
    return subprocess.run([VOTING, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def load_release_database(url: str, tmp_path: Path) -> str:
    """Put the release's demo database at `url` (an empty database); returns the URL to use."""
    if not on_postgresql():
        target = tmp_path / "release.sqlite3"
        shutil.copy(FIXTURES / "release-0.1.0-demo.sqlite3", target)
        return f"sqlite:///{target}"
    database = make_url(url).database
    dump = FIXTURES / "release-0.1.0-demo.postgresql.sql"
    subprocess.run(
        [
            "psql",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            database,
            "-f",
            dump,
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return url


def test_the_migrations_make_exactly_the_models_schema(app: Any) -> None:
    """The app fixture's database was made by the migrations (create_app upgrades to head):
    autogenerate finds nothing to add, drop or change."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    assert differences(url) == []
    with app.app_context():
        assert "alembic_version" in inspect(db.engine).get_table_names()


def test_an_event_database_of_the_last_release_upgrades_with_its_votes_intact(
    database_url: str, tmp_path: Path
) -> None:
    """Made by `voting demo --with-votes` of the release before migrations (no alembic_version table);
    `voting db upgrade` recognises it, and its votes, matrix and sealed audit chain are unchanged."""
    url = load_release_database(database_url, tmp_path)
    probe = create_engine(url)
    with probe.connect() as connection:
        assert "alembic_version" not in inspect(connection).get_table_names()
    probe.dispose()

    upgraded = voting(url, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"The database is at revision {BASELINE}." in upgraded.stdout
    verified = voting(url, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"Event 1: intact, {RELEASE_LINKS} records sealed with the audit key" in verified.stdout
    assert differences(url) == []

    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path / "i")})
    try:
        with app.app_context():
            from voting.services.snapshots import event_matrix

            assert db.session.scalar(select(func.count()).select_from(Vote)) == RELEASE_VOTES
            assert db.session.scalar(select(func.count()).select_from(VoteAudit)) == RELEASE_VOTES
            matrix, _positions, _votes = event_matrix(db.session.get(Event, 1))
            # The Annex 2 matrix as published (and as tests/web/test_cli.py expects of a new demo).
            assert matrix.row_labels("J")[:8] == ["NA", "2", "NA", "3", "4", "1", "", "NA"]
            assert matrix.row_labels("A")[:5] == ["2", "NA", "NA", "NA", "4"]
            version = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            assert version == [BASELINE]
    finally:
        app.extensions["voting_publisher"].stop()
        with app.app_context():
            db.engine.dispose()


def test_a_database_whose_tables_differ_is_refused_with_a_sentence_and_left_alone(
    database_url: str, tmp_path: Path
) -> None:
    """A database without alembic_version whose tables are not the release's (here a column is
    missing, as in an older build) is not stamped: upgrading it could lose data."""
    url = load_release_database(database_url, tmp_path)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE event DROP COLUMN exclude_declared"))
    engine.dispose()

    refused = voting(url, "db", "upgrade")
    assert refused.returncode != 0
    assert "older than the one it can upgrade from" in refused.stderr
    assert "event.exclude_declared" in refused.stderr
    assert "Traceback" not in refused.stderr
    engine = create_engine(url)
    with engine.connect() as connection:
        assert "alembic_version" not in inspect(connection).get_table_names()
        assert connection.execute(text("SELECT count(*) FROM vote")).scalar() == RELEASE_VOTES
    engine.dispose()
