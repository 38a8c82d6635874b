"""Parse an upload where the server's event loop keeps answering phones meanwhile.

Under gevent or eventlet every connection shares one OS thread. A parse that takes a second of CPU
there freezes every phone for that second; so does one in a thread of the same process, nearly:
the parsing thread holds the GIL and the hub waits for it at every socket call (measured: phones
waited up to 0.25 s while openpyxl read 100,000 shared strings in gevent's threadpool). So a
workbook, or any file over SMALL_CSV, is parsed in a child process (voting/importers/worker.py)
that the calling greenlet waits for cooperatively. A small CSV parses in milliseconds and goes to
gevent's threadpool or eventlet's tpool instead. Under "threading" (tests) the call runs in place.
gevent and eventlet are imported only inside their branch: only the entry point loads them early.
"""

from __future__ import annotations

import logging
import pickle  # noqa: S403  (between this process and the child it started, with our own code)
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from voting.importers.problems import ImportResult, Problem
from voting.importers.table import is_xlsx

T = TypeVar("T")
log = logging.getLogger(__name__)

SMALL_CSV = 64 * 1024  # bytes: parses in a few milliseconds
CHILD_TIMEOUT = 60  # seconds; the limits in bounds.py keep a real parse to a few seconds
WORKER = Path(__file__).with_name("worker.py")
FAILED = "The file could not be read. Save it again as .xlsx or 'CSV UTF-8' and upload it again."


def parse_off_loop(
    async_mode: str | None, reader: Callable[..., ImportResult[T]], data: bytes, *args: Any
) -> ImportResult[T]:
    """`reader(data, *args)`, run where it cannot stall the server's other connections."""
    if async_mode not in ("gevent", "eventlet"):
        return reader(data, *args)  # threading: each request already has its own OS thread
    if len(data) <= SMALL_CSV and not is_xlsx(data):
        return _in_thread(async_mode, reader, data, *args)
    return _in_child(async_mode, reader, data, *args)


def _in_thread(async_mode: str, reader: Callable[..., T], *args: Any) -> T:
    if async_mode == "gevent":
        import gevent

        result: T = gevent.get_hub().threadpool.apply(reader, args)
        return result
    from eventlet import tpool

    return tpool.execute(reader, *args)  # type: ignore[no-any-return]


def _in_child(async_mode: str, reader: Callable[..., ImportResult[T]], *args: Any) -> ImportResult[T]:
    if async_mode == "gevent":
        from gevent import subprocess
    else:
        from eventlet.green import subprocess  # type: ignore[no-redef]
    payload = pickle.dumps((reader.__module__, reader.__name__, args))
    child = subprocess.Popen(
        [sys.executable, str(WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        out, err = child.communicate(payload, timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        log.warning("import parser took longer than %s s and was stopped", CHILD_TIMEOUT)
        return ImportResult((), (Problem(0, None, FAILED),))
    if child.returncode != 0:
        log.warning("import parser failed (exit %s): %s", child.returncode, err.decode()[-500:])
        return ImportResult((), (Problem(0, None, FAILED),))
    result: ImportResult[T] = pickle.loads(out)  # noqa: S301  (written by worker.py, our own code)
    return result
