"""Decision rules: quorum, unanimous, consensus and majority votes."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from voting.domain.governance import (
    CONSENSUS,
    MAJORITY,
    UNANIMOUS,
    Rule,
    decide,
    describe,
    quorum_needed,
)

SIX = {"A", "B", "C", "D", "E", "G"}


def simple_majority(quorum: int | Fraction | Decimal = 0, majority_binds_all: bool = True) -> Rule:
    """More than half of the yes and no votes (a rule as services.stage4.rule_of builds it)."""
    return Rule(MAJORITY, Fraction(1, 2), False, quorum, majority_binds_all)


def two_thirds_majority(quorum: int | Fraction | Decimal = 0, majority_binds_all: bool = True) -> Rule:
    """At least two thirds of the yes and no votes."""
    return Rule(MAJORITY, Fraction(2, 3), True, quorum, majority_binds_all)


def test_simple_majority_passes_with_reason_and_counts() -> None:
    ballots = {"A": "yes", "B": "yes", "C": "yes", "D": "yes", "E": "no"}
    decision = decide(simple_majority(quorum=Fraction(2, 3)), SIX, ballots)
    assert decision.passed
    assert decision.reason == "Passed: 5 of 6 members voted, 4 yes, 1 no; majority of more than half needed."
    assert (
        decision.counts.voted,
        decision.counts.yes,
        decision.counts.no,
        decision.counts.quorum_needed,
    ) == (
        5,
        4,
        1,
        4,
    )
    assert decision.bound == frozenset(SIX)


def test_quorum_not_met() -> None:
    decision = decide(simple_majority(quorum=Fraction(2, 3)), SIX, {"A": "yes", "B": "yes", "C": "abstain"})
    assert not decision.passed
    assert decision.reason == "Not passed: quorum not met (3 of 6 voted, 4 needed)."


def test_quorum_counts_abstentions_and_can_be_a_number_or_decimal_share() -> None:
    ballots = {"A": "yes", "B": "abstain", "C": "abstain", "D": "abstain"}
    assert decide(simple_majority(quorum=4), SIX, ballots).passed
    assert not decide(simple_majority(quorum=5), SIX, ballots).passed
    assert quorum_needed(simple_majority(quorum=Decimal("0.5")), 7) == 4  # rounded up
    assert quorum_needed(simple_majority(quorum=Fraction(1)), 6) == 6


def test_exactly_half_is_not_more_than_half_but_two_thirds_is_at_least_two_thirds() -> None:
    half = {"A": "yes", "B": "yes", "C": "no", "D": "no"}
    assert not decide(simple_majority(), SIX, half).passed
    two_thirds = {"A": "yes", "B": "yes", "C": "yes", "D": "yes", "E": "no", "G": "no"}
    decision = decide(two_thirds_majority(), SIX, two_thirds)
    assert decision.passed
    assert decision.reason.endswith("majority of at least two thirds needed.")
    assert not decide(two_thirds_majority(), SIX, {**two_thirds, "D": "no"}).passed


def test_majority_ignores_abstentions_but_needs_some_yes_or_no() -> None:
    assert decide(simple_majority(), SIX, {"A": "yes", "B": "abstain", "C": "abstain"}).passed
    decision = decide(simple_majority(), SIX, {"A": "abstain"})
    assert not decision.passed
    assert (
        decision.reason
        == "Not passed: 1 of 6 members voted, 0 yes, 0 no, 1 abstained; majority of more than half needed."
    )


def test_unanimous_abstention_blocks_absence_does_not() -> None:
    rule = Rule(UNANIMOUS, quorum=3)
    assert decide(rule, SIX, {"A": "yes", "B": "yes", "C": "yes"}).passed
    blocked = decide(rule, SIX, {"A": "yes", "B": "yes", "C": "yes", "D": "abstain"})
    assert not blocked.passed
    assert "(an abstention blocks)" in blocked.reason
    assert not decide(rule, SIX, {"A": "yes", "B": "yes", "C": "no"}).passed


def test_consensus_no_objection_abstentions_stand_aside() -> None:
    rule = Rule(CONSENSUS, quorum=Fraction(1, 2))
    assert decide(rule, SIX, {"A": "yes", "B": "abstain", "C": "abstain"}).passed
    assert not decide(rule, SIX, {"A": "yes", "B": "yes", "C": "no"}).passed
    assert not decide(rule, SIX, {"A": "abstain", "B": "abstain", "C": "abstain"}).passed  # nothing agreed


def test_majority_that_does_not_bind_all() -> None:
    rule = simple_majority(majority_binds_all=False)
    decision = decide(rule, SIX, {"A": "yes", "B": "yes", "C": "no"})
    assert decision.passed and decision.bound == frozenset({"A", "B"})
    assert "binds only the 2 members that voted yes" in decision.reason
    assert decide(rule, SIX, {"A": "no"}).bound == frozenset()


def test_non_member_ballots_are_ignored_and_reported() -> None:
    decision = decide(simple_majority(), {"A", "B"}, {"A": "yes", "Z": "no", "Y": "no"})
    assert decision.passed
    assert decision.counts.ignored == ("Y", "Z")
    assert decision.reason.endswith("Ignored ballots from non-members: Y, Z.")
    assert decision.counts.voted == 1


def test_invalid_rules_and_ballots() -> None:
    with pytest.raises(ValueError, match="Unknown decision rule"):
        Rule("veto")
    with pytest.raises(ValueError, match="threshold"):
        Rule(MAJORITY, threshold=Fraction(3, 2))
    with pytest.raises(ValueError, match="threshold"):
        Rule(MAJORITY, threshold=Fraction(1))  # more than 100% can never pass
    with pytest.raises(ValueError, match="between 0 and 1"):
        Rule(MAJORITY, quorum=Fraction(7, 6))
    with pytest.raises(ValueError, match="negative"):
        Rule(MAJORITY, quorum=-1)
    with pytest.raises(ValueError, match="yes, no or abstain"):
        decide(simple_majority(), SIX, {"A": "maybe"})
    with pytest.raises(ValueError, match="at least one member"):
        decide(simple_majority(), set(), {})


def test_describe_other_thresholds() -> None:
    assert (
        describe(Rule(MAJORITY, Fraction(3, 4), at_least=True))
        == "majority of at least three quarters needed"
    )
    assert describe(Rule(MAJORITY, Decimal("0.6"), at_least=True)) == "majority of at least 60% needed"
    assert describe(Rule(MAJORITY, Fraction(1), at_least=True)) == "majority of at least 100% needed"
