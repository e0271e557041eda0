"""sympy's own runner, `bin/test -C --verbose [files]`: ids are bare test names (`test_issue_1234`), as in
SWE-bench's lists.

A verbose run prints each file as `path[n]`, then one line per test: its name, a skip reason if any, and a
status (`ok`, `F`, `E`, `s`, `f`, `X`, …), the file's last line ending in `[OK]` or `[FAIL]`. A file that
cannot be imported prints `path[?]   Failed to import`. Tracebacks follow under `___ path:name ___` headers.
bin/test takes files, so a bare name selects the test files defining it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING

from tools.testing.command import is_program, own_targets, script_index, simple_words
from tools.testing.ids import pytest_file
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

_FILE = re.compile(r"^(?P<file>\S+\.py)\[(?P<count>\d+|\?)\]\s*(?P<rest>.*)$")
_TEST = re.compile(r"^(?P<name>test\w*)(?: (?P<note>.*?))?\s+(?P<status>ok|F|E|T|s|w|K|f|X)(?:\s+\[(?:OK|FAIL)\])?$")
_HEADER = re.compile(r"^_+ (?P<file>\S+\.py)(?:::?(?P<name>\w+))? _+$")
_LONE_PATH = re.compile(r"^ ?(?P<file>\S+\.py) ?(?P<name>)$")
_STATUS: dict[str, Outcome] = {
    "ok": "passed", "X": "passed", "F": "failed", "E": "error", "T": "error",
    "s": "skipped", "w": "skipped", "K": "skipped", "f": "skipped",
}
VALUE_OPTIONS = frozenset(["-k", "--kw", "--seed", "--timeout", "--split", "--durations", "--tb", "-n"])


def _messages(lines: list[str]) -> dict[str, str]:
    """Tracebacks by test name, or by file for a file that failed to import (its header may be absolute)."""
    found: dict[str, str] = {}
    current = ""
    body: list[str] = []
    after_rule = False
    for line in [*lines, "_" * 20]:
        header = _HEADER.match(line) or (_LONE_PATH.match(line) if after_rule else None)
        after_rule = line.startswith("_" * 20) and not header
        if header or after_rule or line.startswith((" tests finished:", "DO *NOT* COMMIT!")):
            if current and body:
                found.setdefault(current, "\n".join(body).strip()[:MESSAGE_LIMIT])
            current, body = (header["name"] or header["file"]) if header else "", []
        elif current:
            body.append(line)
    return found


def _message_of_file(messages: dict[str, str], file: str) -> str:
    return next((text for key, text in messages.items() if key == file or key.endswith("/" + file)), "")


def parse_sympy_output(output: str) -> list[TestCase]:
    """Test cases from a verbose bin/test run, with the tracebacks of failures and errors."""
    lines = [line.rstrip() for line in output.splitlines()]
    messages = _messages(lines)
    cases: list[TestCase] = []
    file = ""
    for line in lines:
        header = _FILE.match(line)
        if header:
            file = header["file"]
            if header["count"] == "?":
                cases.append(TestCase(file, "error", _message_of_file(messages, file), file=file, collection=True))
            continue
        test = _TEST.match(line)
        if test and file:
            name = test["name"]
            note = test["note"] or ""
            outcome = _STATUS[test["status"]]
            cases.append(TestCase(name, outcome, messages.get(name, note if outcome == "skipped" else ""), file=file))
    return merged(cases)


class SympyRunner:
    name = "sympy"

    def __init__(self, command: str) -> None:
        self.command = command

    def _files_defining(self, workspace: Workspace, names: list[str]) -> dict[str, list[str]]:
        """The test files defining each test name, found with one grep."""
        if not names:
            return {}
        pattern = shlex.quote(r"^def (" + "|".join(re.escape(n) for n in names) + r")\(")
        found = workspace.exec(f"grep -rnoE --include='test_*.py' {pattern} . 2>/dev/null", timeout=120)
        files: dict[str, list[str]] = {}
        for line in found.stdout.splitlines():
            path, _, rest = line.partition(":")
            name = rest.partition(":def ")[2].removesuffix("(")
            files.setdefault(name, []).append(path.removeprefix("./"))
        return files

    def _command(self, exists: Callable[[str], bool], files: list[str]) -> str:
        def own(words: list[str]) -> list[int]:
            start = script_index(words, lambda w: w.endswith("bin/test")) or len(words)
            return own_targets(words, start, VALUE_OPTIONS, exists)

        words = simple_words(self.command) or []
        flags = [flag for flag, names in (("-C", ("-C", "--no-colors")), ("--verbose", ("-v", "--verbose")))
                 if not set(names) & set(words)]
        return with_selectors(" ".join([self.command, *flags]), files, own)

    def invocation(self, workspace: Workspace, selectors: list[str]) -> Invocation:
        paths = [s for s in selectors if "/" in s or s.endswith(".py")]
        names = [s for s in selectors if s not in paths]
        defined = self._files_defining(workspace, names)
        exists = path_checker(workspace)
        known, unknown = split_known([pytest_file(p) for p in paths], exists)
        unknown = [p for p in paths if pytest_file(p) in unknown] + [n for n in names if n not in defined]
        known += [f for n in names for f in defined.get(n, []) if f not in known]
        if selectors and not known:
            return nothing_to_run(self.command, unknown)
        shown = self._command(exists, known)
        return Invocation(command=shown, shown=shown, selected=known, unknown=unknown)

    def retry(self, workspace: Workspace, result: ExecResult, invocation: Invocation) -> Invocation | None:
        return None

    def read(self, workspace: Workspace, result: ExecResult, invocation: Invocation) -> Reading:
        output = combined_output(result)
        cases = parse_sympy_output(output)
        finished = " tests finished:" in f"\n{output}" or "\ntests finished:" in f"\n{output}"
        return Reading(cases, finished and bool(cases) and not any(case.collection for case in cases))

    def file_selectors(self, workspace: Workspace, test_ids: list[str]) -> list[str]:
        names = [test_id for test_id in test_ids if "/" not in test_id]
        defined = self._files_defining(workspace, names)
        paths = [pytest_file(test_id) for test_id in test_ids if "/" in test_id]
        return list(dict.fromkeys([*paths, *(f for n in names for f in defined.get(n, []))]))


def is_sympy_test(words: list[str]) -> bool:
    return any(word.endswith("bin/test") for word in words) or any(is_program(w, "sympy-test") for w in words)
