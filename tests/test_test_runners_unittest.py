"""A unittest project in a real Docker workspace: detected as unittest, read per test under unittest's ids."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docker_fixtures import docker_workspace
from tests.workspace_fixtures import make_repo
from tools.test_results import TestReport, detect_test_command, run_test_ids, run_tests
from tools.testing.ids import outcome_of
from workspaces.docker import DockerWorkspace

pytestmark = pytest.mark.docker

PROJECT = {
    "calc/__init__.py": "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n",
    "tests/test_calc.py": (
        "import sys\nimport unittest\n\nfrom calc import add, mul\n\n\n"
        "class TestAdd(unittest.TestCase):\n"
        "    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n\n"
        "    def test_add_zero(self):\n        \"\"\"Adding zeros gives zero.\"\"\"\n"
        "        self.assertEqual(add(0, 0), 0)\n\n"
        "    def test_signs(self):\n        for sign in (1, -1):\n"
        "            with self.subTest(sign=sign):\n                self.assertEqual(add(sign, sign), 2 * sign)\n\n"
        "    @unittest.skip('later')\n    def test_later(self):\n        pass\n\n\n"
        "class TestMul(unittest.TestCase):\n"
        "    def test_mul(self):\n        self.assertEqual(mul(2, 3), 6)\n\n"
        "    def test_mul_noisy(self):\n        sys.stderr.write('halfway there\\n')\n"
        "        self.assertEqual(mul(1, 1), 1)\n"
    ),
    "tests/test_broken.py": "import not_a_module\n",
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerWorkspace]:
    where = tmp_path_factory.mktemp("unittest-project")
    with docker_workspace(where, make_repo(where, PROJECT)) as opened:
        yield opened


def outcomes(report: TestReport) -> dict[str, str]:
    return {case.test_id: case.outcome for case in report.cases}


def test_the_whole_suite_runs_with_unittest_and_reports_each_test(workspace: DockerWorkspace) -> None:
    command = detect_test_command(workspace)
    assert command.endswith(" -m unittest discover -v -s tests")
    report = run_tests(workspace, command, timeout=120)
    assert report.runner == "unittest"
    assert outcomes(report) == {
        "test_add (test_calc.TestAdd)": "failed",
        "test_add_zero (test_calc.TestAdd)": "passed",
        "test_signs (test_calc.TestAdd)": "failed",
        "test_later (test_calc.TestAdd)": "skipped",
        "test_mul (test_calc.TestMul)": "passed",
        "test_mul_noisy (test_calc.TestMul)": "passed",
        "test_broken": "error",
    }
    messages = {case.test_id: case.message for case in report.cases}
    assert "AssertionError: -1 != 5" in messages["test_add (test_calc.TestAdd)"]
    assert "No module named 'not_a_module'" in messages["test_broken"]
    assert not report.collected_ok, "a module that cannot be imported is a collection error"
    described = {case.description: case.file for case in report.cases if case.description}
    assert described == {"Adding zeros gives zero.": "tests/test_calc.py"}


def test_selectors_in_any_id_form_run_only_those_tests_and_unknown_ones_are_left_out(
    workspace: DockerWorkspace,
) -> None:
    command = detect_test_command(workspace)
    selectors = [
        "test_add (test_calc.TestAdd)",
        "test_mul (test_calc.TestMul.test_mul)",
        "tests/test_calc.py::TestAdd::test_signs",
        "test_gone (test_nowhere.TestGone)",
        "test_calc.TestMissing",
    ]
    report = run_tests(workspace, command, selectors, timeout=120)
    assert outcomes(report) == {
        "test_add (test_calc.TestAdd)": "failed",
        "test_mul (test_calc.TestMul)": "passed",
        "test_signs (test_calc.TestAdd)": "failed",
        "test_calc.TestMissing": "error",
    }
    assert report.unknown_selectors == ["test_gone (test_nowhere.TestGone)"]
    assert outcome_of(report.cases, "tests/test_calc.py::TestAdd::test_signs") == "failed"
    assert outcome_of(report.cases, "tests/test_calc.py::TestMul") == "passed"
    nothing = run_tests(workspace, command, ["test_gone (test_nowhere.TestGone)"], timeout=120)
    assert nothing.cases == [] and not nothing.collected_ok and "nothing ran" in nothing.output


def test_swebench_ids_get_their_outcomes_from_a_run_of_their_files(workspace: DockerWorkspace, tmp_path: Path) -> None:
    ids = [
        "test_add (test_calc.TestAdd)",
        "Adding zeros gives zero.",
        "test_mul_noisy (test_calc.TestMul.test_mul_noisy)",
        "test_deleted (test_calc.TestAdd)",
    ]
    run = run_test_ids(workspace, detect_test_command(workspace), ids, timeout=120)
    assert run.outcomes == {
        "test_add (test_calc.TestAdd)": "failed",
        "Adding zeros gives zero.": "passed",
        "test_mul_noisy (test_calc.TestMul.test_mul_noisy)": "passed",
        "test_deleted (test_calc.TestAdd)": "missing",
    }
    assert "test_broken" not in outcomes(run.report), "only the files holding the ids ran"
