"""Wording shared by every steering pack format: version names, times, the banner, the method note."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from voting.timefmt import ZONE

KIND_TITLES: dict[str, str] = {
    "indicative": "Indicative matrix",
    "confirmed": "Confirmed matrix",
    "arrangements": "Arrangements",
}
KIND_STAGES: dict[str, int] = {"indicative": 2, "confirmed": 3, "arrangements": 4}
NOT_FROZEN = "not frozen yet"
WHEN_FROZEN: dict[str, str] = {
    "indicative": "it is frozen when the event moves from stage 2 to stage 3",
    "confirmed": "it is frozen when the event moves from stage 3 to stage 4",
    "arrangements": "they are frozen when the facilitator finalises stage 4",
}
SOURCE = (
    "A framework for collaborative commissioning between clinical commissioning groups "
    "(NHS Commissioning Board, 2012), Annex 2"
)
STAGE_RESULTS: dict[int, str] = {
    1: "appetite polls",
    2: "the indicative matrix: each CCG's preferred configuration for each contract",
    3: "the confirmed matrix: positions confirmed or amended, with reasons, beside the neighbours' positions",
    4: "the collaborative arrangements: members, co-ordinating commissioner, model, decision rules, "
    "contributions and cost split",
}
CSS_LABEL = "Commissioning support service (CSS)"
NOT_AGREED = "Not agreed yet"
COST_METHODS: dict[str, str] = {
    "value": "By share of contract value",
    "equal": "Equally",
    "custom": "Custom percentages",
}


def when(iso_text: str | None, seconds: bool = False) -> str:
    """An ISO UTC time as people at the venue read it: "2012-05-14 10:42 BST"."""
    if not iso_text:
        return ""
    moment = datetime.fromisoformat(iso_text).astimezone(ZONE)
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")


def version_text(version: Mapping[str, Any]) -> str:
    """ "Confirmed matrix v2 (frozen 2012-05-14 10:42 BST)" or "Arrangements not frozen yet"."""
    title = KIND_TITLES.get(str(version["kind"]), str(version["kind"]))
    if version.get("number") is None:
        return f"{title} {NOT_FROZEN}"
    return f"{title} v{version['number']} (frozen {when(version['frozen_at'])})"


def versions_text(versions: list[Mapping[str, Any]]) -> str:
    """Every version of the pack in one line, separated by semicolons."""
    return "; ".join(version_text(v) for v in versions)


def banner(pack: Mapping[str, Any]) -> str:
    """The line that opens every sheet and file: event, stage versions, when it was made."""
    return (
        f"{pack['event']['name']} - {versions_text(pack['versions'])} - "
        f"generated {when(pack['generated_at'])}"
    )


def method_note(questions: Mapping[int, str]) -> str:
    """A short paragraph naming the method and its four stages."""
    stages = " ".join(
        f"Stage {number}, \u201c{question}\u201d, gives {STAGE_RESULTS[number]}."
        for number, question in sorted(questions.items())
    )
    return (
        f"Method: {SOURCE}, which describes how emergent CCGs in the North East established their "
        f"collaborative arrangements. {stages} Levels run from 1 (individual CCG) to 5 (national). "
        "Each stage's result is kept as a dated, frozen version; this pack names the versions it "
        "contains. Models are those of technical appendix 2; decision rules follow section 4, "
        "\u201cProcess for taking decisions\u201d."
    )


def yes_no(value: object) -> str:
    """ "Yes" or "No"."""
    return "Yes" if value else "No"


def percent(share: float | None) -> float | None:
    """A fraction of 1 as a percentage rounded to two places (None stays None)."""
    return None if share is None else round(share * 100, 2)
