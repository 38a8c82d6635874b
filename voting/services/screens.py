"""What the console and the projector receive: one build per push, two views of it."""

from __future__ import annotations

from typing import Any

from voting.models import Event
from voting.models.base import utcnow
from voting.services.snapshots import event_state
from voting.timefmt import iso

CONSOLE_ONLY = ("organisations", "pending", "splits", "declarations")
HIDDEN = "✓"  # a hidden result: shows that the CCG has voted, not how


def console_state(event: Event) -> dict[str, Any]:
    """Everything the facilitator's console shows, live."""
    state = event_state(event, for_console=True)
    state["stage"] = event.stage
    state["now"] = iso(utcnow())  # lets screens run countdowns on the server's clock
    for extra in _EXTRAS:
        state.update(extra(event))
    return state


def projector_view(console: dict[str, Any]) -> dict[str, Any]:
    """The projector's copy: no names of people, and hidden results masked."""
    state = {key: value for key, value in console.items() if key not in CONSOLE_ONLY}
    hidden = [i for i, c in enumerate(console["contracts"]) if c.get("results_hidden")]
    if not hidden:
        return state
    state["contracts"] = [dict(c) for c in console["contracts"]]
    for i in hidden:
        contract = state["contracts"][i]
        contract.update(counts=None, votes=None, split=None, modal="")
    rows = []
    for row in console["matrix"]["rows"]:
        cells = list(row["cells"])
        for i in hidden:
            if cells[i] not in ("NA", ""):
                cells[i] = HIDDEN
        rows.append({**row, "cells": cells})
    state["matrix"] = {**console["matrix"], "rows": rows}
    return state


def screen_states(event: Event) -> tuple[dict[str, Any], dict[str, Any]]:
    """(console, projector) states built once."""
    console = console_state(event)
    return console, projector_view(console)


# Further parts of the state (polls, stage 3 flags, stage 4 arrangements) register here.
_EXTRAS: list[Any] = []


def extra(builder: Any) -> Any:
    """Decorator: add a builder whose dict is merged into every console state."""
    _EXTRAS.append(builder)
    return builder
