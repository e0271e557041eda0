"""Running the repository's tests and reading per-test results: pytest JUnit XML, else pytest's summary.

`run_tests` works on any `Workspace`. The `run_tests` tool (RUN_TESTS, listed in tools.shell's TOOLS) wraps it
for agents: it runs `ctx.extras["test_command"]` when set, else the detected command (honouring
`ctx.extras["settings"].test_command`), and leaves the last `TestReport` in `ctx.extras["last_test_report"]`.
"""

from __future__ import annotations

import re
import shlex
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from core.errors import ToolError, WorkspaceError
from tools.base import Tool, ToolContext
from workspaces.paths import normalize_relative

if TYPE_CHECKING:
    from core.settings import Settings
    from workspaces.base import Workspace

Outcome = Literal["passed", "failed", "error", "skipped"]
_SEVERITY: dict[str, int] = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}
MESSAGE_LIMIT = 2000
OUTPUT_TAIL = 4000
JUNIT_DIR = ".swe-team"


@dataclass(frozen=True)
class TestCase:
    """One test's result; `test_id` is pytest's node id, e.g. `tests/test_x.py::TestA::test_b[1]`."""

    __test__ = False

    test_id: str
    outcome: Outcome
    message: str = ""
    duration_s: float = 0.0


@dataclass
class TestReport:
    """What one test run did: its command, exit code and each test's outcome."""

    __test__ = False

    command: str
    exit_code: int
    cases: list[TestCase] = field(default_factory=list)
    collected_ok: bool = True
    """False when pytest could not collect (import errors, bad arguments) or collected nothing."""
    duration_s: float = 0.0
    timed_out: bool = False
    output: str = ""
    """The last part of the combined output, for diagnosing collection or configuration errors."""

    def count(self, outcome: Outcome) -> int:
        return sum(case.outcome == outcome for case in self.cases)

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(o)} {o}" for o in ("passed", "failed", "error", "skipped"))
        notes = [f"exit code {self.exit_code}"]
        if self.timed_out:
            notes.append("timed out")
        if not self.collected_ok:
            notes.append("collection failed or collected nothing")
        return f"{counts} ({'; '.join(notes)})"


def _test_id(classname: str, name: str, file: str | None, is_file: Callable[[str], bool] | None) -> str:
    parts = [part for part in classname.split(".") if part]
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


def parse_junit_xml(text: str, is_file: Callable[[str], bool] | None = None) -> list[TestCase]:
    """Test cases from pytest's JUnit XML. Ids come from the `file` attribute when present (xunit1), else from
    the dotted classname, with `is_file` (repository-relative path → exists) telling where the module ends."""
    root = ElementTree.fromstring(text)
    merged: dict[str, TestCase] = {}
    for element in root.iter("testcase"):
        test_id = _test_id(
            element.get("classname", ""), element.get("name", ""), element.get("file"), is_file
        )
        outcome: Outcome = "passed"
        message = ""
        for child in element:
            kind = {"failure": "failed", "error": "error", "skipped": "skipped"}.get(child.tag)
            if kind is None:
                continue
            outcome = kind  # type: ignore[assignment]
            detail = "\n".join(
                part for part in (child.get("message", ""), (child.text or "").strip()) if part
            )
            message = detail[:MESSAGE_LIMIT]
        case = TestCase(test_id, outcome, message, float(element.get("time", "0") or 0))
        previous = merged.get(test_id)
        if previous is None or _SEVERITY[case.outcome] > _SEVERITY[previous.outcome]:
            merged[test_id] = case
    return list(merged.values())


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
    """Test cases from pytest's console output: `-v` result lines and the short test summary lines."""
    found: dict[str, TestCase] = {}
    for line in output.splitlines():
        line = line.strip()
        summary, verbose = _SUMMARY_LINE.match(line), _VERBOSE_LINE.match(line)
        if summary and ("::" in summary.group(2) or summary.group(2).endswith(".py")):
            word, test_id, message = summary.group(1), summary.group(2), summary.group(3) or ""
        elif verbose:
            test_id, word, message = verbose.group(1), verbose.group(2), ""
        else:
            continue
        case = TestCase(test_id, _WORD_OUTCOME[word], message[:MESSAGE_LIMIT])
        previous = found.get(test_id)
        if previous is None or _SEVERITY[case.outcome] >= _SEVERITY[previous.outcome]:
            found[test_id] = case
    return list(found.values())


