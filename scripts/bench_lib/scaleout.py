"""The scale-out target: two `voting serve` processes sharing PostgreSQL and the Redis message queue.

This is the set-up of docs/deployment.md without nginx: the benchmark plays the sticky balancer
itself. Phones alternate between the processes by index (phone 0 on A, phone 1 on B, ...), and each
phone sends its personal link, its Socket.IO connection and its votes to its own process, as nginx's
cookie stickiness would. Screens alternate the other way round - screen 0, the projector that the
"shown on the projector" latency is measured on, is on B, the console on A - so the half of the
votes cast on A reach the projector only through Redis.

Each run gets a database of its own (`bench_<random>`, created here and dropped when the servers
stop, however the benchmark ends) and a Socket.IO channel of its own (`bench-<random>`), so it
never sees another run or the tests sharing the same PostgreSQL and Redis.
"""

from __future__ import annotations

import contextlib
import secrets
import subprocess
from dataclasses import dataclass, field
from typing import Any

from bench_lib import servers
from bench_lib.probe import Sample

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test", "connect_timeout": 3}
REDIS_URL = "redis://127.0.0.1:6379/0"
PROCESSES = 2
START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
START_REDIS = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'


def unreachable() -> str | None:
    """Why the scale-out target cannot run here (a sentence saying how to fix it), or None."""
    try:
        import psycopg2
        import redis
    except ImportError as error:
        return f"--scale-out needs psycopg2 and redis ({error}): .venv/bin/pip install -e '.[test]'"
    try:
        psycopg2.connect(**PG).close()
    except psycopg2.Error as error:
        return (
            f"--scale-out needs PostgreSQL on {PG['host']}:{PG['port']} (user {PG['user']}, trust auth, "
            f"database {PG['dbname']}), which is not reachable ({' '.join(str(error).split())}). "
            f"Start it with: {START_POSTGRES} (see docs/deployment.md)"
        )
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        return (
            f"--scale-out needs Redis at {REDIS_URL}, which is not reachable ({error}). "
            f"Start it with: {START_REDIS} (see docs/deployment.md)"
        )
    return None


def _admin(statement: str) -> None:
    import psycopg2

    connection = psycopg2.connect(**PG)
    connection.autocommit = True  # CREATE/DROP DATABASE cannot run inside a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def create_database() -> tuple[str, Any]:
    """A fresh, empty database and the function that drops it (also run when the servers stop)."""
    name = f"bench_{secrets.token_hex(6)}"
    _admin(f'CREATE DATABASE "{name}"')
    dropped = False

    def drop() -> None:
        nonlocal dropped
        if not dropped:
            dropped = True
            # FORCE: a server killed mid-transaction may leave a session behind for a moment.
            with contextlib.suppress(Exception):  # best effort: never hide the run's own outcome
                _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    servers.on_stop(drop)
    return name, drop


@dataclass
class ScaleOut(servers.Server):
    """Several app processes on one database and one channel, seen by the load as one target."""

    members: list[servers.Server] = field(default_factory=list)
    drop: Any = None  # drops the database (also registered with servers.on_stop)

    @property
    def urls(self) -> list[str]:
        return [m.url for m in self.members]

    @property
    def pids(self) -> list[int]:
        return [pid for m in self.members for pid in m.pids]

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        return [p for m in self.members for p in m.processes]

    def screen_url(self, screen: int) -> str:
        # Screen 0 (the projector) on B, the console on A, and so on: see the module docstring.
        return self.urls[(screen + 1) % len(self.urls)]

    @property
    def probed(self) -> bool:
        return all(m.probed for m in self.members)

    def probe_samples(self) -> list[Sample]:
        return sorted(s for m in self.members for s in m.probe_samples())

    def probe_sample_sets(self) -> list[list[Sample]]:
        return [m.probe_samples() for m in self.members]

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(
            f"--- process {chr(65 + n)}:\n{m.log_tail(lines)}" for n, m in enumerate(self.members)
        )

    def stop(self) -> None:
        for member in self.members:
            member.stop()
        if self.drop is not None:
            self.drop()


def start(async_mode: str, probe: bool = True, db_dir: str | None = None, keep: bool = False) -> ScaleOut:
    """Two `voting serve` processes (A, then B) on a new PostgreSQL database and a new Redis channel."""
    database, drop = create_database()
    env = {
        "DATABASE_URL": f"postgresql+psycopg2://{PG['user']}@{PG['host']}:{PG['port']}/{database}",
        "SOCKETIO_MESSAGE_QUEUE": REDIS_URL,
        "SOCKETIO_CHANNEL": f"bench-{database}",
        "SECRET_KEY": secrets.token_hex(32),  # shared: a session cookie must be valid on every process
    }
    members: list[servers.Server] = []
    try:
        for _ in range(PROCESSES):
            members.append(servers.start_app(async_mode, probe, db_dir, keep, env_overrides=env))
    except BaseException:
        for member in members:
            member.stop()
        drop()
        raise
    first = members[0]
    return ScaleOut(
        kind="scaleout",
        url=first.url,
        token=first.token,  # made by A, valid on B too: they share the database
        members=members,
        drop=drop,
        extra={
            "processes": [
                {"url": m.url, "pid": m.pid, **m.extra, **({"log": str(m.log)} if keep else {})}
                for m in members
            ],
            "database": env["DATABASE_URL"],
            "message_queue": REDIS_URL,
            "channel": env["SOCKETIO_CHANNEL"],
            "placement": "phone i on process i % 2 (A=0, B=1); screen j on process (j + 1) % 2: projector on B",
        },
    )
