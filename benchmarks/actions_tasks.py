"""The tasks and checks of bench_actions: a repository's functions and methods with ≥ 3 call sites in ≥ 2 files,
and whether the repository still compiles, imports and passes its tests as before after an edit."""

from __future__ import annotations

import ast
import builtins
import contextlib
import hashlib
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SKIPPED_NAMES = re.compile(r"^(__\w+__|test_\w*|pytest_\w+|setup|teardown|main|run|get|update|close)$")
BUILTIN_NAMES = frozenset(dir(builtins))
"""Skipped: the graph links calls of the builtin (`all(...)`) to a method of that name."""
TEST_TIMEOUT_S = 300


@dataclass(frozen=True)
class Task:
    node: str
    """The graph id: `path:Qual.name`."""
    path: str
    qualname: str
    call_sites: int
    files: int

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


def _is_test(path: str) -> bool:
    parts = path.split("/")
    return any(p in ("tests", "testing", "test") for p in parts) or parts[-1].startswith(("test_", "conftest"))


def pick_tasks(graph: Any, count: int, unique_names: bool = False) -> list[Task]:
    """Up to `count` Python functions and methods outside the tests with ≥ 3 call sites in ≥ 2 files, spread over
    the repository by a hash of their id (the same tasks every run)."""
    defined: dict[str, int] = defaultdict(int)
    for _, data in graph.graph.nodes(data=True):
        if data.get("kind") in ("function", "method"):
            defined[data["name"]] += 1
    found = []
    for node, data in graph.graph.nodes(data=True):
        if data.get("kind") not in ("function", "method") or not data["path"].endswith(".py"):
            continue
        name = data["name"]
        if _is_test(data["path"]) or SKIPPED_NAMES.match(name) or name in BUILTIN_NAMES:
            continue
        if unique_names and defined[name] > 1:
            continue
        calls = [
            (source, attrs.get("line", 0))
            for source, _, kind, attrs in graph.graph.in_edges(node, keys=True, data=True)
            if kind == "calls"
        ]
        files = {graph.graph.nodes[source]["path"] for source, _ in calls}
        if len(calls) >= 3 and len(files) >= 2:
            found.append(Task(node, data["path"], data["qualname"], len(calls), len(files)))
    found.sort(key=lambda task: hashlib.sha1(task.node.encode()).hexdigest())
    return found[:count]


def importable_modules(root: Path, paths: list[str], source_dir: str) -> list[str]:
    modules = []
    for path in paths:
        if not path.endswith(".py") or _is_test(path) or not path.startswith(source_dir):
            continue
        parts = Path(path[len(source_dir) :].lstrip("/")).with_suffix("").parts
        modules.append(".".join(p for p in parts if p != "__init__"))
    return [m for m in modules if m]


