"""Annex 2 collaboration matrix as CSV (UTF-8 with BOM so Excel reads names correctly)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from voting.domain.matrix import Matrix
from voting.exports.legend import NOTES, level_rows
from voting.exports.safe import escape_cell


def matrix_rows(matrix: Matrix) -> list[list[str]]:
    """Header plus one row per organisation, every text cell escaped."""
    header = ["CCG", *(escape_cell(column.code) for column in matrix.columns)]
    body = [
        [escape_cell(row.name), *(escape_cell(label) for label in matrix.row_labels(row.code))]
        for row in matrix.rows
    ]
    return [header, *body]


def legend_rows() -> list[list[str]]:
    """Levels, a blank row, then the Split/NA/empty notes."""
    levels = [[str(number), label] for number, label in level_rows()]
    return [*levels, [], *([key, note] for key, note in NOTES)]


def matrix_csv(matrix: Matrix, provenance: Sequence[tuple[str, str]] = ()) -> bytes:
    """The matrix, one blank line, then the legend (then, if given, where it came from), as
    UTF-8-with-BOM CSV bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(matrix_rows(matrix))
    writer.writerow([])
    writer.writerows(legend_rows())
    if provenance:
        writer.writerow([])
        writer.writerows([escape_cell(key), escape_cell(value)] for key, value in provenance)
    return buffer.getvalue().encode("utf-8-sig")
