"""Online backup and restore of the embedded SQLite database (PostgreSQL: use pg_dump / pg_restore)."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path
from typing import IO

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
    source_path = sqlite_path(database_url)
    try:
        # Owner-only from the first byte (a backup holds every vote and name), and never over an
        # existing file: O_EXCL makes the check and the creation one step.
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise FileExistsError(f"{target} already exists; choose a new file name.") from None
    source = sqlite3.connect(source_path)
    destination = sqlite3.connect(target)  # SQLite takes an empty file as an empty database
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


def _lock_file(database_url: str) -> Path:
    path = sqlite_path(database_url)
    return path.with_name(path.name + ".serving")


def hold_serving_lock(database_url: str) -> IO[bytes] | None:
    """Mark the database as in use for as long as this process lives (the caller keeps the handle).

    A shared flock on a file beside the database: several servers may hold it at once, the kernel
    drops it when the process ends however it ends (even SIGKILL), and restore() asks for it
    exclusively. PostgreSQL has no such file (and restore refuses PostgreSQL anyway).
    """
    try:
        lock = _lock_file(database_url)
    except ValueError:
        return None
    lock.parent.mkdir(parents=True, exist_ok=True)
    handle = lock.open("ab")
    fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


def _refuse_if_serving(database_url: str) -> None:
    lock = _lock_file(database_url)
    if not lock.exists():
        return
    with lock.open("ab") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(
                "A server is using this database (`voting serve` holds it). Stop the server, then restore."
            ) from None
        fcntl.flock(handle, fcntl.LOCK_UN)


def restore(database_url: str, source_file: Path) -> None:
    """Replace the database's contents with a backup; refused while a server uses the database."""
    if not source_file.exists():
        raise FileNotFoundError(f"There is no backup at {source_file}.")
    _refuse_if_serving(database_url)
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
