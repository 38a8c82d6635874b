"""`voting backup` and `voting restore`: a restored instance shows the same event, votes and matrix."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest

from voting import create_app
from voting.cli import main
from voting.extensions import db
from voting.models import Delegate, Event
from voting.services import contracts, votes
from voting.services.snapshots import event_matrix


def matrix_rows(app: Any, event_id: int) -> list[list[str]]:
    with app.app_context():
        matrix, _p, _v = event_matrix(db.session.get(Event, event_id))
        return [matrix.row_labels(row.code) for row in matrix.rows]


@pytest.mark.sqlite_only
def test_backup_then_restore_into_a_fresh_instance(
    app: Any, runner: Any, make_event: Any, make_delegate: Any, tmp_path: Path
) -> None:
    event = make_event()
    ann = make_delegate(event["id"], "00Q", "Ann")
    with app.app_context():
        contracts.open_contracts(db.session.get(Event, event["id"]), ["1"])
        votes.cast_vote(db.session.get(Delegate, ann["id"]), "1", 2, secrets.token_urlsafe(12))
    before = matrix_rows(app, event["id"])
    assert before[0][0] == "2"

    target = tmp_path / "backup.sqlite3"
    done = runner.invoke(main, ["backup", str(target)])
    assert done.exit_code == 0, done.output
    assert "integrity checked" in done.output
    assert runner.invoke(main, ["backup", str(target)]).exit_code != 0  # never overwrites a backup

    fresh = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
            "SECRET_KEY": "x",
            "TESTING": True,
        }
    )
    restored = fresh.test_cli_runner().invoke(main, ["restore", str(target), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert matrix_rows(fresh, event["id"]) == before
    with fresh.app_context():
        assert db.session.get(Event, event["id"]).name == "Test event"
        db.engine.dispose()
    fresh.extensions["voting_publisher"].stop()


def test_postgres_backups_point_to_pg_dump(tmp_path: Path) -> None:
    from voting.backup import sqlite_path

    try:
        sqlite_path("postgresql+psycopg2://user@127.0.0.1:5432/test")
    except ValueError as error:
        assert "pg_dump" in str(error)
    else:
        raise AssertionError("PostgreSQL must not be treated as a file")


@pytest.mark.sqlite_only
def test_a_backup_is_readable_by_its_owner_only(app: Any, runner: Any, tmp_path: Path) -> None:
    """A backup holds every name and vote: mode 0600 from creation, whatever the umask."""
    target = tmp_path / "private.sqlite3"
    done = runner.invoke(main, ["backup", str(target)])
    assert done.exit_code == 0, done.output
    assert target.stat().st_mode & 0o777 == 0o600
