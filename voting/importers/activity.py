"""Read the CCG x provider activity upload (technical appendix 1) in long form: one row per pair."""

from __future__ import annotations

from dataclasses import dataclass

from voting.importers.fields import RowChecker
from voting.importers.problems import ImportResult, finish
from voting.importers.table import read_table

COLUMNS = (
    "ccg_code",
    "ccg_name",
    "provider_code",
    "provider_name",
    "admissions",
    "elective_admissions",
    "outpatients",
    "first_outpatients",
)
CODE_MAX = 40
NAME_MAX = 200
COUNTS = {
    "admissions": "number of admissions",
    "elective_admissions": "number of elective admissions",
    "outpatients": "number of outpatients",
    "first_outpatients": "number of first outpatients",
}


@dataclass(frozen=True)
class ActivityRow:
    """One CCG's activity at one provider, as uploaded."""

    line: int
    ccg_code: str
    ccg_name: str
    provider_code: str
    provider_name: str
    admissions: int
    elective_admissions: int
    outpatients: int
    first_outpatients: int


def read_activity(data: bytes) -> ImportResult[ActivityRow]:
    """Parse an activity CSV or XLSX upload, reporting every problem with its line and column."""
    records, problems = read_table(data, COLUMNS)
    if problems:
        return finish([], problems)
    rows: list[ActivityRow] = []
    names: dict[tuple[str, str], tuple[str, int]] = {}  # ("CCG"|"Provider", code) -> (name, first line)
    pairs: dict[tuple[str, str], int] = {}  # (ccg, provider) -> first line
    for line, values in records:
        check = RowChecker(line, values, problems)
        ccg = check.text("ccg_code", what="CCG code", max_length=CODE_MAX)
        ccg_name = check.text("ccg_name", what="CCG name", max_length=NAME_MAX)
        provider = check.text("provider_code", what="provider code", max_length=CODE_MAX)
        provider_name = check.text("provider_name", what="provider name", max_length=NAME_MAX)
        counts = {column: _whole(check, column, what) for column, what in COUNTS.items()}
        _same_name(check, names, "CCG", "ccg_name", ccg, ccg_name)
        _same_name(check, names, "Provider", "provider_name", provider, provider_name)
        _part_of(check, counts, "elective_admissions", "admissions", "Elective admissions", "admissions")
        _part_of(check, counts, "first_outpatients", "outpatients", "First outpatients", "outpatients")
        if ccg and provider:
            earlier = pairs.setdefault((ccg, provider), line)
            if earlier != line:
                check.problem(
                    "provider_code",
                    f"CCG '{ccg}' and provider '{provider}' are already on line {earlier}. "
                    "Put each CCG and provider pair on one line.",
                )
        if None not in counts.values():
            whole = {column: int(value or 0) for column, value in counts.items()}
            rows.append(ActivityRow(line, ccg, ccg_name, provider, provider_name, **whole))
    return finish(rows, problems)


def _whole(check: RowChecker, column: str, what: str) -> int | None:
    """A whole number of zero or more, or None after recording a problem."""
    value = check.number(column, what=what, required=True)
    if value is None:
        return None
    if value != value.to_integral_value():
        check.problem(column, f"'{check.values[column]}' is not a whole number. Enter a count such as 1250.")
        return None
    return int(value)


def _same_name(
    check: RowChecker,
    names: dict[tuple[str, str], tuple[str, int]],
    kind: str,
    column: str,
    code: str,
    name: str,
) -> None:
    """A code keeps the name it was first given."""
    if not code or not name:
        return
    first_name, first_line = names.setdefault((kind, code), (name, check.line))
    if name != first_name:
        check.problem(
            column,
            f"{kind} '{code}' is called '{first_name}' on line {first_line} but '{name}' here. "
            "Use the same name on every row with that code.",
        )


def _part_of(
    check: RowChecker, counts: dict[str, int | None], part: str, whole: str, part_label: str, whole_label: str
) -> None:
    """A part (elective, first) cannot be more than the whole it belongs to."""
    part_value, whole_value = counts[part], counts[whole]
    if part_value is None or whole_value is None or part_value <= whole_value:
        return
    check.problem(
        part,
        f"{part_label} ({part_value:,}) are more than {whole_label} ({whole_value:,}). "
        f"{part_label} are part of all {whole_label}.",
    )
    counts[part] = None  # keeps the row out of the result; finish() drops every row anyway
