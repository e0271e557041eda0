"""Running a tiny failing pytest project in a real workspace and reading every test's outcome."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from core.errors import ToolError
from core.settings import Settings
from tests.workspace_fixtures import make_repo, open_workspace, tool_context
from tools.registry import get_tools
from tools.test_results import TestReport, detect_test_command, run_tests
from tools.testing.pytest_runner import parse_junit_xml, parse_pytest_summary
from workspaces.local import LocalWorkspace

PYTEST = f"{shlex.quote(sys.executable)} -m pytest -p no:cacheprovider"

PROJECT = {
    "conftest.py": "",
    "calc/__init__.py": "",
    "calc/ops.py": "def add(a, b):\n    return a - b\n",
    "tests/__init__.py": "",
    "tests/test_ops.py": (
        "import pytest\n"
        "from calc.ops import add\n\n\n"
        "def test_add():\n    assert add(2, 3) == 5\n\n\n"
        "def test_add_zero():\n    assert add(0, 0) == 0\n\n\n"
        "class TestGroup:\n"
        "    def test_negative(self):\n        assert add(-1, -1) == -2\n\n"
        "    @pytest.mark.skip(reason='later')\n    def test_later(self):\n        pass\n\n"
        "    @pytest.mark.parametrize('x', [1, 2])\n"
        "    def test_param(self, x):\n        assert add(x, 0) == x\n\n\n"
        "@pytest.fixture\ndef broken():\n    raise RuntimeError('fixture broke')\n\n\n"
        "def test_error(broken):\n    pass\n"
    ),
}
EXPECTED = {
    "tests/test_ops.py::test_add": "failed",
    "tests/test_ops.py::test_add_zero": "passed",
    "tests/test_ops.py::TestGroup::test_negative": "failed",
    "tests/test_ops.py::TestGroup::test_later": "skipped",
    "tests/test_ops.py::TestGroup::test_param[1]": "passed",
    "tests/test_ops.py::TestGroup::test_param[2]": "passed",
    "tests/test_ops.py::test_error": "error",
}


@pytest.fixture
def workspace(tmp_path: Path) -> LocalWorkspace:
    return open_workspace(tmp_path, make_repo(tmp_path, PROJECT))


def outcomes(report: TestReport) -> dict[str, str]:
    return {case.test_id: case.outcome for case in report.cases}


def test_run_tests_reads_every_outcome_from_junit_and_cleans_up(workspace: LocalWorkspace) -> None:
    report = run_tests(workspace, PYTEST, timeout=120)
    assert outcomes(report) == EXPECTED
    assert report.exit_code == 1 and report.collected_ok
    assert report.summary() == "3 passed, 2 failed, 1 error, 1 skipped (exit code 1)"
    failed = next(case for case in report.cases if case.test_id.endswith("::test_add"))
    assert "assert -1 == 5" in failed.message
    assert "fixture broke" in next(case.message for case in report.cases if case.outcome == "error")
    assert not workspace.exists(".swe-team") and workspace.diff() == ""


def test_selectors_run_only_the_named_tests(workspace: LocalWorkspace) -> None:
    report = run_tests(workspace, PYTEST, ["tests/test_ops.py::test_add_zero"], timeout=120)
    assert outcomes(report) == {"tests/test_ops.py::test_add_zero": "passed"}
    assert report.exit_code == 0 and report.collected_ok and report.command.endswith("tests/test_ops.py::test_add_zero")


def test_a_collection_error_is_not_mistaken_for_a_test_run(workspace: LocalWorkspace) -> None:
    workspace.write_file("tests/test_broken.py", "import not_a_module\n\n\ndef test_x():\n    pass\n")
    report = run_tests(workspace, PYTEST, ["tests/test_broken.py"], timeout=120)
    assert not report.collected_ok
    assert outcomes(report) == {"tests/test_broken.py": "error"}
    assert "not_a_module" in report.output
    nothing = run_tests(workspace, PYTEST, ["tests/test_ops.py", "-k", "no_such_test"], timeout=120)
    assert nothing.exit_code == 5 and not nothing.collected_ok


def test_junit_xunit2_ids_use_the_repository_layout(workspace: LocalWorkspace) -> None:
    workspace.exec(f"{PYTEST} --junitxml=out.xml", timeout=120)
    xml = workspace.read_file("out.xml")
    assert "file=" not in xml
    assert {c.test_id: c.outcome for c in parse_junit_xml(xml, is_file=workspace.exists)} == EXPECTED
    assert {c.test_id: c.outcome for c in parse_junit_xml(xml)} == EXPECTED


def test_summary_lines_are_the_fallback_for_other_commands(workspace: LocalWorkspace) -> None:
    workspace.write_file("check.sh", f'{PYTEST} -rfEs "$@"\n')
    report = run_tests(workspace, "bash check.sh", timeout=120)
    assert {k: v for k, v in outcomes(report).items()} == {
        "tests/test_ops.py::test_add": "failed",
        "tests/test_ops.py::TestGroup::test_negative": "failed",
        "tests/test_ops.py::test_error": "error",
    }
    assert report.collected_ok and report.exit_code == 1
    verbose = workspace.exec(f"{PYTEST} -v", timeout=120).stdout
    assert {c.test_id: c.outcome for c in parse_pytest_summary(verbose)} == EXPECTED


def test_run_tests_tool_reports_failures_and_keeps_the_report(workspace: LocalWorkspace) -> None:
    (tool,) = get_tools(["run_tests"])
    context = tool_context(workspace)
    context.extras["test_command"] = PYTEST
    observation = tool.invoke(context, {})
    assert observation.splitlines()[1] == "3 passed, 2 failed, 1 error, 1 skipped (exit code 1)"
    assert "FAILED tests/test_ops.py::test_add\n" in observation and "assert -1 == 5" in observation
    assert isinstance(context.extras["last_test_report"], TestReport)
    passing = tool.invoke(context, {"tests": ["tests/test_ops.py::test_add_zero"]})
    assert passing.splitlines()[1] == "1 passed, 0 failed, 0 error, 0 skipped (exit code 0)"
    with pytest.raises(ToolError, match="is an option"):
        tool.invoke(context, {"tests": ["-k add"]})
    with pytest.raises(ToolError, match="refused path"):
        tool.invoke(context, {"tests": ["../outside.py"]})


def test_detect_test_command_prefers_the_configured_one(workspace: LocalWorkspace) -> None:
    assert detect_test_command(workspace, Settings(test_command="make check")) == "make check"
    assert detect_test_command(workspace).endswith(" -m pytest")
