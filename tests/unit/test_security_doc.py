"""docs/security.md names a test beside every promise: each one it names must exist.

A promise whose test was renamed or deleted is a claim nothing checks any more, so the document
would say something that is not so. Names are written as `tests/path.py::test_name`, or as
`::test_name` for another test in the file named just before.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMED = re.compile(r"`((?:tests/[\w/.-]+)?)(?:::(\w+))?(?:\[[^\]`]*\])?`")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def named_tests(text: str) -> list[tuple[str, str | None]]:
    """(path, test name or None) for every test the document names, in order."""
    found: list[tuple[str, str | None]] = []
    last = ""
    for path, name in NAMED.findall(text):
        if not path and not name:
            continue
        if path:
            last = path
        found.append((last, name or None))
    return found


def test_every_test_that_docs_security_names_exists() -> None:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    named = named_tests(text)
    assert len(named) > 50  # the document names its tests; the pattern still finds them
    missing = []
    for path, name in named:
        target = ROOT / path
        if not target.exists():
            missing.append(path)
        elif name is not None and target.is_file() and name not in _tests_in(target):
            missing.append(f"{path}::{name}")
    assert not missing, f"docs/security.md names tests that do not exist: {missing}"


def test_a_missing_test_would_be_found() -> None:
    """The check above can fail: a made-up name is reported."""
    named = named_tests(
        "`tests/unit/test_security_doc.py::test_that_is_not_there` and `::test_a_missing_test_would_be_found`"
    )
    assert named == [
        ("tests/unit/test_security_doc.py", "test_that_is_not_there"),
        ("tests/unit/test_security_doc.py", "test_a_missing_test_would_be_found"),
    ]
    assert "test_that_is_not_there" not in _tests_in(ROOT / "tests/unit/test_security_doc.py")
