"""Splitting a shared cost to the penny."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from voting.domain.costs import split_costs

D = Decimal


def test_equal_split_remainder_goes_to_lowest_codes() -> None:
    assert split_costs(D("1.00"), ["C", "A", "B"], "equal") == {
        "C": D("0.33"),
        "A": D("0.34"),
        "B": D("0.33"),
    }
    assert split_costs(D("0.02"), ["A", "B", "C"], "equal") == {
        "A": D("0.01"),
        "B": D("0.01"),
        "C": D("0.00"),
    }


def test_value_split_uses_largest_remainders() -> None:
    parts = split_costs(D("100.00"), ["A", "B", "C"], "value", values={"A": 1, "B": 1, "C": D(1), "Z": 99})
    assert parts == {"A": D("33.34"), "B": D("33.33"), "C": D("33.33")}
    parts = split_costs(D("10.00"), ["A", "B"], "value", values={"A": 2.0, "B": 1.0})
    assert parts == {"A": D("6.67"), "B": D("3.33")}


def test_custom_percentages() -> None:
    parts = split_costs(
        D("250000.00"), ["A", "B", "C"], "custom", percentages={"A": D("50"), "B": 30, "C": D("20.0")}
    )
    assert parts == {"A": D("125000.00"), "B": D("75000.00"), "C": D("50000.00")}
    parts = split_costs(
        D("0.10"), ["A", "B", "C"], "custom", percentages={"A": D("33.3"), "B": D("33.3"), "C": D("33.4")}
    )
    assert sum(parts.values()) == D("0.10")


@pytest.mark.parametrize(
    ("percentages", "message"),
    [
        ({"A": D("50"), "B": D("49.5")}, "Percentages total 99.5, not 100"),
        ({"A": D("60"), "B": D("50")}, "Percentages total 110, not 100"),
        ({"A": D("100")}, "No percentage for: B"),
        ({"A": D("110"), "B": D("-10")}, "must not be negative: B"),
        ({"A": D("50"), "B": D("50"), "Z": D("0")}, "non-members: Z"),
    ],
)
def test_custom_percentage_errors(percentages: dict[str, Decimal], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        split_costs(D("100.00"), ["A", "B"], "custom", percentages=percentages)


def test_other_errors() -> None:
    with pytest.raises(ValueError, match="fractions of a penny"):
        split_costs(D("1.005"), ["A"], "equal")
    with pytest.raises(ValueError, match="non-negative"):
        split_costs(D("-1"), ["A"], "equal")
    with pytest.raises(ValueError, match="No members"):
        split_costs(D("1"), [], "equal")
    with pytest.raises(ValueError, match="listed twice"):
        split_costs(D("1"), ["A", "A"], "equal")
    with pytest.raises(ValueError, match="No contract value for: B"):
        split_costs(D("1"), ["A", "B"], "value", values={"A": 1})
    with pytest.raises(ValueError, match="total 0"):
        split_costs(D("1"), ["A", "B"], "value", values={"A": 0, "B": 0})
    with pytest.raises(ValueError, match="Unknown split method"):
        split_costs(D("1"), ["A"], "population")
    with pytest.raises(TypeError):
        split_costs(1.0, ["A"], "equal")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        split_costs(D("1"), ["A"], "custom", percentages={"A": 100.0})  # type: ignore[dict-item]


def test_parts_always_sum_to_total_and_are_fair_to_the_penny() -> None:
    rng = random.Random(0)
    for _ in range(500):
        members = [f"{n:02d}X" for n in rng.sample(range(100), rng.randrange(1, 25))]
        total = D(rng.randrange(0, 100_000_000)) / 100
        method = rng.choice(["value", "equal", "custom"])
        values = {m: D(rng.randrange(1, 10**9)) for m in members}
        cuts = sorted(rng.randrange(0, 10_001) for _ in members[1:])
        bounds = [0, *cuts, 10_000]  # hundredths of a percent, totalling exactly 100%
        percentages = {m: D(hi - lo) / 100 for m, lo, hi in zip(members, bounds, bounds[1:], strict=False)}
        parts = split_costs(total, members, method, values=values, percentages=percentages)
        assert list(parts) == members
        assert sum(parts.values()) == total
        assert all(p >= 0 and p == p.quantize(D("0.01")) for p in parts.values())
        equal = dict.fromkeys(members, D(1))
        weights: dict[str, Decimal] = {"value": values, "equal": equal, "custom": percentages}[method]
        weight_sum = sum(weights.values(), D(0))
        for m in members:
            exact = total * D(weights[m]) / weight_sum
            assert abs(parts[m] - exact) < D("0.01") + D("1e-20")


def test_order_of_members_does_not_change_the_parts() -> None:
    rng = random.Random(0)
    for _ in range(100):
        members = [chr(ord("A") + i) for i in range(rng.randrange(1, 20))]
        values = {m: rng.randrange(1, 1000) for m in members}
        shuffled = rng.sample(members, len(members))
        total = D(rng.randrange(0, 10_000)) / 100
        assert split_costs(total, members, "value", values=values) == split_costs(
            total, shuffled, "value", values=values
        )
