"""tox projects: the test command of tox.ini's environment runs directly with the workspace's Python, since
tox would build virtualenvs from the package index, which a workspace does not reach."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.docker_fixtures import docker_workspace
from tests.workspace_fixtures import make_repo, open_workspace
from tools.test_results import TestReport, detect_test_command, run_test_ids, run_tests

UNITTEST_PROJECT = {
    "tox.ini": (
        "[tox]\nenvlist = py39, py311, lint\n\n"
        "[testenv]\n"
        "setenv =\n    CALC_MODE = {env:CALC_MODE:strict}\n    DATA_DIR = {toxinidir}/data\n"
        "commands =\n    python -m unittest discover -s tests -v {posargs}\n\n"
        "[testenv:lint]\ncommands = flake8 calc\n"
    ),
    "calc/__init__.py": "import os\n\n\ndef mode():\n    return os.environ.get('CALC_MODE', 'loose')\n",
    "data/limits.txt": "10\n",
    "tests/test_mode.py": (
        "import os\nimport unittest\n\nimport calc\n\n\nclass TestMode(unittest.TestCase):\n"
        "    def test_mode_comes_from_setenv(self):\n        self.assertEqual(calc.mode(), 'strict')\n\n"
        "    def test_data_dir(self):\n"
        "        self.assertTrue(os.path.exists(os.environ['DATA_DIR'] + '/limits.txt'))\n\n"
        "    def test_wrong(self):\n        self.assertEqual(calc.mode(), 'loose')\n"
    ),
}

PYTEST_PROJECT = {
    "tox.ini": (
        "[tox]\nenvlist = py311\n\n[testenv]\ndeps = pytest\n"
        "commands =\n    python -c \"print('preparing')\"\n    pytest -p no:cacheprovider {posargs:tests}\n"
    ),
    "shapes.py": "def area(width, height):\n    return width * height\n",
    "tests/test_shapes.py": (
        "import pytest\n\nfrom shapes import area\n\n\n"
        "@pytest.mark.parametrize('case', ['2 by 3', '1 by 1', 'zero by 4'])\n"
        "def test_area(case):\n    width, _, height = case.split()\n"
        "    assert area(int(width), int(height)) > 0\n\n\n"
        "def test_square():\n    assert area(3, 3) == 9\n"
    ),
    "docs/test_examples.py": "def test_doc_example():\n    assert False, 'outside the default test paths'\n",
}


def outcomes(report: TestReport) -> dict[str, str]:
    return {case.test_id: case.outcome for case in report.cases}


@pytest.mark.docker
def test_a_tox_project_runs_its_test_command_without_tox_in_docker(tmp_path: Path) -> None:
    with docker_workspace(tmp_path, make_repo(tmp_path, UNITTEST_PROJECT)) as workspace:
        assert workspace.exec("command -v tox", timeout=30).exit_code != 0, "tox is not in the workspace"
        command = detect_test_command(workspace)
        assert command.startswith("CALC_MODE=strict DATA_DIR=./data ")
        assert command.endswith(" -m unittest discover -s tests -v")
        report = run_tests(workspace, command, timeout=120)
        assert outcomes(report) == {
            "test_mode_comes_from_setenv (test_mode.TestMode)": "passed",
            "test_data_dir (test_mode.TestMode)": "passed",
            "test_wrong (test_mode.TestMode)": "failed",
        }
        configured = run_tests(workspace, "tox -e py311", ["test_wrong (test_mode.TestMode)"], timeout=120)
        assert outcomes(configured) == {"test_wrong (test_mode.TestMode)": "failed"}
        assert "tox.ini [testenv] commands ran directly" in configured.note
        assert configured.command.endswith(" -m unittest -v test_mode.TestMode.test_wrong")


def test_a_tox_pytest_project_replaces_its_default_paths_with_the_selectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    workspace = open_workspace(tmp_path, make_repo(tmp_path, PYTEST_PROJECT))
    command = detect_test_command(workspace)
    assert command.endswith(" -m pytest -p no:cacheprovider tests")
    everything = run_tests(workspace, command, timeout=120)
    assert outcomes(everything) == {
        "tests/test_shapes.py::test_area[2 by 3]": "passed",
        "tests/test_shapes.py::test_area[1 by 1]": "passed",
        "tests/test_shapes.py::test_area[zero by 4]": "failed",
        "tests/test_shapes.py::test_square": "passed",
    }
    chosen = run_tests(workspace, command, ["tests/test_shapes.py::test_square", "tests/test_gone.py"], timeout=120)
    assert outcomes(chosen) == {"tests/test_shapes.py::test_square": "passed"}
    assert chosen.unknown_selectors == ["tests/test_gone.py"] and "tests/test_gone.py" not in chosen.command

    swebench_ids = [
        "tests/test_shapes.py::test_area[zero",
        "tests/test_shapes.py::test_area[2",
        "tests/test_shapes.py::test_cube",
    ]
    run = run_test_ids(workspace, command, swebench_ids, timeout=120)
    assert run.outcomes == dict(zip(swebench_ids, ["failed", "passed", "missing"], strict=True))

    square, cube = "tests/test_shapes.py::test_square", "tests/test_shapes.py::test_cube"
    one_unknown = run_tests(workspace, command, [cube, square])
    assert outcomes(one_unknown) == {square: "passed"} and one_unknown.unknown_selectors == [cube]
    assert "did not find every test id" in one_unknown.note
