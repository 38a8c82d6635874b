"""Configuration from the environment (see .env.example)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path


def _instance_secret(instance_path: str, name: str = "secret_key") -> str:
    """A random secret kept in the instance folder, so a fresh install never runs on a known key."""
    path = Path(instance_path) / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Create with owner-only permissions; the keys sign session cookies and seal the audit chain.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def from_environment(instance_path: str, environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Settings read from environment variables (`environ`, os.environ unless given), with safe
    defaults for one laptop."""
    env = os.environ if environ is None else environ
    database_url = env.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'voting.sqlite3'}"
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or _instance_secret(instance_path),
        # Seals every link of the audit chain (HMAC-SHA256), kept outside the database so whoever
        # holds the database file cannot re-hash a changed chain. Every process must share it.
        "AUDIT_KEY": env.get("AUDIT_KEY") or _instance_secret(instance_path, "audit_key"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or "").rstrip("/"),
        "SOCKETIO_MESSAGE_QUEUE": env.get("SOCKETIO_MESSAGE_QUEUE") or None,
        # Pub/sub channels are shared by every Redis database number: two deployments (or test runs)
        # on one Redis must use different channels, or each hears the other's pushes.
        "SOCKETIO_CHANNEL": env.get("SOCKETIO_CHANNEL") or None,
        "SOCKETIO_ASYNC_MODE": env.get("SOCKETIO_ASYNC_MODE") or None,
        "ORGANISER_LOGO_URL": env.get("ORGANISER_LOGO_URL") or None,
        "ORGANISER_LOGO_ALT": env.get("ORGANISER_LOGO_ALT") or None,
        # The app's own rule (no framework sets one): a console sign-in ends this many hours after it
        # began, whatever happens; signing out or a password change ends it sooner.
        "FACILITATOR_SESSION_HOURS": float(env.get("FACILITATOR_SESSION_HOURS") or 12),
        # Behind a TLS-terminating proxy (nginx): how many proxies' X-Forwarded-* headers to trust.
        "TRUST_PROXY": int(env.get("TRUST_PROXY") or 0),
        # Cookies are Secure only when phones really reach the app over HTTPS: a plain-HTTP venue
        # LAN must keep working, and a Secure cookie is never sent over HTTP.
        "SESSION_COOKIE_SECURE": (env.get("PUBLIC_BASE_URL") or "").startswith("https://"),
    }


class Config:
    """Defaults shared by every deployment; the environment fills in the rest."""

    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # an event day is long; the token is tied to the session anyway
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    PUSH_INTERVAL = 0.1  # seconds between coalesced pushes to screens (<= 10 a second)
    # The app's rule, not the framework's: a closed anonymous poll shows its counts only when at
    # least this many delegates of at least this many CCGs answered (docs/security.md).
    ANONYMOUS_POLL_MIN_ANSWERS = 3
    ANONYMOUS_POLL_MIN_CCGS = 2
    # The app's setting: how often each server process checks the credentials its live connections
    # opened with (sign-in, API token, delegate link) and drops those withdrawn elsewhere - by
    # another process or the `voting` command, which has no connections of its own to drop.
    LIVE_CHECK_SECONDS = 1.0
    # The app's own limits on joining by event code. A hall shares one address, so they count per
    # browser (a cookie) and per event, never per address: a walk-in may retry a few times, and a
    # script that drops its cookie still cannot fill the waiting list beyond the per-event count.
    JOIN_LIMIT_PER_BROWSER = 10
    JOIN_LIMIT_PER_EVENT = 300
    JOIN_LIMIT_WINDOW = 600  # seconds
    # The app's own rate limits (Flask-Limiter's notation), counted per delegate or connection, never
    # per address. 60 votes in 10 seconds is room for a 20-contract ballot with resends, and stops a
    # runaway client; a phone asks for its snapshot again at most 5 times in 10 seconds.
    VOTE_LIMIT = "60 per 10 seconds"
    RESYNC_LIMIT = "5 per 10 seconds"
    # Wrong facilitator passwords from one address (the one limit per address: the console is not
    # used from the hall's shared wifi by many people at once).
    SIGN_IN_LIMIT = "5 per 15 minutes"
    # Counted in a moving window, as before; when Redis (the scaled-out storage) does not answer,
    # each process counts on its own rather than refusing votes.
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    TESTING = False

    @classmethod
    def deployment_settings(cls, instance_path: str) -> dict[str, object]:
        """What varies by deployment: read from the environment (.env.example)."""
        return from_environment(instance_path)


class TestingConfig(Config):
    """In-process tests: threading mode, CSRF checked like production, and nothing read from the
    developer's environment (their DATABASE_URL, SECRET_KEY, message queue ...): every setting is
    the default below or the test's own override."""

    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"  # noqa: S105  (tests only)
    AUDIT_KEY = "testing-audit-key-not-for-production"

    @classmethod
    def deployment_settings(cls, instance_path: str) -> dict[str, object]:
        """The defaults for one laptop, as if no variable were set (and no key file is made)."""
        return from_environment(instance_path, {"SECRET_KEY": cls.SECRET_KEY, "AUDIT_KEY": cls.AUDIT_KEY})

    SOCKETIO_ASYNC_MODE = "threading"
    PUSH_INTERVAL = 0.02
    LIVE_CHECK_SECONDS = 0.2
