"""Pure exporters for the Annex 2 collaboration matrix (CSV and Excel), no Flask or database."""

from voting.exports.csv_matrix import matrix_csv
from voting.exports.legend import LEVEL_COLOURS
from voting.exports.safe import escape_cell
from voting.exports.xlsx_matrix import matrix_xlsx

__all__ = ["LEVEL_COLOURS", "escape_cell", "matrix_csv", "matrix_xlsx"]
