"""What the console and the projector receive: one build per push, two views of it."""

from __future__ import annotations

from typing import Any

from voting.domain.states import Stage
from voting.models import Event
from voting.models.base import utcnow
from voting.services.interests import list_declarations
from voting.services.polls import event_polls, poll_state
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
    if "polls" in state:
        state["polls"] = [
            {**poll, "results": None} if poll["results_hidden"] else poll for poll in console["polls"]
        ]
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
    if console.get("stage3"):
        state["stage3"] = _mask_stage3(console["stage3"], {console["contracts"][i]["code"] for i in hidden})
    return state


def _mask_stage3(stage3: dict[str, Any], hidden: set[str]) -> dict[str, Any]:
    """The Stage 3 working matrix (which the projector shows) with hidden contracts masked too."""
    columns = stage3["matrix"]["columns"]
    rows = [
        {
            **row,
            "cells": [
                HIDDEN if code in hidden and cell not in ("NA", "") else cell
                for code, cell in zip(columns, row["cells"], strict=True)
            ],
        }
        for row in stage3["matrix"]["rows"]
    ]
    weighted = {code: None if code in hidden else w for code, w in stage3.get("weighted", {}).items()}
    ranking = [r for r in stage3.get("ranking", []) if r["contract"] not in hidden]
    return {**stage3, "matrix": {**stage3["matrix"], "rows": rows}, "weighted": weighted, "ranking": ranking}


def screen_states(event: Event) -> tuple[dict[str, Any], dict[str, Any]]:
    """(console, projector) states built once."""
    console = console_state(event)
    return console, projector_view(console)


def _polls(event: Event) -> dict[str, Any]:
    return {"polls": [poll_state(poll) for poll in event_polls(event.id)]}


def _declarations(event: Event) -> dict[str, Any]:
    return {"declarations": list_declarations(event.id), "exclude_declared": event.exclude_declared}


def _stages(event: Event) -> dict[str, Any]:
    from voting.services import stage3, stage4
    from voting.services.stages import STAGES, all_versions, version_summary

    extras: dict[str, Any] = {
        "stages": {str(n): title for n, title in STAGES.items()},
        "versions": [version_summary(v) for v in all_versions(event.id)],
    }
    # Each stage works from the result frozen by the stage before it; until there is one, nothing more.
    if event.stage == Stage.CONFIRMING and stage3.indicative_version(event) is not None:
        extras.update(stage3.console_extras(event))
    if event.stage == Stage.ARRANGING:
        extras.update(stage4.console_extras(event))  # {} before a confirmed matrix exists
    return extras


_EXTRAS: list[Any] = [_polls, _declarations, _stages]
