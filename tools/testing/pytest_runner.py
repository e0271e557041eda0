"""pytest: results from its JUnit XML, else from its console lines; ids `path::Class::test[param]`.

Selectors are node ids, files or directories. A file that does not exist is left out; an id SWE-bench cut at a
space selects its whole parametrized function. pytest refuses a whole run when one node id inside an existing
file is not found, so that run is repeated on the selectors' files and only the results they name are kept.
Runs pass `--continue-on-collection-errors` (pytest ≥ 3.0), without which one file that fails to collect stops
the whole run; a pytest that does not know it runs again without it.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from typing import TYPE_CHECKING

from core.errors import WorkspaceError
from tools.testing.command import is_program, module_index, own_targets, script_index
from tools.testing.ids import pytest_file, uncut
from tools.testing.report import MESSAGE_LIMIT, Outcome, TestCase, merged
from tools.testing.runner import (
    Invocation,
    Reading,
    combined_output,
    nothing_to_run,
    path_checker,
    split_known,
    with_selectors,
)

if TYPE_CHECKING:
    from workspaces.base import ExecResult, Workspace

RESULTS_DIR = ".swe-team"
COLLECTION_FLAG = "--continue-on-collection-errors"
VALUE_OPTIONS = frozenset(
    [
        *("-k", "-m", "-p", "-c", "-o", "-W", "-r", "-n", "--rootdir", "--junitxml", "--junit-xml", "--basetemp"),
        *("--confcutdir", "--ignore", "--ignore-glob", "--deselect", "--tb", "--durations", "--maxfail"),
        *("--log-level", "--import-mode", "--timeout", "--dist", "--cov-report"),
    ]
)
"""pytest options whose value is the next word (so that `--ignore tests/slow` keeps its path)."""


SESSION = "(session)"
"""The id of an error pytest reports for the whole run (a conftest.py that cannot be imported)."""


def _test_id(classname: str, name: str, file: str | None, is_file: Callable[[str], bool] | None) -> str:
    parts = [part for part in classname.split(".") if part]
    if not parts and not name:
        return SESSION
    if not parts:
        module = name.replace(".", "/")
        return module if module.endswith(".py") else f"{module}.py"
    split = len(parts)
    if file:
        split = min(len(parts), len(file.removesuffix(".py").split("/")))
    elif is_file is not None and any(is_file("/".join(parts[:n]) + ".py") for n in range(1, len(parts) + 1)):
        split = max(n for n in range(1, len(parts) + 1) if is_file("/".join(parts[:n]) + ".py"))
    else:
        while split > 1 and parts[split - 1][:1].isupper():
            split -= 1
    module_path = file or "/".join(parts[:split]) + ".py"
    return "::".join([module_path, *parts[split:], name])


def _case(test_id: str, outcome: Outcome, message: str, duration_s: float = 0.0) -> TestCase:
    file = "" if test_id == SESSION else pytest_file(test_id)
    collection = "::" not in test_id and outcome in ("failed", "error")
    return TestCase(test_id, outcome, message[:MESSAGE_LIMIT], duration_s, file=file, collection=collection)


def parse_junit_xml(text: str, is_file: Callable[[str], bool] | None = None) -> list[TestCase]:
    """Test cases from pytest's JUnit XML. Ids come from the `file` attribute when present (xunit1), else from
    the dotted classname, with `is_file` (repository-relative path → exists) telling where the module ends."""
    root = ElementTree.fromstring(text)
    cases = []
    for element in root.iter("testcase"):
        test_id = _test_id(element.get("classname", ""), element.get("name", ""), element.get("file"), is_file)
        outcome: Outcome = "passed"
        message = ""
        for child in element:
            kind = {"failure": "failed", "error": "error", "skipped": "skipped"}.get(child.tag)
            if kind is None:
                continue
            outcome = kind  # type: ignore[assignment]
            message = "\n".join(part for part in (child.get("message", ""), (child.text or "").strip()) if part)
        cases.append(_case(test_id, outcome, message, float(element.get("time", "0") or 0)))
    return merged(cases)


_SUMMARY_LINE = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\s+(\S+?)(?:\s+-\s+(.*))?$")
_VERBOSE_LINE = re.compile(r"^(\S+::\S+)\s+(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b")
_WORD_OUTCOME: dict[str, Outcome] = {
    "PASSED": "passed",
    "XPASS": "passed",
    "FAILED": "failed",
    "ERROR": "error",
    "SKIPPED": "skipped",
    "XFAIL": "skipped",
}


def parse_pytest_summary(output: str) -> list[TestCase]:
    """Test cases from pytest's console output: `-v` result lines and the short test summary lines (`-rA`).
    Ids end at the first space here, as in SWE-bench's lists."""
    cases = []
    for line in output.splitlines():
        line = line.strip()
        summary, verbose = _SUMMARY_LINE.match(line), _VERBOSE_LINE.match(line)
        if summary and ("::" in summary.group(2) or summary.group(2).endswith(".py")):
            word, test_id, message = summary.group(1), summary.group(2), summary.group(3) or ""
        elif verbose:
            test_id, word, message = verbose.group(1), verbose.group(2), ""
        else:
            continue
        cases.append(_case(test_id, _WORD_OUTCOME[word], message))
    return merged(cases)


