"""Typed refusals: what the domain and the services raise when they will not do what was asked.

Each carries a sentence for the person who asked. Only the web and Socket.IO layers decide what a
refusal becomes on the wire (an HTTP status, a refused connection), each in one place.
"""

from __future__ import annotations


class Refusal(Exception):
    """A request the app will not carry out, with a sentence a delegate or facilitator understands."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(Refusal):
    """What was sent cannot be used: missing, malformed, out of range, or not possible now."""


class NotFound(Refusal):
    """The thing asked about is not part of this event."""


class Closed(Refusal):
    """Not open for this now: the vote or poll has not opened, has closed, or it is another stage."""


class Conflict(Refusal):
    """Clashes with what is already recorded (a resend with another choice, a restarted vote)."""


class NotAllowed(Refusal):
    """The person is known but may not do this (not admitted, link withdrawn, not a member)."""


class Unauthorised(Refusal):
    """The credential is not valid (an unknown or reissued voting link)."""


class Unavailable(Refusal):
    """Could not be saved just now; the phone keeps the vote and sends it again."""
