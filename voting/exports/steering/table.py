"""A steering pack table: what one sheet, one CSV file or one report table holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from voting.domain.matrix import Matrix

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    """A named table: a caption line, a header row and data rows (or a matrix, for the matrix sheets)."""

    name: str  # sheet name (at most 31 characters) and CSV file stem
    caption: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    matrix: Matrix | None = None
