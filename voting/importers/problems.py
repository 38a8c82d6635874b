"""Problems found in an uploaded file, and the result of reading one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded file.

    `line` is the file's line (spreadsheet row) number, header = 1; 0 means the file as a whole.
    `column` is the header name the problem is in, or None when it is about the whole line.
    """

    line: int
    column: str | None
    message: str

    def to_dict(self) -> dict[str, int | str | None]:
        """JSON-ready form: {"line": ..., "column": ..., "message": ...}."""
        return {"line": self.line, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        if self.line <= 0:
            return self.message
        where = f"Line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportResult(Generic[T]):
    """Parsed rows, or every problem found; `rows` is empty whenever there are problems."""

    rows: tuple[T, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when the file had no problems and its rows may be written."""
        return not self.problems


def finish(rows: list[T], problems: list[Problem]) -> ImportResult[T]:
    """Build a result: problems sorted by line (stable), and no rows if anything is wrong."""
    ordered = tuple(sorted(problems, key=lambda p: p.line))
    return ImportResult(rows=() if ordered else tuple(rows), problems=ordered)
