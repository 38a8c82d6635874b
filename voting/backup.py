"""Online backup and restore of the embedded SQLite database (PostgreSQL: use pg_dump / pg_restore)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

PG_GUIDANCE = (
    "This server uses PostgreSQL. Back it up with its own tools, for example:\n"
    '  pg_dump --format=custom --file=voting.dump "$DATABASE_URL"\n'
    "and restore into an empty database with:\n"
    '  pg_restore --clean --if-exists --dbname="$DATABASE_URL" voting.dump'
)


def sqlite_path(database_url: str) -> Path:
    """The file behind a sqlite:/// URL; ValueError for any other database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise ValueError(
            PG_GUIDANCE
            if url.get_backend_name().startswith("postgres")
            else "Only SQLite files can be backed up this way."
        )
    return Path(url.database)


def backup(database_url: str, target: Path) -> int:
    """Copy the live database to target with SQLite's online backup (safe while serving); returns pages."""
    source = sqlite3.connect(sqlite_path(database_url))
    if target.exists():
        raise FileExistsError(f"{target} already exists; choose a new file name.")
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
        pages = int(destination.execute("PRAGMA page_count").fetchone()[0])
        check = destination.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise RuntimeError(f"The backup failed its integrity check: {check}")
        return pages
    finally:
        destination.close()
        source.close()


def restore(database_url: str, source_file: Path) -> None:
    """Replace the database's contents with a backup (stop the server first)."""
    if not source_file.exists():
        raise FileNotFoundError(f"There is no backup at {source_file}.")
    source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
    try:
        check = source.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise RuntimeError(f"{source_file} is not a healthy database: {check}")
        target = sqlite_path(database_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
