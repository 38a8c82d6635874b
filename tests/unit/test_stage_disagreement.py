"""Ranking contracts by disagreement and value-weighted level counts."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from voting.demo_data import ANNEX2_MATRIX, CONTRACT_IDS, ORG_CODES
from voting.domain.disagreement import contract_disagreement, rank_contracts, weighted_counts


def annex2_cells() -> dict[tuple[str, str], str]:
    return {(org, c): ANNEX2_MATRIX[org][i] for org in ORG_CODES for i, c in enumerate(CONTRACT_IDS)}


def test_annex2_contracts_are_unanimous_so_order_is_kept() -> None:
    ranked = rank_contracts(annex2_cells(), ORG_CODES, CONTRACT_IDS)
    assert [d.contract for d in ranked] == list(CONTRACT_IDS)
    assert all(d.score == 0 for d in ranked)
    seven = next(d for d in ranked if d.contract == "7")
    assert (seven.settled, seven.no_position) == (3, 2)
    assert seven.explanation == (
        "All 3 CCGs with a position chose individual CCG (1). 2 CCGs with no position yet."
    )


def test_wider_spread_ranks_higher_and_splits_count() -> None:
    cells = annex2_cells()
    cells[("A", "1")] = "5"  # contract 1: six 2s and one 5
    cells[("C", "6")] = "2"  # contract 6: four 1s and one 2
    cells[("H", "2")] = "2/3"  # contract 2: six 2s and a split
    ranked = rank_contracts(cells, ORG_CODES, CONTRACT_IDS)
    assert [d.contract for d in ranked[:3]] == ["1", "6", "2"]
    one = ranked[0]
    assert (one.distinct_levels, one.level_range) == (2, 3)
    assert one.score == pytest.approx(1.0498, abs=1e-4)  # pstdev([2]*6 + [5])
    assert one.explanation == "2 levels chosen (2 to 5) by 7 CCGs, spread 1.05 levels."
    two = ranked[2]
    assert two.score == pytest.approx(1 / 7, abs=1e-4)
    assert two.explanation == "6 settled CCGs chose small clusters (2); 1 CCG split."


def test_no_positions_at_all() -> None:
    d = contract_disagreement({("A", "1"): "", ("B", "1"): "NA"}, ["A", "B"], "1")
    assert d.score == 0 and d.explanation == "No CCG has a position yet. 1 CCG with no position yet."


def test_weighted_counts_head_count_and_value_share() -> None:
    positions = {"A": 2, "B": 2, "C": 3, "D": 1}
    values: dict[str, Decimal | float | int] = {
        "A": Decimal("300"),
        "B": 100.0,
        "C": Decimal("600"),
        "D": 0,
        "E": Decimal("999"),
    }
    counts = weighted_counts(positions, values)
    assert [counts[level].count for level in range(1, 6)] == [1, 2, 1, 0, 0]
    assert counts[2].value == Decimal("400")
    assert counts[2].share == Fraction(2, 5)
    assert counts[3].share == Fraction(3, 5)
    assert counts[1].share == 0 and counts[5].share == 0
    assert sum(w.share for w in counts.values()) == 1  # E has no position: not in the total


def test_weighted_counts_zero_total_and_errors() -> None:
    assert all(w.share == 0 for w in weighted_counts({"A": 2}, {"A": 0}).values())
    with pytest.raises(ValueError, match="No contract value for: B"):
        weighted_counts({"A": 2, "B": 3}, {"A": 1})
    with pytest.raises(ValueError, match="Negative"):
        weighted_counts({"A": 2}, {"A": -1})
    with pytest.raises(ValueError, match="not one of 1-5"):
        weighted_counts({"A": 7}, {"A": 1})