@dataclass
class Checker:
    """Compile, import and (optionally) test checks against the repository as it was before any edit."""

    root: Path
    source_dir: str
    run_tests: bool
    pytest_args: tuple[str, ...] = ()
    baseline_imports: dict[str, bool] = field(default_factory=dict)
    baseline_tests: dict[str, str] = field(default_factory=dict)

    @contextlib.contextmanager
    def unedited(self) -> Iterator[None]:
        """The repository as committed while the block runs (the edit being checked is stashed), so a baseline is
        never taken on the edited tree."""
        edited = subprocess.run(["git", "diff", "--quiet"], cwd=self.root, check=False).returncode != 0
        if edited:
            subprocess.run(["git", "stash", "push", "-q"], cwd=self.root, capture_output=True, check=True)
        try:
            yield
        finally:
            if edited:
                subprocess.run(["git", "stash", "pop", "-q"], cwd=self.root, capture_output=True, check=True)

    def compiles(self, paths: list[str]) -> bool:
        for path in paths:
            try:
                compile((self.root / path).read_text(encoding="utf-8"), path, "exec", dont_inherit=True)
            except (SyntaxError, ValueError):
                return False
        return True

    def imports(self, modules: list[str]) -> bool | None:
        """True when every module imports; None when one did not import before the edit either (the repository's
        dependencies are not installed here), so only compiling is checked."""
        unknown = [m for m in modules if m not in self.baseline_imports]
        if unknown:
            with self.unedited():
                self.baseline_imports.update(self._import(unknown))
        wanted = [m for m in modules if self.baseline_imports[m]]
        imported = self._import(wanted) if wanted else {}
        if not all(imported.values()):
            return False
        return None if len(wanted) < len(modules) else True

    def _import(self, modules: list[str]) -> dict[str, bool]:
        """Which of the modules import, each in a fresh interpreter's try (one process for all)."""
        script = (
            "import importlib, json, sys\nok = {}\nfor m in sys.argv[1:]:\n    try:\n        importlib.import_module(m)"
            "\n        ok[m] = True\n    except BaseException:\n        ok[m] = False\nprint(json.dumps(ok))"
        )
        answer = self._python_json(script, *modules)
        return {m: answer.get(m, False) for m in modules}

    def _python_json(self, script: str, *arguments: str) -> dict[str, Any]:
        """The JSON object a Python script prints last, run with the repository's sources first on the path."""
        env = {**os.environ, "PYTHONPATH": str(self.root / self.source_dir), "PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run(
            [sys.executable, "-c", script, *arguments],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        try:
            answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            answer = {}
        return answer

    def overriding_installed(self, tasks: list[Task]) -> dict[str, str]:
        """node → the class outside the repository (an installed package's) whose method of the same name the task's
        method overrides, found by importing its module: renaming or re-signing it would break that package's calls
        (pluggy calling `register`), so no edit can be correct. Modules that do not import here are not judged."""
        methods = {
            task.node: (module, task.qualname)
            for task in tasks
            if "." in task.qualname
            for module in importable_modules(self.root, [task.path], self.source_dir)
        }
        if not methods:
            return {}
        script = (
            "import importlib, json, os, sys\nroot = os.path.realpath(sys.argv[1])\nfound = {}\n"
            "for node, (module, qualname) in json.loads(sys.argv[2]).items():\n"
            "    try:\n        owner = importlib.import_module(module)\n"
            "        for part in qualname.split('.')[:-1]:\n            owner = getattr(owner, part)\n"
            "        name = qualname.rsplit('.', 1)[1]\n"
            "        for base in owner.__mro__[1:]:\n"
            "            file = getattr(sys.modules.get(base.__module__), '__file__', None) or ''\n"
            "            if name in vars(base) and not os.path.realpath(file).startswith(root + os.sep):\n"
            "                found[node] = base.__module__ + '.' + base.__qualname__\n                break\n"
            "    except BaseException:\n        pass\nprint(json.dumps(found))"
        )
        found = self._python_json(script, str(self.root), json.dumps(methods))
        return {node: str(base) for node, base in found.items()}

    def test_files(self, changed: list[str], limit: int = 2) -> list[str]:
        """Test files among the changed ones, then test files that import a changed module, at most `limit`."""
        tests = [p for p in changed if _is_test(p) and Path(p).name.startswith("test_")]
        modules = importable_modules(self.root, changed, self.source_dir)
        if len(tests) < limit and modules:
            alternatives = "|".join(map(re.escape, modules))
            pattern = re.compile(rf"^\s*(?:from\s+({alternatives})\s+import|import\s+({alternatives})\b)", re.MULTILINE)
            for file in sorted(self.root.rglob("test_*.py")):
                relative = file.relative_to(self.root).as_posix()
                if relative not in tests and pattern.search(file.read_text(encoding="utf-8", errors="replace")):
                    tests.append(relative)
        return tests[:limit]

    def tests_as_before(self, files: list[str]) -> bool | None:
        """The test files' summary line equals the one before the edit; None when no test file applies (or they
        did not pass a single test before: a missing plugin or fixture)."""
        if not self.run_tests or not files:
            return None
        key = " ".join(files)
        if key not in self.baseline_tests:
            with self.unedited():
                self.baseline_tests[key] = self._pytest(files)
        if " passed" not in self.baseline_tests[key]:
            return None
        return self._pytest(files) == self.baseline_tests[key]

    def _pytest(self, files: list[str]) -> str:
        env = {**os.environ, "PYTHONPATH": str(self.root / self.source_dir), "PYTHONDONTWRITEBYTECODE": "1"}
        options = ["-q", "-p", "no:cacheprovider", *self.pytest_args, "-o", "addopts="]
        command = [sys.executable, "-m", "pytest", *options, *files]
        try:
            done = subprocess.run(
                command, cwd=self.root, env=env, capture_output=True, text=True, timeout=TEST_TIMEOUT_S
            )
        except subprocess.TimeoutExpired:
            return "timeout"
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        summary = lines[-1] if lines else ""
        return re.sub(r" in [\d.]+s.*$", "", summary)


def word_occurrences(text: str, name: str) -> int:
    return len(re.findall(rf"\b{re.escape(name)}\b", text))


def word_boundary_replace(root: Path, name: str, new_name: str) -> dict[str, tuple[str, str]]:
    """The plain baseline: every whole-word occurrence in every Python file replaced (path → before, after)."""
    changed = {}
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    for file in sorted(root.rglob("*.py")):
        if ".git" in file.parts:
            continue
        text = file.read_text(encoding="utf-8", errors="replace")
        if name in text:
            updated = pattern.sub(new_name, text)
            if updated != text:
                changed[file.relative_to(root).as_posix()] = (text, updated)
    return changed


def calls_of(text: str, name: str) -> list[tuple[int, int, bool]]:
    """Each call of `name` (plain or attribute) in a file, in source order: its line, argument count and whether it
    unpacks *args/**kwargs."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call):
            function = node.func
            called = function.id if isinstance(function, ast.Name) else getattr(function, "attr", None)
            if called == name:
                starred = any(isinstance(a, ast.Starred) for a in node.args) or any(
                    k.arg is None for k in node.keywords
                )
                found.append((node.lineno, len(node.args) + len(node.keywords), starred))
    return sorted(found)


def linked_calls(graph: Any, node: str) -> dict[str, set[int]]:
    """path → lines of the calls the code graph links to `node`: the call sites a signature change must update."""
    lines: dict[str, set[int]] = defaultdict(set)
    for source, _, kind, data in graph.graph.in_edges(node, keys=True, data=True):
        if kind == "calls":
            lines[graph.graph.nodes[source]["path"]].add(int(data.get("line", 0)))
    return lines


def every_linked_call_gained_one(before: str, after: str, name: str, lines: set[int]) -> bool:
    """Each call of `name` on a linked line has one argument more after the change (unpacking calls excepted);
    calls are matched by their order in the file."""
    old, new = calls_of(before, name), calls_of(after, name)
    if len(old) != len(new):
        return False
    return all(
        n_new == n_old + 1 or starred
        for (line, n_old, starred), (_, n_new, _) in zip(old, new, strict=True)
        if line in lines
    )
