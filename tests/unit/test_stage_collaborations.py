"""Stage 4 proposals from the Annex 2 matrix, editing operations and the orphan check."""

from __future__ import annotations

import random

import pytest

from voting.demo_data import ANNEX2_MATRIX, CONTRACT_IDS, ORG_CODES, neighbours
from voting.domain.collaborations import (
    ALONE,
    BAD_LEVEL,
    CROWDED,
    DUPLICATE,
    DUPLICATE_KEY,
    EMPTY,
    GAP,
    NOT_HOLDER,
    Arrangement,
    check,
    merge,
    move,
    propose,
    split,
)


def annex2_cells() -> dict[tuple[str, str], str]:
    return {(org, c): ANNEX2_MATRIX[org][i] for org in ORG_CODES for i, c in enumerate(CONTRACT_IDS)}


def holders_of(cells: dict[tuple[str, str], str]) -> dict[str, set[str]]:
    return {c: {org for org in ORG_CODES if cells[(org, c)] != "NA"} for c in CONTRACT_IDS}


def annex2_proposals(cells: dict[tuple[str, str], str] | None = None) -> list[Arrangement]:
    return propose(cells or annex2_cells(), ORG_CODES, CONTRACT_IDS, neighbours())


def of(arrs: list[Arrangement], contract: str) -> list[Arrangement]:
    return [a for a in arrs if a.contract == contract]


def test_contract_1_is_one_connected_small_cluster() -> None:
    assert of(annex2_proposals(), "1") == [Arrangement("1", 2, ("A", "B", "C", "D", "E", "O", "U"), "1:2:1")]


def test_contracts_2_and_3_small_clusters_and_4_one_larger_cluster() -> None:
    arrs = annex2_proposals()
    assert [a.members for a in of(arrs, "2")] == [("G", "H", "I", "J", "K", "P", "Q")]
    assert [a.members for a in of(arrs, "3")] == [("L", "M", "N", "R", "S", "T")]
    (four,) = of(arrs, "4")
    assert four.level == 3 and len(four.members) == 16 and "A" not in four.members


def test_contract_5_is_one_regional_group_of_all_20() -> None:
    (five,) = of(annex2_proposals(), "5")
    assert (five.level, five.members, five.key) == (4, ORG_CODES, "5:4:1")


def test_contract_6_is_individual_arrangements() -> None:
    six = of(annex2_proposals(), "6")
    assert [(a.level, a.members, a.key) for a in six] == [
        (1, ("A",), "6:1:1"),
        (1, ("C",), "6:1:2"),
        (1, ("G",), "6:1:3"),
        (1, ("J",), "6:1:4"),
        (1, ("P",), "6:1:5"),
    ]


def test_annex2_orphan_check_finds_only_j_and_p_on_contracts_7_and_14() -> None:
    cells = annex2_cells()
    problems = check(annex2_proposals(), holders_of(cells))
    assert [(p.kind, p.contract, p.org) for p in problems] == [
        (GAP, "7", "J"),
        (GAP, "7", "P"),
        (GAP, "14", "J"),
        (GAP, "14", "P"),
    ]
    assert problems[0].message == "J CCG holds contract 7 but is in no arrangement for it."
    assert check(annex2_proposals(), holders_of(cells))  # a problem found: it cannot be finalised


def test_filling_the_gaps_allows_finalising() -> None:
    arrs = annex2_proposals()
    for contract in ("7", "14"):
        for org in ("J", "P"):
            arrs = move(arrs, contract, org, None)
    assert check(arrs, holders_of(annex2_cells())) == []
    assert [a.key for a in of(arrs, "7")] == ["7:1:1", "7:1:2", "7:1:3", "7:1:4", "7:1:5"]


def test_disconnected_choosers_form_separate_clusters_and_singletons_are_reported() -> None:
    cells = annex2_cells()
    cells[("O", "1")] = "3"
    cells[("E", "1")] = "3"  # E-O neighbours: a cluster of two at level 3
    cells[("U", "1")] = "2"  # U's neighbours B (2) and O (3): stays with A, B, C, D
    cells[("D", "1")] = "1"  # now D is individual; C, A, B, U still connected
    arrs = of(annex2_proposals(cells), "1")
    assert [(a.level, a.members, a.key) for a in arrs] == [
        (1, ("D",), "1:1:1"),
        (2, ("A", "B", "C", "U"), "1:2:1"),
        (3, ("E", "O"), "1:3:1"),
    ]
    cells[("B", "1")] = "3"  # B's neighbours A, C, U chose 2: B alone at 3, and U (B, O) alone at 2
    arrs = of(annex2_proposals(cells), "1")
    assert [a.members for a in arrs if a.level == 2] == [("A", "C"), ("U",)]
    assert [a.members for a in arrs if a.level == 3] == [("B",), ("E", "O")]
    problems = check(arrs, {"1": holders_of(cells)["1"]})
    assert [(p.kind, p.org) for p in problems] == [(ALONE, "U"), (ALONE, "B")]
    assert problems[1].message == (
        "B CCG is a cluster (level 3) of one for contract 1: join it to a group or make it individual."
    )


