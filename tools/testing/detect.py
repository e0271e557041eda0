"""Which command runs a repository's tests, told from its files: Django's `tests/runtests.py`, sympy's
`bin/test`, the test command in a tox configuration, pytest, or unittest for suites that never mention pytest;
`npm test`, `cargo test`, `go test ./...` or `make test` elsewhere."""

from __future__ import annotations

import posixpath
import shlex
from typing import TYPE_CHECKING

from tools.testing.tox_config import tox_test_command

if TYPE_CHECKING:
    from core.settings import Settings
    from workspaces.base import Workspace

PYTHON_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "pytest.ini", "tox.ini", "conftest.py")
PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg", "tox.ini", "Makefile", "requirements*.txt")
SEARCH_OPTIONS = "--exclude-dir=.git --exclude-dir=.venv --exclude-dir=node_modules --exclude-dir=.tox"


def python_with(workspace: Workspace, module: str) -> str:
    """`python` or `python3`, whichever imports `module` (checked in that order); `python3` when neither does."""
    probe = workspace.exec(
        f"for p in python python3; do if command -v $p >/dev/null && $p -c 'import {module}' 2>/dev/null;"
        " then echo $p; exit 0; fi; done; echo python3",
        timeout=30,
    )
    return (probe.stdout.strip().splitlines() or ["python3"])[-1]


def _test_frameworks(workspace: Workspace) -> set[str]:
    """`pytest` and/or `unittest`: what the test files import, and whether the project files name pytest."""
    test_files = "--include='test*.py' --include='*_test.py'"
    project = " ".join(f"--include={shlex.quote(name)}" for name in PROJECT_FILES)
    found = workspace.exec(
        f"grep -rhoE {SEARCH_OPTIONS} {test_files} '^\\s*(import|from) +(pytest|unittest)\\b' . 2>/dev/null"
        f" | grep -oE 'pytest|unittest' | sort -u;"
        f" grep -rlE {SEARCH_OPTIONS} {project} 'pytest|py\\.test' . 2>/dev/null | head -1 | sed 's/.*/pytest/'",
        timeout=60,
    )
    words = set(found.stdout.split())
    if any(workspace.exists(name) for name in ("pytest.ini", "conftest.py")):
        words.add("pytest")
    return words


def _discovery_start(files: list[str]) -> str:
    """unittest discovery only enters packages: the one directory holding every test file when the test files
    are not reachable through packages from the repository root."""
    tests = [f for f in files if posixpath.basename(f).startswith("test") and f.endswith(".py")]
    known = set(files)
    unreachable = [
        f for f in tests
        if any(f"{d}/__init__.py" not in known for d in _parents(posixpath.dirname(f)))
    ]
    tops = {f.split("/", 1)[0] for f in unreachable if "/" in f}
    return tops.pop() if len(tops) == 1 else "."


def _parents(directory: str) -> list[str]:
    parts = directory.split("/") if directory else []
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


def detect_test_command(workspace: Workspace, settings: Settings | None = None) -> str:
    """`settings.test_command` when set; else the repository's own runner (see the module docstring)."""
    if settings is not None and settings.test_command:
        return settings.test_command
    files = workspace.list_files()
    known = set(files)
    is_python = any(marker in known for marker in PYTHON_MARKERS) or any(f.endswith(".py") for f in files)
    if not is_python:
        others = (("package.json", "npm test"), ("Cargo.toml", "cargo test"), ("go.mod", "go test ./..."))
        return next((command for marker, command in others if marker in known), "make test")
    if "tests/runtests.py" in known and "django/__init__.py" in known:
        return f"{python_with(workspace, 'django')} tests/runtests.py --verbosity 2 --parallel 1"
    if "bin/test" in known and "sympy/__init__.py" in known:
        return f"{python_with(workspace, 'sympy')} bin/test -C --verbose"
    python = python_with(workspace, "pytest")
    tox = tox_test_command(workspace, python)
    if tox is not None:
        return tox.command
    if _test_frameworks(workspace) == {"unittest"}:
        start = _discovery_start(files)
        return f"{python} -m unittest discover -v" + (f" -s {shlex.quote(start)}" if start != "." else "")
    return f"{python} -m pytest"
