"""Random tokens and their hashes: only the hash is ever stored."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """A URL-safe token with 256 random bits."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """SHA-256 hex: enough for high-entropy tokens, which need no slow KDF."""
    # surrogatepass: a lone surrogate (possible in a JSON string) hashes to nothing issued, never raises.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
