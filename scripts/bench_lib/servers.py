"""Start and stop the servers under test (always on 127.0.0.1), and sample their CPU and memory."""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_lib.probe import Sample, read_sink

ROOT = Path(__file__).resolve().parent.parent.parent  # the repository
SCRIPTS = ROOT / "scripts"
LAUNCHER = Path(__file__).resolve().parent / "serve_probed.py"
PYTHON = sys.executable
VOTING = str(Path(PYTHON).with_name("voting"))

_running: list[subprocess.Popen[bytes]] = []
_cleanups: list[Callable[[], None]] = []  # run after the servers stop (e.g. drop a temporary database)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def stop_all() -> None:
    """Stop every server this process started, then run the cleanups (atexit and on SIGTERM)."""
    while _running:
        _stop(_running.pop())
    while _cleanups:
        _cleanups.pop()()


def on_stop(cleanup: Callable[[], None]) -> None:
    """Run `cleanup` once, after every server has stopped, however the benchmark ends."""
    _cleanups.append(cleanup)


atexit.register(stop_all)


def _on_sigterm(signum: int, _frame: Any) -> None:
    stop_all()
    raise SystemExit(128 + signum)


def stop_servers_on_sigterm() -> None:
    """A benchmark stopped with SIGTERM (a CI time-out, `kill`) still stops its servers."""
    signal.signal(signal.SIGTERM, _on_sigterm)


@dataclass
class Server:
    """A server under test: where it listens, how to reach its API, and (if started here) its process."""

    kind: str  # "app", "reference" or "scaleout" (scaleout.ScaleOut: several app processes)
    url: str
    token: str = ""  # facilitator API token (app only)
    process: subprocess.Popen[bytes] | None = None
    pid: int | None = None
    workdir: Path | None = None
    log: Path | None = None
    probe_file: Path | None = None
    keep: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def probe_path(self) -> str:
        """A cheap GET for the responsiveness probe (a small static file; /ping on the reference)."""
        return "/ping" if self.kind == "reference" else "/static/css/print.css"

    @property
    def urls(self) -> list[str]:
        """Every process's address (one here; scale-out has one per process)."""
        return [self.url]

    @property
    def pids(self) -> list[int]:
        return [self.pid] if self.pid is not None else []

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        return [self.process] if self.process is not None else []

    def phone_url(self, phone: int) -> str:
        """The process a phone talks to, over HTTP and Socket.IO alike (as a sticky balancer does)."""
        return self.urls[phone % len(self.urls)]

    def screen_url(self, screen: int) -> str:
        return self.url

    @property
    def probed(self) -> bool:
        return self.probe_file is not None

    def probe_samples(self) -> list[Sample]:
        return read_sink(self.probe_file) if self.probe_file else []

    def probe_sample_sets(self) -> list[list[Sample]]:
        """The in-server loop probe's samples, one list per process."""
        return [self.probe_samples()]

    def log_tail(self, lines: int = 40) -> str:
        if not self.log or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            if self.process in _running:
                _running.remove(self.process)
        if self.workdir is not None and not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early (code {process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310  (our own 127.0.0.1 server)
                return
        except urllib.error.HTTPError:
            return  # it answered
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"server did not start within {timeout}s:\n{log.read_text()[-4000:]}")


def _spawn(cmd: list[str], env: dict[str, str], log: Path, ready_url: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)  # noqa: S603
    _running.append(process)
    try:
        _wait_until_up(ready_url, process, log)
    except BaseException:
        _stop(process)
        _running.remove(process)
        raise
    return process


def _workdir(prefix: str, db_dir: str | None) -> Path:
    # The database lives on a real disk by default (the system temporary folder here is ext4, not
    # tmpfs): synchronous=FULL makes every commit an fsync, and a RAM disk would hide that cost.
    return Path(tempfile.mkdtemp(prefix=prefix, dir=db_dir))


def start_app(
    async_mode: str,
    probe: bool = True,
    db_dir: str | None = None,
    keep: bool = False,
    env_overrides: dict[str, str] | None = None,
) -> Server:
    """`voting serve` on a free 127.0.0.1 port with a temporary SQLite database and a fresh API token.

    With probe=True the same wsgi.py runs under serve_probed.py, which adds an in-process loop probe.
    `env_overrides` replaces settings (scale-out: PostgreSQL, the Redis queue, a shared SECRET_KEY).
    """
    workdir = _workdir("voting-bench-app-", db_dir)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        SECRET_KEY=secrets.token_hex(32),
        PUBLIC_BASE_URL=url,
        SOCKETIO_ASYNC_MODE=async_mode,
    )
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    env.update(env_overrides or {})
    # A facilitator API token for this database, as `voting api-token` prints it (last line).
    done = subprocess.run(  # noqa: S603
        [VOTING, "api-token"], env=env, capture_output=True, timeout=60, check=True, cwd=ROOT
    )
    token = done.stdout.decode().strip().splitlines()[-1]
    log = workdir / "server.log"
    probe_file = workdir / "loop-probe.txt" if probe else None
    if probe:
        env["BENCH_PROBE_FILE"] = str(probe_file)
        cmd = [PYTHON, str(LAUNCHER), str(ROOT / "wsgi.py"), "--host", "127.0.0.1", "--port", str(port)]
    else:
        cmd = [VOTING, "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = _spawn(cmd, env, log, f"{url}/login")
    return Server(
        kind="app",
        url=url,
        token=token,
        process=process,
        pid=process.pid,
        workdir=workdir,
        log=log,
        probe_file=probe_file,
        keep=keep,
        extra={
            "command": " ".join(cmd[1:] if probe else cmd),
            "database": (env_overrides or {}).get("DATABASE_URL", str(workdir / "bench.sqlite3")),
        },
    )


def start_reference(
    async_mode: str, probe: bool = True, db_dir: str | None = None, keep: bool = False
) -> Server:
    """scripts/reference_server.py on a free 127.0.0.1 port with a temporary SQLite database."""
    workdir = _workdir("voting-bench-ref-", db_dir)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env["SOCKETIO_ASYNC_MODE"] = async_mode
    log = workdir / "server.log"
    probe_file = workdir / "loop-probe.txt" if probe else None
    script = str(SCRIPTS / "reference_server.py")
    args = ["--host", "127.0.0.1", "--port", str(port), "--database", str(workdir / "reference.sqlite3")]
    if probe:
        env["BENCH_PROBE_FILE"] = str(probe_file)
        cmd = [PYTHON, str(LAUNCHER), script, *args]
    else:
        cmd = [PYTHON, script, *args]
    process = _spawn(cmd, env, log, f"{url}/ping")
    return Server(
        kind="reference",
        url=url,
        process=process,
        pid=process.pid,
        workdir=workdir,
        log=log,
        probe_file=probe_file,
        keep=keep,
    )
