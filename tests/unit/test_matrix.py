"""The CCG x contract matrix cells, and reading a level from user input."""

from __future__ import annotations

import pytest

from voting.domain.aggregation import Position
from voting.domain.levels import LEVELS, parse_level
from voting.domain.matrix import NA, Column, Row, build_matrix

ROWS = [Row("00Q", "Alpha CCG"), Row("00R", "Beta CCG"), Row("00S", "Gamma CCG")]
COLUMNS = [Column("1", "Acute"), Column("2", "Mental health"), Column("3", "NHS 111")]
HOLDINGS = [("00Q", "1"), ("00R", "1"), ("00R", "2"), ("00S", "2"), ("00Q", "3"), ("00R", "3")]


def sample():
    positions = {
        ("00Q", "1"): Position((2,)),
        ("00R", "1"): Position((2, 3)),
        ("00R", "2"): Position((4,), resolved=True),
        ("00S", "3"): Position((5,)),  # not held: must not appear
    }
    return build_matrix(ROWS, COLUMNS, HOLDINGS, positions)


def test_cells_are_na_empty_level_or_split() -> None:
    matrix = sample()
    assert matrix.row_labels("00Q") == ["2", NA, ""]
    assert matrix.row_labels("00R") == ["2/3", "4", ""]
    assert matrix.row_labels("00S") == [NA, "", NA]


def test_position_of_a_non_holder_shows_na() -> None:
    assert sample().cell("00S", "3") == "NA"


def test_held_contract_without_votes_is_empty_not_na() -> None:
    matrix = sample()
    assert matrix.cell("00S", "2") == ""
    assert matrix.cell("00Q", "2") == "NA"


def test_every_cell_is_filled_and_order_is_kept() -> None:
    matrix = sample()
    assert len(matrix.cells) == len(ROWS) * len(COLUMNS)
    assert [row.code for row in matrix.rows] == ["00Q", "00R", "00S"]
    assert [column.code for column in matrix.columns] == ["1", "2", "3"]


def test_matrix_with_no_holdings_is_all_na() -> None:
    matrix = build_matrix(ROWS, COLUMNS, [], {})
    assert set(matrix.cells.values()) == {NA}


def test_unknown_cell_raises() -> None:
    with pytest.raises(KeyError):
        sample().cell("00Z", "1")


@pytest.mark.parametrize(("raw", "expected"), [(1, 1), (5, 5), ("3", 3), (" 4 ", 4), ("2", 2)])
def test_parse_level_accepts_the_five_levels(raw: object, expected: int) -> None:
    assert parse_level(raw) == expected


@pytest.mark.parametrize(
    "raw", [0, 6, -1, "0", "6", "x", "", " ", "2.5", 2.5, 3.0, True, False, None, [3], "-3", "٣", "²"]
)
def test_parse_level_rejects_anything_else(raw: object) -> None:
    assert parse_level(raw) is None


def test_parse_level_takes_only_the_five_levels() -> None:
    assert all(parse_level(level) == level for level in LEVELS)
    assert parse_level(True) is None
    assert parse_level(0) is None
    assert parse_level(6) is None
