"""unittest's verbose output (also what Django's `tests/runtests.py --verbosity 2` prints), read per test.

Result lines are `test_b (pkg.mod.TestA) ... ok` (Python 3.11+: `test_b (pkg.mod.TestA.test_b) ... ok`), with
the first docstring line on a line of its own before ` ... ok` when the test has one, and subtests indented
below their test. Output the tests write to the same stream may sit between the ` ... ` and the outcome word.
The FAIL/ERROR sections at the end give each failure's traceback.
"""

from __future__ import annotations

import re

from tools.testing.ids import unittest_id
from tools.testing.report import MESSAGE_LIMIT, Outcome, TestCase, merged

_RESULT = re.compile(r"^\s*(?P<name>[^\s()]+) \((?P<where>[\w.]+)\)(?: \([^()]*\))?(?P<rest>.*)$")
_SECTION = re.compile(r"^(FAIL|ERROR|UNEXPECTED SUCCESS): (.+)$")
_LOADER_FAILURES = ("unittest.loader._FailedTest", "unittest.loader.ModuleImportFailure")
_FIXTURES = ("setUpClass", "tearDownClass", "setUpModule", "tearDownModule")
_SEPARATORS = ("=" * 20, "-" * 20)


def _outcome(text: str) -> Outcome | None:
    word = text.strip()
    if word == "ok":
        return "passed"
    if word in ("FAIL", "unexpected success"):
        return "failed"
    if word == "ERROR":
        return "error"
    if word == "expected failure" or word.startswith("skipped"):
        return "skipped"
    return None


def _identity(name: str, where: str) -> tuple[str, bool]:
    """(test id, whether it stands for a module or class that failed to load or set up)."""
    where = where.removesuffix("." + name)
    if where in _LOADER_FAILURES:
        return name, True
    if name in _FIXTURES:
        return where, True
    return unittest_id(name, where), False


def _messages(lines: list[str]) -> dict[str, str]:
    """The traceback of each FAIL/ERROR section, by test id."""
    found: dict[str, str] = {}
    current = ""
    in_body = False
    body: list[str] = []
    for line in [*lines, _SEPARATORS[0]]:
        header = _SECTION.match(line)
        if header:
            result = _RESULT.match(header.group(2))
            current = _identity(result["name"], result["where"])[0] if result else ""
            in_body, body = False, []
        elif current and not in_body:
            in_body = line.startswith(_SEPARATORS[1])
        elif current and line.startswith(_SEPARATORS):
            found.setdefault(current, "\n".join(body).strip()[:MESSAGE_LIMIT])
            current = ""
        elif current:
            body.append(line)
    return found


def parse_unittest_output(output: str) -> list[TestCase]:
    """Test cases from unittest's verbose result lines, with messages from its failure sections."""
    lines = [line.rstrip() for line in output.splitlines()]
    messages = _messages(lines)
    cases: list[TestCase] = []
    waiting: tuple[str, bool] | None = None
    """A test whose outcome is still to come: its docstring line or output it printed comes first."""
    docstring_next = False
    description = ""
    for line in lines:
        result = _RESULT.match(line)
        outcome: Outcome | None = None
        if result and not _SECTION.match(line):
            waiting, description = _identity(result["name"], result["where"]), ""
            docstring_next = result["rest"] == ""
            if result["rest"].startswith(" ..."):
                outcome = _outcome(result["rest"][4:])
        elif waiting is not None and docstring_next:
            docstring_next = False
            text, dots, tail = line.rpartition(" ...")
            if dots:
                description, outcome = text.strip(), _outcome(tail)
        elif waiting is not None:
            outcome = _outcome(line)
        if waiting is not None and outcome is not None:
            test_id, collection = waiting
            cases.append(TestCase(test_id, outcome, messages.get(test_id, ""), description=description,
                                  collection=collection))
            waiting = None
    return merged(cases)


def ran_line(output: str) -> int | None:
    """The number in unittest's closing `Ran N tests`, or None when the run never got there."""
    found = re.findall(r"^Ran (\d+) tests? in ", output, flags=re.MULTILINE)
    return int(found[-1]) if found else None
