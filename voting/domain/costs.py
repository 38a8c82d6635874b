"""Split a shared cost (eg commissioning support) between the members of a collaboration, to the penny.

Method: largest remainder. Each member's exact part is computed in pence, rounded down, and
the pence left over go one each to the members with the largest fractional remainders; equal
remainders go to the lower code first. The parts always sum exactly to the total, and the result
does not depend on the order the members are given in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from math import floor

VALUE = "value"
EQUAL = "equal"
CUSTOM = "custom"
METHODS = (VALUE, EQUAL, CUSTOM)

PENNY = Decimal("0.01")
HUNDRED = Decimal(100)


class SplitRefused(ValueError):
    """A cost split that cannot be worked out, with a sentence written here for the facilitator."""


def _weights(
    members: Sequence[str],
    method: str,
    values: Mapping[str, Decimal | float | int] | None,
    percentages: Mapping[str, Decimal | int] | None,
) -> dict[str, Fraction]:
    if method == EQUAL:
        return dict.fromkeys(members, Fraction(1))
    if method == VALUE:
        if values is None:
            raise SplitRefused("Splitting by value needs each member's contract value")
        missing = [m for m in members if m not in values]
        if missing:
            raise SplitRefused(f"No contract value for: {', '.join(missing)}")
        weights = {m: Fraction(values[m]) for m in members}
        negative = [m for m in members if weights[m] < 0]
        if negative:
            raise SplitRefused(f"Contract values must not be negative: {', '.join(negative)}")
        if not sum(weights.values()):
            raise SplitRefused("The members' contract values total 0: split equally or by custom percentages")
        return weights
    if method == CUSTOM:
        if percentages is None:
            raise SplitRefused("A custom split needs a percentage for each member")
        missing = [m for m in members if m not in percentages]
        if missing:
            raise SplitRefused(f"No percentage for: {', '.join(missing)}")
        extra = sorted(set(percentages) - set(members))
        if extra:
            raise SplitRefused(f"Percentages given for non-members: {', '.join(extra)}")
        for m in members:
            if isinstance(percentages[m], float | bool):
                raise TypeError(
                    f"Percentage for {m} must be a Decimal or whole number, not {percentages[m]!r}"
                )
        negative = [m for m in members if percentages[m] < 0]
        if negative:
            raise SplitRefused(f"Percentages must not be negative: {', '.join(negative)}")
        total = sum((Decimal(percentages[m]) for m in members), Decimal(0))
        if total != HUNDRED:
            raise SplitRefused(f"Percentages total {total.normalize():f}, not 100")
        return {m: Fraction(percentages[m]) for m in members}
    raise SplitRefused(f"Unknown split method {method!r}: use one of {', '.join(METHODS)}")


def split_costs(
    total: Decimal,
    members: Sequence[str],
    method: str,
    values: Mapping[str, Decimal | float | int] | None = None,
    percentages: Mapping[str, Decimal | int] | None = None,
) -> dict[str, Decimal]:
    """Each member's part of total in pounds and pence, summing exactly to total (members' order kept).

    method "value": in proportion to ``values``; "equal": equal parts; "custom": ``percentages``
    (Decimal or int, each >= 0, one per member, totalling exactly 100).
    """
    if not isinstance(total, Decimal):
        raise TypeError("The total must be a Decimal amount in pounds")
    if not total.is_finite() or total < 0:
        raise SplitRefused(f"The total must be a non-negative amount, not {total}")
    if total != total.quantize(PENNY):
        raise SplitRefused(f"The total {total} has fractions of a penny")
    if not members:
        raise SplitRefused("No members to split the cost between")
    if len(set(members)) != len(members):
        raise SplitRefused("A member is listed twice")
    weights = _weights(members, method, values, percentages)
    pence = int(total * 100)
    weight_sum = sum(weights.values(), Fraction(0))
    exact = {m: pence * weights[m] / weight_sum for m in members}
    parts = {m: floor(exact[m]) for m in members}
    left = pence - sum(parts.values())
    for m in sorted(members, key=lambda m: (-(exact[m] - parts[m]), m))[:left]:
        parts[m] += 1
    return {m: (Decimal(parts[m]) / 100).quantize(PENNY) for m in members}
