"""Check one row's cells, turning text into values and recording problems instead of raising."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from voting.importers.problems import Problem

# 1234567, 1,234,567, 1234567.89, .5 - commas only as proper thousands groups, so "1,5" is refused.
NUMBER = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+")
MAX_NUMBER = Decimal(10) ** 15


class RowChecker:
    """Reads checked values from one row; each problem found is appended to `problems`."""

    def __init__(self, line: int, values: dict[str, str], problems: list[Problem]) -> None:
        self.line = line
        self.values = values
        self.problems = problems

    def problem(self, column: str | None, message: str) -> None:
        """Record a problem on this row."""
        self.problems.append(Problem(self.line, column, message))

    def text(self, column: str, *, what: str, max_length: int, required: bool = True) -> str:
        """The cell's text; a problem if it is required and empty, or longer than `max_length`."""
        value = self.values.get(column, "")
        if required and not value:
            self.problem(column, f"The {what} is empty.")
        elif len(value) > max_length:
            self.problem(column, f"The {what} is {len(value)} characters long; the limit is {max_length}.")
        return value

    def number(
        self, column: str, *, what: str, required: bool, pounds: bool = False, places: int | None = None
    ) -> Decimal | None:
        """A non-negative number ("£" allowed when `pounds`); None if empty or invalid."""
        raw = self.values.get(column, "")
        if not raw:
            if required:
                self.problem(column, f"The {what} is empty. Enter a number, e.g. 1250000.")
            return None
        text = raw
        negative = text.startswith("-")
        if negative:
            text = text[1:].lstrip()
        if pounds and text.startswith("£"):
            text = text[1:].lstrip()
        if not NUMBER.fullmatch(text):
            self.problem(column, f"'{raw}' is not a number.")
            return None
        value = Decimal(text.replace(",", ""))
        if negative and value:
            self.problem(column, f"'{raw}' is negative; the {what} must be zero or more.")
        elif value >= MAX_NUMBER:
            self.problem(column, f"'{raw}' is too large for the {what}.")
        elif places is not None and value.quantize(Decimal(10) ** -places) != value:
            self.problem(column, f"'{raw}' has more than {places} decimal places.")
        else:
            return value
        return None


def case_hint(code: str, known: dict[str, str]) -> str:
    """ " Codes are case-sensitive: did you mean 'X'?" when `code` matches a known code but for case."""
    match = known.get(code.casefold())
    return f" Codes are case-sensitive: did you mean '{match}'?" if match else ""


def fold(codes: Iterable[str]) -> dict[str, str]:
    """Map each code's casefolded form to the code, for case_hint."""
    return {code.casefold(): code for code in codes}
