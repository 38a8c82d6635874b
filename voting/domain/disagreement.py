"""Which contracts do CCGs disagree on most, and how much contract value stands behind each level.

Disagreement score of a contract (0 = everyone who has a position agrees):

    score = population standard deviation of the settled levels (0 with fewer than two)
          + share of the CCGs with a position whose delegates are split

The first term grows with how far apart the chosen levels are (1 vs 5 counts more than 2 vs 3);
the second makes every split count as disagreement even when all settled CCGs agree. Contracts
are ranked by score, then by number of distinct levels, then by range (highest first), then in
the given order. CCGs with no position are left out of the score and mentioned in the explanation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from statistics import pstdev

from voting.domain.cells import Cells, cell_levels, level_phrase
from voting.domain.levels import LEVELS


@dataclass(frozen=True)
class ContractDisagreement:
    """How far apart the holding CCGs' positions on one contract are."""

    contract: str
    score: float
    distinct_levels: int  # different levels among settled positions
    level_range: int  # highest minus lowest settled level (0 with fewer than two)
    std_dev: float  # population standard deviation of settled levels
    settled: int
    split: int
    no_position: int
    explanation: str


@dataclass(frozen=True)
class LevelWeight:
    """Head count and contract value of the CCGs choosing one level."""

    level: int
    count: int
    value: Decimal
    share: Fraction  # value / total value of CCGs with a position (0 when that total is 0)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _explain(levels: list[int], split: int, empty: int) -> str:
    if not levels and not split:
        text = "No CCG has a position yet."
    elif len(set(levels)) <= 1 and not split:
        text = f"All {_plural(len(levels), 'CCG')} with a position chose {level_phrase(levels[0])}."
    else:
        parts = []
        if levels:
            distinct = sorted(set(levels))
            if len(distinct) == 1:
                parts.append(f"{_plural(len(levels), 'settled CCG')} chose {level_phrase(distinct[0])}")
            else:
                parts.append(
                    f"{len(distinct)} levels chosen ({distinct[0]} to {distinct[-1]}) by "
                    f"{_plural(len(levels), 'CCG')}, spread {pstdev(levels):.2f} levels"
                )
        if split:
            parts.append(f"{_plural(split, 'CCG')} split")
        text = "; ".join(parts) + "."
    if empty:
        text += f" {_plural(empty, 'CCG')} with no position yet."
    return text


def contract_disagreement(cells: Cells, organisations: Sequence[str], contract: str) -> ContractDisagreement:
    """Score and explain the disagreement on one contract among the CCGs that hold it."""
    settled: list[int] = []
    split = empty = 0
    for org in organisations:
        levels = cell_levels(cells, org, contract)
        if levels is None:
            continue
        if not levels:
            empty += 1
        elif len(levels) > 1:
            split += 1
        else:
            settled.append(levels[0])
    std = pstdev(settled) if len(settled) > 1 else 0.0
    positioned = len(settled) + split
    score = std + (split / positioned if positioned else 0.0)
    return ContractDisagreement(
        contract=contract,
        score=round(score, 4),
        distinct_levels=len(set(settled)),
        level_range=max(settled) - min(settled) if settled else 0,
        std_dev=round(std, 4),
        settled=len(settled),
        split=split,
        no_position=empty,
        explanation=_explain(settled, split, empty),
    )


def rank_contracts(
    cells: Cells, organisations: Sequence[str], contracts: Sequence[str]
) -> list[ContractDisagreement]:
    """Contracts from most to least disagreement (ties: more levels, wider range, given order)."""
    scored = [contract_disagreement(cells, organisations, contract) for contract in contracts]
    order = {contract: index for index, contract in enumerate(contracts)}
    return sorted(scored, key=lambda d: (-d.score, -d.distinct_levels, -d.level_range, order[d.contract]))


def _to_decimal(value: Decimal | float | int) -> Decimal:
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def weighted_counts(
    positions: Mapping[str, int], values: Mapping[str, Decimal | float | int]
) -> dict[int, LevelWeight]:
    """Per level 1..5: CCGs choosing it and their share of the total value of CCGs with a position.

    ``positions`` holds settled levels only (org -> level). Every org with a position needs a
    value (ValueError listing those without); values must not be negative.
    """
    missing = sorted(org for org in positions if org not in values)
    if missing:
        raise ValueError(f"No contract value for: {', '.join(missing)}")
    for org, level in positions.items():
        if level not in LEVELS:
            raise ValueError(f"{org} has level {level!r}, not one of 1-5")
    amounts = {org: _to_decimal(values[org]) for org in positions}
    negative = sorted(org for org, amount in amounts.items() if amount < 0)
    if negative:
        raise ValueError(f"Negative contract value for: {', '.join(negative)}")
    total = sum(amounts.values(), Decimal(0))
    result = {}
    for level in LEVELS:
        chosen = [org for org, lv in positions.items() if lv == level]
        value = sum((amounts[org] for org in chosen), Decimal(0))
        share = Fraction(value) / Fraction(total) if total else Fraction(0)
        result[level] = LevelWeight(level=level, count=len(chosen), value=value, share=share)
    return result
