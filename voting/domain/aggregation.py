"""Combine delegates' votes into CCG positions and CCG positions into contract summaries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

PLURALITY = "plurality"
RULES = (PLURALITY,)


@dataclass(frozen=True)
class Position:
    """A CCG's position on one contract.

    `levels` is empty when no delegate has voted, one level when settled, and several
    levels (sorted) when the delegates are tied - a split that is shown, never guessed.
    `resolved` is True when the facilitator settled a split.
    """

    levels: tuple[int, ...] = ()
    resolved: bool = False

    @property
    def level(self) -> int | None:
        """The single level, or None when there is no position or it is split."""
        return self.levels[0] if len(self.levels) == 1 else None

    @property
    def is_split(self) -> bool:
        return len(self.levels) > 1

    @property
    def label(self) -> str:
        """Matrix text: "" (no position), "2", or "2/3" for a split."""
        return "/".join(str(level) for level in self.levels)


NO_POSITION = Position()


@dataclass(frozen=True)
class Settlement:
    """A facilitator's settlement of one split: the level chosen and the votes it was chosen for.

    `votes` is the `fingerprint()` of the delegates' counted votes when the split was settled: the
    settlement holds only while every one of those delegates still votes the same and nobody else does.
    """

    level: int
    votes: str


def fingerprint(by_delegate: Mapping[int, int]) -> str:
    """One cell's counted votes as "delegate:level" pairs, eg "12:2 13:3": what a settlement settled."""
    return " ".join(f"{delegate}:{by_delegate[delegate]}" for delegate in sorted(by_delegate))


def combine_votes(
    votes: Iterable[int], rule: str = PLURALITY, resolution: Settlement | None = None, votes_key: str = ""
) -> Position:
    """A CCG's position from its delegates' levels under the event's rule.

    Plurality: the most-voted level wins; a tie for the most votes is a split.
    A facilitator's settlement applies only to the votes it settled (`votes_key`, the fingerprint of
    the votes being combined, must be the settlement's): once a delegate votes, changes or is removed,
    the split shows again, so an old settlement never decides a new tie.
    """
    if rule != PLURALITY:
        raise ValueError(f"Unknown aggregation rule {rule!r}")
    counts = Counter(votes)
    if not counts:
        return NO_POSITION
    top = max(counts.values())
    tied = tuple(sorted(level for level, n in counts.items() if n == top))
    if (
        len(tied) > 1
        and resolution is not None
        and resolution.level in tied
        and resolution.votes == votes_key
    ):
        return Position((resolution.level,), resolved=True)
    return Position(tied)


def combine_choices(choices: Iterable[str]) -> tuple[str, ...]:
    """The most-given choice(s) of a CCG's delegates (a ballot, a poll answer): several on a tie.

    The same plurality rule as contract votes: a tie is a split, shown and never resolved silently.
    """
    counts = Counter(choices)
    if not counts:
        return ()
    top = max(counts.values())
    return tuple(sorted(choice for choice, n in counts.items() if n == top))


@dataclass(frozen=True)
class ContractSummary:
    """How the CCGs holding one contract stand on it."""

    counts: dict[int, int]  # level -> number of CCGs whose position is that level
    split: int  # CCGs whose delegates are tied
    voted: int  # CCGs with any position (settled or split)
    holders: int  # CCGs that hold the contract
    modal: tuple[int, ...] = field(default=())  # most common level(s); several on a tie

    @property
    def turnout(self) -> float:
        """Share of holding CCGs that have a position (0.0 when nobody holds it)."""
        return self.voted / self.holders if self.holders else 0.0

    @property
    def modal_label(self) -> str:
        return "/".join(str(level) for level in self.modal)


def summarise_contract(positions: Mapping[str, Position], holders: Iterable[str]) -> ContractSummary:
    """Counts per level, turnout and modal level over the CCGs that hold the contract.

    Positions of organisations that do not hold the contract are ignored.
    """
    holder_set = set(holders)
    counts = {level: 0 for level in range(1, 6)}
    split = voted = 0
    for org, position in positions.items():
        if org not in holder_set or not position.levels:
            continue
        voted += 1
        if position.is_split:
            split += 1
        else:
            counts[position.levels[0]] += 1
    top = max(counts.values())
    modal = tuple(level for level, n in counts.items() if n == top) if top else ()
    return ContractSummary(counts=counts, split=split, voted=voted, holders=len(holder_set), modal=modal)