def test_split_positions_become_gaps() -> None:
    cells = annex2_cells()
    cells[("C", "1")] = "2/3"
    arrs = annex2_proposals(cells)
    assert of(arrs, "1")[0].members == ("A", "B", "D", "E", "O", "U")  # still connected via U-O-E-D
    assert [(p.kind, p.org) for p in check(arrs, holders_of(cells)) if p.contract == "1"] == [(GAP, "C")]


def test_move_between_groups_and_empty_groups_are_dropped() -> None:
    arrs = annex2_proposals()
    moved = move(arrs, "6", "C", "6:1:1")
    assert [a.members for a in of(moved, "6")] == [("A", "C"), ("G",), ("J",), ("P",)]
    assert of(arrs, "6")[1].members == ("C",)  # the input list is unchanged
    assert [p.kind for p in check(moved, holders_of(annex2_cells())) if p.contract == "6"] == [CROWDED]
    with pytest.raises(ValueError, match="is for contract 6, not contract 7"):
        move(arrs, "7", "C", "6:1:1")
    with pytest.raises(KeyError):
        move(arrs, "6", "C", "nope")


def test_merge_same_contract_and_level_only() -> None:
    arrs = split(annex2_proposals(), "1:2:1", ["O", "U"])
    assert [a.key for a in of(arrs, "1")] == ["1:2:1", "1:2:2"]
    merged = merge(arrs, "1:2:1", "1:2:2")
    assert of(merged, "1") == [Arrangement("1", 2, ("A", "B", "C", "D", "E", "O", "U"), "1:2:1")]
    with pytest.raises(ValueError, match="different contracts"):
        merge(arrs, "1:2:1", "2:2:1")
    with pytest.raises(ValueError, match="level 1 arrangement with a level 4"):
        merge(move(arrs, "5", "A", None), "5:1:1", "5:4:1")
    with pytest.raises(ValueError, match="itself"):
        merge(arrs, "1:2:1", "1:2:1")


def test_split_validation() -> None:
    arrs = annex2_proposals()
    with pytest.raises(ValueError, match="Not members of arrangement 1:2:1: G"):
        split(arrs, "1:2:1", ["G"])
    with pytest.raises(ValueError, match="would be empty"):
        split(arrs, "1:2:1", ["A", "B", "C", "D", "E", "O", "U"])
    with pytest.raises(ValueError, match="at least one"):
        split(arrs, "1:2:1", [])


def test_check_reports_every_contradiction() -> None:
    holders = {"1": {"A", "B", "C"}}
    arrs = [
        Arrangement("1", 2, ("A", "B", "Z"), "k1"),
        Arrangement("1", 2, ("B",), "k2"),
        Arrangement("1", 3, (), "k3"),
        Arrangement("1", 9, ("A",), "k1"),
    ]
    kinds = [p.kind for p in check(arrs, holders)]
    assert kinds == [NOT_HOLDER, ALONE, EMPTY, DUPLICATE_KEY, BAD_LEVEL, DUPLICATE, DUPLICATE, GAP]
    messages = [p.message for p in check(arrs, holders)]
    assert "Z CCG does not hold contract 1 but is in arrangement k1." in messages
    assert "C CCG holds contract 1 but is in no arrangement for it." in messages


def test_random_edits_keep_keys_unique_and_never_lose_members() -> None:
    rng = random.Random(0)
    arrs = annex2_proposals()
    for _ in range(300):
        contract = rng.choice(CONTRACT_IDS)
        mine = of(arrs, contract)
        if not mine:
            continue
        op = rng.choice(["move", "split", "merge"])
        if op == "move":
            org = rng.choice(ORG_CODES)
            target = rng.choice([*(a.key for a in mine), None])
            arrs = move(arrs, contract, org, target)
        elif op == "split":
            arr = rng.choice(mine)
            if len(arr.members) > 1:
                arrs = split(arrs, arr.key, rng.sample(arr.members, rng.randrange(1, len(arr.members))))
        else:
            a, b = rng.sample(mine, 2) if len(mine) > 1 else (mine[0], mine[0])
            if a.key != b.key and a.level == b.level:
                arrs = merge(arrs, a.key, b.key)
        keys = [a.key for a in arrs]
        assert len(keys) == len(set(keys))
        assert all(a.members for a in arrs)
        assert all(list(a.members) == sorted(set(a.members)) for a in arrs)
