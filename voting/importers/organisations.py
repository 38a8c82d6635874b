"""Read the organisations upload: code,name,neighbours (neighbours are codes separated by ';')."""

from __future__ import annotations

from dataclasses import dataclass

from voting.importers.fields import RowChecker, case_hint, fold
from voting.importers.problems import ImportResult, Problem, finish
from voting.importers.table import read_table

COLUMNS = ("code", "name", "neighbours")
CODE_MAX = 40
NAME_MAX = 200


@dataclass(frozen=True)
class OrganisationRow:
    """One organisation (CCG) as uploaded; `neighbours` are codes defined in the same file."""

    line: int
    code: str
    name: str
    neighbours: tuple[str, ...]


def split_codes(text: str) -> tuple[str, ...]:
    """Codes from a ';'-separated cell: trimmed, empties dropped, repeats removed, order kept."""
    return tuple(dict.fromkeys(part.strip() for part in text.split(";") if part.strip()))


def read_organisations(data: bytes) -> ImportResult[OrganisationRow]:
    """Parse an organisations CSV or XLSX upload, reporting every problem with its line and column."""
    records, problems = read_table(data, COLUMNS)
    if problems:
        return finish([], problems)
    rows: list[OrganisationRow] = []
    first_line: dict[str, int] = {}
    for line, values in records:
        check = RowChecker(line, values, problems)
        code = check.text("code", what="organisation code", max_length=CODE_MAX)
        name = check.text("name", what="organisation name", max_length=NAME_MAX)
        if code in first_line:
            message = f"Code '{code}' is already used on line {first_line[code]}. Codes must be unique."
            check.problem("code", message)
        elif code:
            first_line[code] = line
        rows.append(OrganisationRow(line, code, name, split_codes(values["neighbours"])))
    problems.extend(_neighbour_problems(rows, first_line))
    return finish(rows, problems)


def _neighbour_problems(rows: list[OrganisationRow], first_line: dict[str, int]) -> list[Problem]:
    problems: list[Problem] = []
    folded = fold(first_line)
    for row in rows:
        for neighbour in row.neighbours:
            if neighbour == row.code:
                message = f"An organisation cannot be its own neighbour ('{neighbour}')."
            elif neighbour not in first_line:
                message = f"Neighbour code '{neighbour}' is not an organisation in this file."
                message += case_hint(neighbour, folded)
                if "," in neighbour:
                    message += " Separate neighbour codes with ';'."
            else:
                continue
            problems.append(Problem(row.line, "neighbours", message))
    return problems
