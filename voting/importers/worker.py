"""The child process that parses one upload for offload.py: pickled call on stdin, result on stdout.

Run as a script, not with -m: `python -m voting.importers.worker` would first run voting/__init__.py,
which loads Flask, SQLAlchemy and the whole app (0.7 s of CPU) that a parser does not need.
"""

from __future__ import annotations

import importlib
import os
import pickle  # noqa: S403  (the parent process is the app that started us)
import sys
import types
from pathlib import Path


def main() -> None:
    """Read (module, function, args) from stdin, call it, write the pickled result to stdout."""
    os.nice(10)  # on a busy laptop the server answering phones gets the CPU first
    package_dir = Path(__file__).resolve().parent.parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
    package = types.ModuleType("voting")
    package.__path__ = [str(package_dir)]
    sys.modules["voting"] = package  # the package without its __init__ (see the docstring)
    module_name, function_name, args = pickle.loads(sys.stdin.buffer.read())  # noqa: S301
    if not module_name.startswith("voting.importers."):
        raise SystemExit(f"not an importer: {module_name}")
    function = getattr(importlib.import_module(module_name), function_name)
    sys.stdout.buffer.write(pickle.dumps(function(*args)))


if __name__ == "__main__":
    main()
