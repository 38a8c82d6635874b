"""Combining delegates' votes into CCG positions, and positions into contract summaries."""

from __future__ import annotations

import pytest

from voting.domain.aggregation import (
    NO_POSITION,
    Position,
    Settlement,
    combine_choices,
    combine_votes,
    fingerprint,
    summarise_contract,
)


def test_plurality_picks_the_most_voted_level() -> None:
    position = combine_votes([2, 3, 3])
    assert position.levels == (3,)
    assert position.level == 3
    assert position.label == "3"
    assert not position.is_split
    assert not position.resolved


def test_single_vote_is_the_position() -> None:
    assert combine_votes([5]).label == "5"


def test_two_way_tie_is_shown_as_a_split_label() -> None:
    position = combine_votes([3, 2])
    assert position.is_split
    assert position.levels == (2, 3)
    assert position.label == "2/3"
    assert position.level is None


def test_three_way_tie_lists_every_tied_level_in_order() -> None:
    position = combine_votes([5, 1, 3])
    assert position.label == "1/3/5"
    assert position.is_split


def test_tie_only_among_the_most_voted_levels() -> None:
    # 4 has two votes, 1 and 2 one each: not a tie.
    assert combine_votes([1, 4, 2, 4]).label == "4"
    # 1 and 4 have two votes each, 2 only one: the split leaves 2 out.
    assert combine_votes([1, 4, 2, 4, 1]).label == "1/4"


def test_resolution_naming_a_tied_level_settles_the_split() -> None:
    position = combine_votes([2, 3], resolution=Settlement(3, "1:2 2:3"), votes_key="1:2 2:3")
    assert position.label == "3"
    assert position.level == 3
    assert position.resolved
    assert not position.is_split


def test_resolution_for_a_level_not_tied_is_ignored() -> None:
    position = combine_votes([2, 3], resolution=Settlement(4, "1:2 2:3"), votes_key="1:2 2:3")
    assert position.label == "2/3"
    assert not position.resolved


def test_resolution_does_not_override_a_settled_position() -> None:
    # A resolution made for an old 2/3 tie must not beat votes cast since.
    position = combine_votes([2, 3, 2], resolution=Settlement(3, "1:2 2:3"), votes_key="1:2 2:3 3:2")
    assert position.label == "2"
    assert not position.resolved


def test_a_settlement_stops_applying_when_the_votes_change() -> None:
    """A 2/3 tie settled at 3 is a new state once a third delegate votes 4: the split shows again.

    Framework Annex 2, Stage 2: "The CCG then voted" - the CCG's position is its delegates' own,
    so a facilitator's settlement holds only for the votes it settled.
    """
    tie = {1: 2, 2: 3}
    settled = Settlement(3, fingerprint(tie))
    assert combine_votes(tie.values(), resolution=settled, votes_key=fingerprint(tie)).label == "3"
    three_way = {1: 2, 2: 3, 3: 4}
    position = combine_votes(three_way.values(), resolution=settled, votes_key=fingerprint(three_way))
    assert position.label == "2/3/4"
    assert not position.resolved
    # The two delegates swapping levels is still a 2/3 tie, but not the votes that were settled.
    swapped = {1: 3, 2: 2}
    assert combine_votes(swapped.values(), resolution=settled, votes_key=fingerprint(swapped)).label == "2/3"


def test_choices_combine_by_plurality_and_a_tie_is_a_split() -> None:
    assert combine_choices(["yes", "no", "yes"]) == ("yes",)
    assert combine_choices(["yes", "no"]) == ("no", "yes")
    assert combine_choices([]) == ()


def test_no_votes_is_no_position() -> None:
    position = combine_votes([])
    assert position == NO_POSITION
    assert position.label == ""
    assert position.level is None
    assert not position.is_split


def test_no_votes_ignores_a_resolution() -> None:
    assert combine_votes([], resolution=Settlement(2, "")).label == ""


def test_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown aggregation rule"):
        combine_votes([1], rule="borda")


def test_summary_counts_ccgs_per_level() -> None:
    positions = {"A": Position((2,)), "B": Position((2,)), "C": Position((4,))}
    summary = summarise_contract(positions, ["A", "B", "C"])
    assert summary.counts == {1: 0, 2: 2, 3: 0, 4: 1, 5: 0}
    assert summary.split == 0
    assert summary.voted == 3
    assert summary.holders == 3
    assert summary.turnout == 1.0
    assert summary.modal == (2,)
    assert summary.modal_label == "2"


def test_split_ccgs_are_counted_separately_not_as_levels() -> None:
    positions = {"A": Position((2, 3)), "B": Position((3,))}
    summary = summarise_contract(positions, ["A", "B"])
    assert summary.split == 1
    assert summary.counts[2] == 0
    assert summary.counts[3] == 1
    assert summary.voted == 2
    assert summary.modal_label == "3"


def test_turnout_is_voted_over_holders() -> None:
    positions = {"A": Position((1,)), "B": NO_POSITION, "C": Position((1, 2))}
    summary = summarise_contract(positions, ["A", "B", "C", "D"])
    assert summary.voted == 2
    assert summary.holders == 4
    assert summary.turnout == 0.5


def test_turnout_is_zero_when_nobody_holds_the_contract() -> None:
    summary = summarise_contract({}, [])
    assert summary.holders == 0
    assert summary.turnout == 0.0
    assert summary.modal == ()
    assert summary.modal_label == ""


def test_modal_lists_every_level_on_a_tie() -> None:
    positions = {"A": Position((1,)), "B": Position((5,)), "C": Position((1,)), "D": Position((5,))}
    summary = summarise_contract(positions, positions)
    assert summary.modal == (1, 5)
    assert summary.modal_label == "1/5"


def test_no_modal_when_only_splits_or_nothing() -> None:
    summary = summarise_contract({"A": Position((2, 3))}, ["A", "B"])
    assert summary.modal == ()
    assert summary.voted == 1


def test_positions_of_non_holders_are_ignored() -> None:
    positions = {"A": Position((2,)), "X": Position((5,)), "Y": Position((1, 2))}
    summary = summarise_contract(positions, ["A"])
    assert summary.counts == {1: 0, 2: 1, 3: 0, 4: 0, 5: 0}
    assert summary.split == 0
    assert summary.voted == 1
    assert summary.holders == 1
    assert summary.modal == (2,)
