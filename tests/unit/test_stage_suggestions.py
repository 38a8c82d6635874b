"""Co-ordinator and model suggestions against the six models of technical appendix 2."""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from voting.demo_data import contracts_csv
from voting.domain.suggestions import (
    ACCOUNTABILITY,
    LEAD_RATIO,
    MANY_MEMBERS,
    MODELS,
    SIMILAR_RATIO,
    SMALL_SHARE,
    member_shares,
    suggest_coordinator,
    suggest_model,
)

APPENDIX = Path("/work/shared/domain/technical-appendix-2-collaborative-models.md")


def demo_values(contract: str) -> dict[str, Decimal]:
    rows = csv.DictReader(io.StringIO(contracts_csv().decode("utf-8")))
    return {r["organisation"]: Decimal(r["annual_value_gbp"]) for r in rows if r["contract"] == contract}


def test_six_models_in_appendix_order() -> None:
    assert [m.number for m in MODELS.values()] == [1, 2, 3, 4, 5, 6]
    assert len({m.title for m in MODELS.values()}) == 6
    assert all(m.description and m.benefits and m.risks for m in MODELS.values())
    assert all(m.use_when.startswith("CCGs might want to use this") for m in MODELS.values())


@pytest.mark.skipif(not APPENDIX.exists(), reason="appendix text not available")
def test_model_texts_are_copied_faithfully_from_the_appendix() -> None:
    text = " ".join(APPENDIX.read_text(encoding="utf-8").split())
    assert ACCOUNTABILITY in text
    for model in MODELS.values():
        for passage in (model.description, model.use_when, *model.benefits, *model.risks):
            assert " ".join(passage.split()) in text, (model.id, passage)


def test_model_situations_match_the_appendix_wording() -> None:
    assert "significantly larger portion" in MODELS["lead_ccg"].use_when
    assert "ambulance services" in MODELS["css_coordinator"].use_when
    assert "broadly similar sized contracts" in MODELS["equal_partners"].use_when
    assert "different sized contracts" in MODELS["partners_css_interface"].use_when


def test_member_shares_sum_to_one_exactly() -> None:
    rng = random.Random(0)
    for _ in range(200):
        values = {f"O{i}": Decimal(rng.randrange(0, 10_000_000)) / 100 for i in range(rng.randrange(1, 21))}
        shares = member_shares(values)
        assert set(shares) == set(values)
        assert sum(shares.values()) == 1


def test_member_shares_zero_total_and_mixed_types() -> None:
    assert member_shares({"A": 0, "B": Decimal(0)}) == {"A": Fraction(1, 2), "B": Fraction(1, 2)}
    assert member_shares({"A": 1.5, "B": Decimal("4.5")}) == {"A": Fraction(1, 4), "B": Fraction(3, 4)}
    assert member_shares({}) == {}
    with pytest.raises(ValueError, match="Negative contract value for: B"):
        member_shares({"A": 1, "B": -1})


def test_coordinator_is_largest_share_and_ties_go_to_lowest_code() -> None:
    assert suggest_coordinator({"A": Fraction(1, 5), "B": Fraction(3, 5), "C": Fraction(1, 5)}) == "B"
    assert suggest_coordinator({"C": Fraction(1, 2), "B": Fraction(1, 2)}) == "B"
    assert suggest_coordinator(member_shares(demo_values("1"))) == "A"  # A has the largest population
    with pytest.raises(ValueError):
        suggest_coordinator({})


def test_lead_ccg_when_one_has_twice_the_next() -> None:
    model, reason = suggest_model(member_shares({"A": 60, "B": 30, "C": 10}))
    assert model == "lead_ccg"
    assert reason.startswith(
        "A CCG holds 60% of the contract value, at least twice the next largest (B CCG, 30%)"
    )


def test_a_50_50_or_55_45_pair_is_equal_partners_not_a_lead() -> None:
    assert suggest_model(member_shares({"A": 50, "B": 50}))[0] == "equal_partners"
    assert suggest_model(member_shares({"A": 55, "B": 45}))[0] == "equal_partners"
    assert suggest_model(member_shares({"A": 2, "B": 1}))[0] == "lead_ccg"  # exactly at LEAD_RATIO


def test_many_small_members_get_a_css_coordinator_like_ambulance_contract_5() -> None:
    shares = member_shares(demo_values("5"))
    assert len(shares) == 20 and max(shares.values()) <= SMALL_SHARE
    model, reason = suggest_model(shares)
    assert model == "css_coordinator"
    assert reason.startswith("20 CCGs collaborate and none holds more than 25%")


def test_different_sizes_without_a_lead_get_css_at_the_interface() -> None:
    shares = member_shares(demo_values("3"))  # L 32%, R 20%, ..., N 10%
    assert suggest_model(shares)[0] == "partners_css_interface"


def test_single_member_needs_no_model() -> None:
    assert suggest_model({"A": Fraction(1)})[0] is None


def test_thresholds_are_what_the_docstring_says() -> None:
    thresholds = (LEAD_RATIO, SIMILAR_RATIO, MANY_MEMBERS, SMALL_SHARE)
    assert thresholds == (Fraction(2), Fraction(3, 2), 10, Fraction(1, 4))
    # five members exactly at the similar ratio are still similar
    shares = member_shares({"A": 3, "B": 2, "C": 2, "D": 2, "E": 2})
    assert suggest_model(shares)[0] == "equal_partners"
    # six members, the largest just over a quarter: not "many small", and no lead -> CSS at interface
    shares = member_shares({"A": 26, "B": 20, "C": 20, "D": 14, "E": 10, "G": 10})
    assert suggest_model(shares)[0] == "partners_css_interface"