def is_pytest(words: list[str]) -> bool:
    return module_index(words, "pytest") is not None or any(is_program(w, "pytest", "py.test") for w in words)


class PytestRunner:
    name = "pytest"

    def __init__(self, command: str) -> None:
        self.command = command
        self.flags = [COLLECTION_FLAG]
        """Without it pytest stops the whole run at the first file that fails to collect."""

    def _own(self, exists: Callable[[str], bool]) -> Callable[[list[str]], list[int]]:
        def own(words: list[str]) -> list[int]:
            start = module_index(words, "pytest") or script_index(words, lambda w: is_program(w, "pytest", "py.test"))
            return own_targets(words, start or len(words), VALUE_OPTIONS, lambda w: exists(pytest_file(w)))

        return own

    def _run(
        self, exists: Callable[[str], bool], selectors: list[str], unknown: list[str], keep: list[str], note: str
    ) -> Invocation:
        shown = with_selectors(" ".join([self.command, *self.flags]), selectors, self._own(exists))
        results = f"{RESULTS_DIR}/junit-{uuid.uuid4().hex[:12]}.xml"
        return Invocation(
            command=f"mkdir -p {RESULTS_DIR} && {shown} --junitxml={results} -o junit_family=xunit1",
            shown=shown,
            selected=selectors,
            unknown=unknown,
            note=note,
            results_file=results,
            keep=keep,
        )

    def invocation(self, workspace: Workspace, selectors: list[str]) -> Invocation:
        exists = path_checker(workspace)
        known, unknown = split_known([uncut(s) for s in selectors], lambda s: exists(pytest_file(s)))
        unknown = [s for s in selectors if uncut(s) in unknown]
        if selectors and not known:
            return nothing_to_run(self.command, unknown)
        return self._run(exists, known, unknown, [], "")

    def retry(self, workspace: Workspace, result: ExecResult, invocation: Invocation) -> Invocation | None:
        output = combined_output(result)
        if result.exit_code == 4 and COLLECTION_FLAG in self.flags and COLLECTION_FLAG in output:
            self.flags.remove(COLLECTION_FLAG)
            note = f"this pytest does not know {COLLECTION_FLAG}: ran again without it"
            notes = "; ".join(filter(None, [invocation.note, note]))
            return self._run(path_checker(workspace), invocation.selected, invocation.unknown, invocation.keep, notes)
        if result.exit_code != 4 or "not found:" not in output or invocation.keep:
            return None
        if not any("::" in s for s in invocation.selected):
            return None
        files = list(dict.fromkeys(pytest_file(s) for s in invocation.selected))
        note = "pytest did not find every test id given: their files ran, and only the results the ids name are kept"
        notes = "; ".join(filter(None, [invocation.note, note]))
        return self._run(path_checker(workspace), files, invocation.unknown, invocation.selected, notes)

    def read(self, workspace: Workspace, result: ExecResult, invocation: Invocation) -> Reading:
        cases: list[TestCase] = []
        if invocation.results_file and workspace.exists(invocation.results_file):
            try:
                cases = parse_junit_xml(workspace.read_file(invocation.results_file), is_file=path_checker(workspace))
            except (ElementTree.ParseError, WorkspaceError):
                cases = []
            workspace.exec(f"rm -f {invocation.results_file}; rmdir {RESULTS_DIR} 2>/dev/null; true", timeout=30)
        if not cases:
            cases = parse_pytest_summary(combined_output(result))
        collected_ok = bool(cases) and result.exit_code in (0, 1) and not any(c.collection for c in cases)
        return Reading(cases, collected_ok)

    def file_selectors(self, workspace: Workspace, test_ids: list[str]) -> list[str]:
        return list(dict.fromkeys(pytest_file(test_id) for test_id in test_ids))
