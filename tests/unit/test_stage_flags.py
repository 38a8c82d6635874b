"""Stage 3 "Are we sure?" flags and the neighbour view, on the Annex 2 example matrix."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from voting.demo_data import ANNEX2_MATRIX, CONTRACT_IDS, ORG_CODES, neighbours
from voting.domain.cells import parse_cell, symmetric
from voting.domain.flags import (
    ISOLATED,
    KINDS,
    MISMATCH,
    NO_POSITION,
    SPLIT,
    Flag,
    compute_flags,
    neighbour_view,
)


def count_open(
    flags: Iterable[Flag],
    *,
    org: str | None = None,
    contract: str | None = None,
    kinds: Iterable[str] | None = None,
) -> int:
    """Test helper: number of flags, optionally only for one CCG, one contract and/or some kinds."""
    wanted = set(kinds) if kinds is not None else None
    return sum(
        1
        for flag in flags
        if (org is None or flag.org == org)
        and (contract is None or flag.contract == contract)
        and (wanted is None or flag.kind in wanted)
    )


def count_by_kind(flags: Iterable[Flag]) -> dict[str, int]:
    """Test helper: flags per kind, every kind present (zeros included), in KINDS order."""
    counts = dict.fromkeys(KINDS, 0)
    for flag in flags:
        counts[flag.kind] = counts.get(flag.kind, 0) + 1
    return counts


def annex2_cells() -> dict[tuple[str, str], str]:
    return {(org, c): ANNEX2_MATRIX[org][i] for org in ORG_CODES for i, c in enumerate(CONTRACT_IDS)}


def flags_for(cells: dict[tuple[str, str], str]) -> list[Flag]:
    return compute_flags(cells, ORG_CODES, CONTRACT_IDS, neighbours())


def test_annex2_has_only_the_four_empty_cells_flagged() -> None:
    flags = flags_for(annex2_cells())
    assert [(f.org, f.contract, f.kind) for f in flags] == [
        ("J", "7", NO_POSITION),
        ("J", "14", NO_POSITION),
        ("P", "7", NO_POSITION),
        ("P", "14", NO_POSITION),
    ]
    assert count_by_kind(flags) == {NO_POSITION: 4, SPLIT: 0, ISOLATED: 0, MISMATCH: 0}


def test_annex2_no_ccg_is_isolated_for_contract_1() -> None:
    flags = flags_for(annex2_cells())
    assert count_open(flags, contract="1") == 0
    # and every small cluster CCG on contract 1 really has a same-level neighbour holding it
    links = symmetric(neighbours())
    cells = annex2_cells()
    for org in ORG_CODES:
        if cells[(org, "1")] == "2":
            assert any(cells[(n, "1")] == "2" for n in links[org]), org


def test_no_position_for_j_and_p_on_contract_7() -> None:
    flags = flags_for(annex2_cells())
    assert {f.org for f in flags if f.contract == "7" and f.kind == NO_POSITION} == {"J", "P"}
    assert count_open(flags, org="J") == 2
    assert count_open(flags, org="A") == 0


def test_isolated_when_no_holding_neighbour_collaborates() -> None:
    cells = annex2_cells()
    cells[("G", "6")] = "2"  # G's only neighbour holding contract 6 is J, which chose 1
    flags = [f for f in flags_for(cells) if f.contract == "6"]
    assert [(f.org, f.kind) for f in flags] == [("G", ISOLATED)]
    message = flags[0].message
    assert message.startswith(
        "You chose small clusters (2) but no neighbouring CCG that holds this contract did: "
        "you can't collaborate if no one else wants to."
    )
    assert "They chose individual CCG (1): J CCG." in message


def test_isolated_when_no_neighbour_holds_the_contract() -> None:
    cells = annex2_cells()
    cells[("A", "13")] = "3"  # A's neighbours B and C: only C holds 13 -> make C not hold it
    cells[("C", "13")] = "NA"
    flags = [f for f in flags_for(cells) if f.contract == "13"]
    assert [(f.org, f.kind) for f in flags] == [("A", ISOLATED)]
    assert "no neighbouring CCG holds this contract" in flags[0].message


def test_mismatch_instead_of_isolated_when_neighbours_chose_another_collaborative_level() -> None:
    cells = annex2_cells()
    cells[("D", "1")] = "3"  # D's holding neighbours C and E chose 2; G does not hold contract 1
    flags = [f for f in flags_for(cells) if f.contract == "1"]
    assert [(f.org, f.kind) for f in flags] == [("D", MISMATCH)]
    assert "chose small clusters (2): C CCG and E CCG" in flags[0].message
    assert count_open(flags, kinds=[ISOLATED]) == 0  # the same fact is not flagged twice


def test_regional_choice_can_mismatch_but_is_never_isolated() -> None:
    cells = annex2_cells()
    cells[("L", "3")] = "4"  # L's holding neighbours M and N chose 2
    cells[("A", "6")] = "4"  # A's only holding neighbour C chose 1: not a collaborative level
    flags = flags_for(cells)
    assert [f.kind for f in flags if (f.org, f.contract) == ("L", "3")] == [MISMATCH]
    assert [f for f in flags if (f.org, f.contract) == ("A", "6")] == []


def test_one_same_level_neighbour_is_enough_even_if_others_differ() -> None:
    cells = annex2_cells()
    cells[("C", "1")] = "3"
    cells[("D", "1")] = "3"  # C and D are neighbours and agree; B and E chose 2
    flags = [f for f in flags_for(cells) if f.contract == "1"]
    assert flags == []


def test_split_cell_is_flagged_and_named_in_neighbours_messages() -> None:
    cells = annex2_cells()
    cells[("H", "2")] = "2/3"
    cells[("G", "2")] = "3"  # G's holding neighbours: H (split), J (2)
    flags = {(f.org, f.contract): f for f in flags_for(cells)}
    assert flags[("H", "2")].kind == SPLIT
    assert "split between small clusters (2) and larger clusters (3)" in flags[("H", "2")].message
    assert flags[("G", "2")].kind == MISMATCH
    assert "Not settled yet: H CCG (split 2/3)." in flags[("G", "2")].message


def test_neighbours_are_treated_as_symmetric() -> None:
    cells = {("X", "1"): "2", ("Y", "1"): "2"}
    assert compute_flags(cells, ["X", "Y"], ["1"], {"X": ["Y"]}) == []
    assert [f.org for f in compute_flags(cells, ["X", "Y"], ["1"], {})] == ["X", "Y"]


def test_count_by_kind_includes_every_kind() -> None:
    assert count_by_kind([]) == dict.fromkeys(KINDS, 0)


@pytest.mark.parametrize(
    ("cell", "parsed"), [("NA", None), ("", ()), ("2", (2,)), ("3/2", (2, 3)), (" 4 ", (4,))]
)
def test_parse_cell(cell: str, parsed: tuple[int, ...] | None) -> None:
    assert parse_cell(cell) == parsed


@pytest.mark.parametrize("cell", ["6", "0", "x", "2/", "²"])
def test_parse_cell_rejects_nonsense(cell: str) -> None:
    with pytest.raises(ValueError, match="not NA, empty"):
        parse_cell(cell)


def test_neighbour_view_for_j_shows_its_held_contracts_beside_g_p_q() -> None:
    view = neighbour_view(annex2_cells(), "J", neighbours(), CONTRACT_IDS)
    assert view.contracts == ("2", "4", "5", "6", "7", "9", "11", "12", "13", "14", "16", "18", "19", "20")
    assert [row.org for row in view.rows] == ["J", "G", "P", "Q"]
    own, g, p, q = view.rows
    assert own.is_self and not any(own.same)
    assert own.cells[view.contracts.index("7")] == ""
    assert g.cells[view.contracts.index("7")] == "1"
    assert q.cells[view.contracts.index("6")] == "NA"
    assert g.same[view.contracts.index("2")] and not g.same[view.contracts.index("7")]
    assert not q.same[view.contracts.index("6")]


def test_neighbour_view_can_show_all_contracts() -> None:
    view = neighbour_view(annex2_cells(), "B", neighbours(), CONTRACT_IDS, only_held=False)
    assert view.contracts == CONTRACT_IDS
    assert [row.org for row in view.rows] == ["B", "A", "C", "U"]
    assert view.rows[0].cells[1] == "NA"
