"""Stage 4 ballots: each delegate votes for their CCG; the CCG's ballot combines its delegates'.

The framework has the CCG vote (Annex 2, Stage 2: "The CCG then voted"), so a CCG's ballot on a
proposal is the plurality of its admitted delegates' ballots, as for contract votes; a tie is a split,
shown as such and counted neither as yes nor as no. Removed delegates' ballots do not count.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from voting.domain.aggregation import combine_choices
from voting.extensions import db
from voting.models import Arrangement, ArrangementBallot, Delegate, Organisation
from voting.models.delegate import ACTIVE

WORDS = {"yes": "Yes", "no": "No", "abstain": "Abstain"}


def proposal_of(row: Arrangement, topic: str) -> str:
    """What is being voted on: the proposed co-ordinator or model."""
    return row.coordinator if topic == "coordinator" else row.model


def ccg_ballots(row: Arrangement, topic: str) -> dict[str, tuple[str, ...]]:
    """CCG code -> its combined ballot on the current proposal: one choice, or several when split."""
    proposal = proposal_of(row, topic)
    by_org: dict[str, list[str]] = defaultdict(list)
    for code, ballot in db.session.execute(
        select(Organisation.code, ArrangementBallot.ballot)
        .join(Delegate, Delegate.id == ArrangementBallot.delegate_id)
        .join(Organisation, Organisation.id == Delegate.organisation_id)
        .where(
            ArrangementBallot.arrangement_id == row.id,
            ArrangementBallot.topic == topic,
            ArrangementBallot.proposal == proposal,
            Delegate.status == ACTIVE,
        )
    ):
        by_org[code].append(ballot)
    return {code: combine_choices(ballots) for code, ballots in by_org.items()}


def own_ballot(delegate: Delegate, row: Arrangement, topic: str) -> str | None:
    """The delegate's own ballot on the current proposal, if they have cast one."""
    return db.session.scalar(
        select(ArrangementBallot.ballot).where(
            ArrangementBallot.arrangement_id == row.id,
            ArrangementBallot.topic == topic,
            ArrangementBallot.delegate_id == delegate.id,
            ArrangementBallot.proposal == proposal_of(row, topic),
        )
    )


def position_text(choices: tuple[str, ...]) -> str:
    """What a CCG's phones say about its combined ballot."""
    if not choices:
        return "Your CCG has not voted yet."
    if len(choices) == 1:
        return f"Your CCG's vote: {WORDS.get(choices[0], choices[0])}."
    tied = "/".join(WORDS.get(choice, choice) for choice in choices)
    return (
        f"Your CCG is split ({tied}): its delegates are tied, so it counts as neither yes nor no "
        "until they agree."
    )


def positions_payload(row: Arrangement, topic: str) -> dict[str, dict[str, Any]]:
    """Per member CCG: its combined ballot as a list, whether it is split, and the phone's sentence."""
    return {
        code: {"ballot": list(choices), "split": len(choices) > 1, "text": position_text(choices)}
        for code, choices in ccg_ballots(row, topic).items()
    }
