"""Running apart from testing: `pip install .` alone (no extras) gives a working `voting serve`, and
the app imports nothing that only the `test` extra provides."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from importlib import metadata
from pathlib import Path

import requests
from packaging.requirements import Requirement

from tests.e2e.conftest import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
TOOLS = ("pytest", "playwright", "schemathesis", "hypothesis", "matplotlib", "ruff", "aiohttp", "psutil")


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _needed(requirement: str) -> bool:
    """Installed by naming the package alone here: not only for an extra, not for another Python."""
    marker = Requirement(requirement).marker
    return marker is None or marker.evaluate({"extra": ""})


def _runtime_closure() -> set[str]:
    """The main dependencies and everything they require (as installed here), normalised names."""
    seen: set[str] = set()
    todo = [_name(r) for r in PROJECT["dependencies"]]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for requirement in metadata.requires(name) or []:
            if _needed(requirement):
                todo.append(_name(requirement))
    return seen


def _third_party_imports() -> set[str]:
    """Top-level modules imported anywhere in the app and its entry point, stdlib and voting left out."""
    found: set[str] = set()
    for path in [ROOT / "wsgi.py", *(ROOT / "voting").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in ("voting", "__future__")}


def test_every_module_the_app_imports_comes_with_the_main_dependencies() -> None:
    """Before: wsgi.py imported gevent (the default server) and psycogreen, and gevent was only in
    the test extra. Every import in voting/ and wsgi.py must be provided by `dependencies`."""
    closure = _runtime_closure()
    providers = metadata.packages_distributions()
    missing = {}
    for module in sorted(_third_party_imports()):
        names = {d.lower().replace("_", "-") for d in providers.get(module, [])}
        if not names & closure:
            missing[module] = sorted(names) or "not installed"
    assert missing == {}
    for tool in TOOLS:
        assert tool not in closure, f"{tool} is a test tool but running the app would install it"
    assert "gevent" in {_name(r) for r in PROJECT["dependencies"]}


def test_pip_install_alone_gives_a_working_server(tmp_path: Path, database_url: str) -> None:
    """A fresh virtual environment, `pip install .` with no extras from a copy of the tracked files
    (as a clone has them): `voting serve` starts on its default server, gevent, upgrades the empty
    database, answers /healthz and serves a page with its stylesheet; no test tool was installed."""
    source = tmp_path / "source"
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
    ).stdout.split(b"\0")
    for name in filter(None, (t.decode() for t in tracked)):
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target, follow_symlinks=False)
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    python = environment / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source)],
        check=True,
        timeout=600,
    )
    installed = subprocess.run(
        [python, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True, check=True
    ).stdout.lower()
    assert "gevent==" in installed and "flask-migrate==" in installed
    for tool in TOOLS:
        assert f"\n{tool}==" not in f"\n{installed}", f"{tool} was installed without the test extra"

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOCKETIO_", "PYTHON", "VIRTUAL_ENV"))}
    env |= {"DATABASE_URL": database_url, "SECRET_KEY": "packaging-test", "PUBLIC_BASE_URL": url}
    log = tmp_path / "server.log"
    run_in = tmp_path / "elsewhere"  # not the source folder: only what was installed is there
    run_in.mkdir()
    with log.open("ab") as out:
        server = subprocess.Popen(
            [environment / "bin" / "voting", "serve", "--port", str(port)],
            env=env,
            cwd=run_in,
            stdout=out,
            stderr=out,
        )
    try:
        wait_until_up(url, server, log, timeout=60)
        assert requests.get(f"{url}/healthz", timeout=5).json() == {"status": "ok"}
        assert requests.get(f"{url}/readyz", timeout=5).json()["database"] == "ok"
        page = requests.get(f"{url}/login", timeout=5)
        assert page.status_code == 200 and "Sign in" in page.text
        assert requests.get(f"{url}/static/css/report.css", timeout=5).status_code == 200
        assert "(gevent)" in log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=20)
