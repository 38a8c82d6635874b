"""Stage 1 polls: options, answer validation and tallies."""

from __future__ import annotations

import random

import pytest

from voting.demo_data import ORG_CODES
from voting.domain.polls import (
    CHOICE,
    SCALE,
    YES_NO_UNSURE,
    poll_options,
    tally,
    validate_answer,
    validate_options,
)


def test_fixed_options() -> None:
    assert poll_options(YES_NO_UNSURE) == ("Yes", "No", "Unsure")
    assert poll_options(SCALE) == ("1", "2", "3", "4", "5")
    with pytest.raises(ValueError, match="Unknown poll kind"):
        poll_options("rank")


def test_choice_options_are_validated() -> None:
    assert validate_options([" Acute ", "Community"]) == ("Acute", "Community")
    with pytest.raises(ValueError, match="2 to 10 options, not 1"):
        validate_options(["Only"])
    with pytest.raises(ValueError, match="2 to 10 options, not 11"):
        validate_options([str(n) for n in range(11)])
    with pytest.raises(ValueError, match="must not be empty"):
        validate_options(["A", "  "])
    with pytest.raises(ValueError, match="listed twice"):
        validate_options(["Acute", "acute "])


@pytest.mark.parametrize(
    ("kind", "options", "answer", "expected"),
    [
        (YES_NO_UNSURE, None, "yes", "Yes"),
        (YES_NO_UNSURE, None, " UNSURE ", "Unsure"),
        (SCALE, None, 4, "4"),
        (SCALE, None, "5", "5"),
        (CHOICE, ["Acute", "Community"], "community", "Community"),
    ],
)
def test_valid_answers_are_normalised(
    kind: str, options: list[str] | None, answer: str | int, expected: str
) -> None:
    assert validate_answer(kind, options, answer) == expected


@pytest.mark.parametrize(
    ("kind", "options", "answer"),
    [
        (YES_NO_UNSURE, None, "maybe"),
        (SCALE, None, 0),
        (SCALE, None, 6),
        (SCALE, None, True),
        (SCALE, None, "3.0"),
        (CHOICE, ["Acute", "Community"], "Mental health"),
    ],
)
def test_invalid_answers(kind: str, options: list[str] | None, answer: str | int) -> None:
    with pytest.raises(ValueError):
        validate_answer(kind, options, answer)


def test_yes_no_unsure_tally_includes_zeros_and_per_ccg_counts() -> None:
    result = tally(
        YES_NO_UNSURE, None, [("B", "Yes"), ("A", "yes"), ("A", "No"), (None, "Yes"), ("A", "bogus")]
    )
    assert result.overall == {"Yes": 3, "No": 1, "Unsure": 0}
    assert list(result.by_org) == ["A", "B"]
    assert result.by_org["A"] == {"Yes": 1, "No": 1, "Unsure": 0}
    assert result.by_org["B"] == {"Yes": 1, "No": 0, "Unsure": 0}
    assert (result.total, result.invalid, result.mean) == (4, 1, None)


def test_scale_tally_has_means() -> None:
    result = tally(SCALE, None, [("A", 5), ("A", 4), ("B", "1"), (None, 3)])
    assert result.overall == {"1": 1, "2": 0, "3": 1, "4": 1, "5": 1}
    assert result.mean == pytest.approx(13 / 4)
    assert result.mean_by_org == {"A": 4.5, "B": 1.0}
    empty = tally(SCALE, None, [])
    assert empty.mean is None and empty.overall == dict.fromkeys(poll_options(SCALE), 0)


def test_choice_tally_uses_custom_options() -> None:
    result = tally(CHOICE, ["Acute", "Community", "Other"], [("A", "acute"), ("B", "Other")])
    assert result.overall == {"Acute": 1, "Community": 0, "Other": 1}
    with pytest.raises(ValueError):
        tally(CHOICE, ["Only"], [])


def test_tally_counts_add_up_for_random_annex2_answers() -> None:
    rng = random.Random(0)
    for _ in range(50):
        answers: list[tuple[str | None, str | int]] = [
            (rng.choice([*ORG_CODES, None]), rng.randrange(0, 7)) for _ in range(rng.randrange(0, 80))
        ]
        result = tally(SCALE, None, answers)
        valid = [(org, int(a)) for org, a in answers if 1 <= int(a) <= 5]
        assert result.total == len(valid) and result.invalid == len(answers) - len(valid)
        assert sum(result.overall.values()) == result.total
        assert sum(sum(c.values()) for c in result.by_org.values()) == sum(1 for o, _ in valid if o)
        if valid:
            assert result.mean == pytest.approx(sum(a for _, a in valid) / len(valid))
