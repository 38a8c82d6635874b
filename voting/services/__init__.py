"""Use cases: the only code that writes. Each commits, then publishes."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal with a sentence for the person who asked, and the HTTP status that fits."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