def detect_test_command(workspace: Workspace, settings: Settings | None = None) -> str:
    """`settings.test_command` when set; else pytest with a Python that has it for Python repositories, else
    the usual command of the repository's build tool."""
    if settings is not None and settings.test_command:
        return settings.test_command
    markers = ("pyproject.toml", "setup.py", "setup.cfg", "pytest.ini", "tox.ini", "conftest.py")
    if any(workspace.exists(marker) for marker in markers) or any(
        path.endswith(".py") for path in workspace.list_files()
    ):
        probe = workspace.exec(
            "for p in python python3; do if command -v $p >/dev/null && $p -c 'import pytest' 2>/dev/null;"
            " then echo $p; exit 0; fi; done; echo python3",
            timeout=30,
        )
        interpreter = (probe.stdout.strip().splitlines() or ["python3"])[-1]
        return f"{interpreter} -m pytest"
    for marker, command in (
        ("package.json", "npm test"),
        ("Cargo.toml", "cargo test"),
        ("go.mod", "go test ./..."),
    ):
        if workspace.exists(marker):
            return command
    return "make test"


def _is_pytest(command: str) -> bool:
    return any(word == "pytest" or word.endswith("/pytest") for word in shlex.split(command)) or (
        "-m pytest" in command
    )


def run_tests(
    workspace: Workspace, command: str, selectors: list[str] | None = None, timeout: float = 600.0
) -> TestReport:
    """Run `command` (detected when empty) plus `selectors` (test ids or files); read each test's outcome."""
    command = command.strip() or detect_test_command(workspace)
    full = " ".join([command, *(shlex.quote(selector) for selector in selectors or [])])
    junit = f"{JUNIT_DIR}/junit-{uuid.uuid4().hex[:12]}.xml" if _is_pytest(command) else None
    if junit:
        full = f"mkdir -p {JUNIT_DIR} && {full} --junitxml={junit} -o junit_family=xunit1"
    result = workspace.exec(full, timeout=timeout)
    cases: list[TestCase] = []
    xml_collection_error = False
    if junit and workspace.exists(junit):
        try:
            cases = parse_junit_xml(workspace.read_file(junit), is_file=workspace.exists)
        except (ElementTree.ParseError, WorkspaceError):
            cases = []
        workspace.exec(f"rm -f {junit}; rmdir {JUNIT_DIR} 2>/dev/null; true", timeout=30)
        xml_collection_error = any("::" not in case.test_id and case.outcome == "error" for case in cases)
    combined = "\n".join(part for part in (result.stdout, result.stderr) if part)
    if not cases:
        cases = parse_pytest_summary(combined)
    if junit:
        collected_ok = bool(cases) and result.exit_code in (0, 1) and not xml_collection_error
    else:
        collected_ok = result.exit_code == 0 or bool(cases)
    return TestReport(
        command=" ".join([command, *(shlex.quote(selector) for selector in selectors or [])]),
        exit_code=result.exit_code,
        cases=cases,
        collected_ok=collected_ok,
        duration_s=result.duration_s,
        timed_out=result.timed_out,
        output=combined[-OUTPUT_TAIL:],
    )


def describe_report(report: TestReport, limit: int = 8) -> str:
    """The observation an agent reads: summary, then the failing tests with their messages."""
    lines = [f"$ {report.command}", report.summary()]
    bad = [case for case in report.cases if case.outcome in ("failed", "error")]
    for case in bad[:limit]:
        message = case.message[:800] + ("…" if len(case.message) > 800 else "")
        lines.append(f"{case.outcome.upper()} {case.test_id}\n{message}".rstrip())
    if len(bad) > limit:
        lines.append(f"({len(bad) - limit} more failing tests not shown)")
    if not report.collected_ok or (report.exit_code != 0 and not bad):
        lines.append(f"--- output (last part) ---\n{report.output[-2500:]}")
    return "\n".join(lines)


class RunTestsArgs(BaseModel):
    tests: list[str] | None = Field(
        default=None,
        description="Test ids or files to run, e.g. ['tests/test_cart.py::test_empty']; omit to run all",
    )


def run_tests_tool(ctx: ToolContext, args: RunTestsArgs) -> str:
    selectors = args.tests or []
    for selector in selectors:
        if selector.startswith("-"):
            raise ToolError(f"{selector!r} is an option; give only test ids or test file paths")
        try:
            normalize_relative(selector.split("::", 1)[0])
        except WorkspaceError as exc:
            raise ToolError(exc.user_message()) from exc
    command = str(ctx.extras.get("test_command") or "") or detect_test_command(
        ctx.workspace, ctx.extras.get("settings")
    )
    report = run_tests(ctx.workspace, command, selectors, timeout=ctx.command_timeout_s)
    ctx.extras["last_test_report"] = report
    return describe_report(report)


RUN_TESTS = Tool(
    name="run_tests",
    description=(
        "Run the repository's tests (all, or the given test ids/files) and report each failing test with its "
        "error. Use it to reproduce a bug and to check a fix."
    ),
    args=RunTestsArgs,
    run=run_tests_tool,
)
