"""`voting restore` against a database a real server is using."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import VOTING, start_server

pytestmark = pytest.mark.sqlite_only  # SQLite backup and restore; PostgreSQL uses pg_dump


def test_restore_refuses_while_a_server_uses_the_database(tmp_path: Path) -> None:
    """Replacing the file under a running server would lose every vote it acknowledges afterwards."""
    server = start_server(
        tmp_path / "server.log",
        DATABASE_URL=f"sqlite:///{tmp_path / 'live.sqlite3'}",
        SECRET_KEY="e2e-secret-key",
    )
    backup = tmp_path / "backup.sqlite3"
    try:
        server.cli("backup", str(backup))
        refused = subprocess.run(
            [VOTING, "restore", str(backup), "--yes"], env=server.env, capture_output=True, timeout=60
        )
        assert refused.returncode != 0
        assert "A server is using this database" in refused.stderr.decode()
        assert "Stop the server, then restore." in refused.stderr.decode()
        server.kill()  # even SIGKILL lets go: the kernel drops the lock with the process
        assert "Restored from" in server.cli("restore", str(backup), "--yes")
    finally:
        server.stop()
