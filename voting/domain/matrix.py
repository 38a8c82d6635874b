"""The CCG x contract matrix of Annex 2, built from positions and holdings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from voting.domain.aggregation import NO_POSITION, Position

NA = "NA"


@dataclass(frozen=True)
class Row:
    code: str
    name: str


@dataclass(frozen=True)
class Column:
    code: str
    name: str


@dataclass(frozen=True)
class Matrix:
    """Rows are organisations, columns contracts, both in loaded order.

    A cell is "NA" (does not hold the contract), "" (no position yet), "2", or "2/3" (split).
    """

    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    cells: Mapping[tuple[str, str], str]

    def cell(self, org: str, contract: str) -> str:
        return self.cells[(org, contract)]

    def row_labels(self, org: str) -> list[str]:
        return [self.cells[(org, column.code)] for column in self.columns]


def build_matrix(
    rows: Sequence[Row],
    columns: Sequence[Column],
    holdings: Iterable[tuple[str, str]],
    positions: Mapping[tuple[str, str], Position],
) -> Matrix:
    """Fill every (organisation, contract) cell: NA, empty, a level or a split."""
    held = set(holdings)
    cells: dict[tuple[str, str], str] = {}
    for row in rows:
        for column in columns:
            key = (row.code, column.code)
            cells[key] = positions.get(key, NO_POSITION).label if key in held else NA
    return Matrix(rows=tuple(rows), columns=tuple(columns), cells=cells)
