"""The tester judges a patch by comparing each test's outcome with the run before any edit; on a suite too large
for the time budget it runs the tests the code graph links to the change plus the reproduction tests."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from core.settings import Budgets
from core.state import CaseResult, Location, ReproductionRecord, Snapshot, TeamState, TestRunSummary
from memory.codegraph import CodeGraph
from roles.context import ignore_progress
from roles.tester import take_baseline, verify
from tests.workspace_fixtures import make_repo, open_workspace
from tools.base import ToolContext
from workspaces.local import LocalWorkspace

PYTEST = f"{shlex.quote(sys.executable)} -m pytest -p no:cacheprovider"
PROJECT = {
    "conftest.py": "",
    "calc/__init__.py": "",
    "calc/ops.py": "def add(a, b):\n    return a + b\n\n\ndef neg(a):\n    return a\n",
    "calc/more.py": "def mul(a, b):\n    return a * b + 1\n",
    "tests/__init__.py": "",
    "tests/test_ops.py": (
        "from calc.ops import add\n\n\n"
        "def test_add():\n    assert add(2, 3) == 5\n\n\n"
        "def test_old_failure():\n    assert add(1, 1) == 3\n"
    ),
    "tests/test_mul.py": "from calc.more import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n",
    "tests/test_legacy.py": "import calc.removed_long_ago\n\n\ndef test_legacy():\n    pass\n",
}
REPRODUCTION = "tests/test_neg.py::test_neg"
NEG_TEST = "from calc.ops import neg\n\n\ndef test_neg():\n    assert neg(2) == -2\n"


def team_state(workspace: LocalWorkspace, locations: list[Location]) -> TeamState:
    return TeamState(
        test_command=PYTEST,
        locations=locations,
        budgets=Budgets(command_timeout_s=30),
        snapshots=[Snapshot(node="intake", id=workspace.snapshot("base"))],
    )


def with_reproduction(state: TeamState, workspace: LocalWorkspace) -> TeamState:
    """The tester's reproduction test, written after the baseline as in a job."""
    workspace.write_file("tests/test_neg.py", NEG_TEST)
    before = TestRunSummary(cases=[CaseResult(test_id=REPRODUCTION, outcome="failed")])
    reproduction = ReproductionRecord(test_selectors=[REPRODUCTION], before=before, reproduced=True)
    return state.model_copy(update={"reproduction": reproduction})


def edit(workspace: LocalWorkspace, tools: ToolContext, old: str, new: str, path: str = "calc/ops.py") -> None:
    workspace.write_file(path, workspace.read_file(path).replace(old, new))
    if tools.code_graph is not None:
        tools.code_graph.update_file(path)


def test_the_patch_is_blamed_only_for_failures_it_brought(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path, make_repo(tmp_path, PROJECT))
    tools = ToolContext(workspace=workspace, command_timeout_s=60)
    state = team_state(workspace, [Location(path="calc/ops.py", symbol="neg")])
    baseline, notes = take_baseline(state, tools, ignore_progress)
    assert baseline.scope == "suite" and notes == []
    assert baseline.outcomes["tests/test_ops.py::test_add"] == "passed"
    assert set(baseline.failing) == {"tests/test_ops.py::test_old_failure", "tests/test_mul.py::test_mul",
                                     "tests/test_legacy.py"}
    assert baseline.collection_errors == ["tests/test_legacy.py"] and not baseline.collected_ok
    state = with_reproduction(state.model_copy(update={"baseline": baseline}), workspace)

    edit(workspace, tools, "return a\n", "return -a\n")
    edit(workspace, tools, "return a + b\n", "return a - b\n")
    edit(workspace, tools, "def mul(", "def times(", "calc/more.py")
    broken = verify(state, tools)
    verdict = broken["test_report"]
    assert not verdict.passed
    assert set(verdict.regressions) == {"tests/test_ops.py::test_add", "tests/test_mul.py"}, "a new collection error"
    assert [case.outcome for case in verdict.target] == ["passed"]
    assert "tests/test_ops.py::test_add" in broken["feedback"] and "assert -1 == 5" in broken["feedback"]
    state = state.model_copy(update={"baseline": broken["baseline"]})

    edit(workspace, tools, "return a - b\n", "return a + b\n")
    edit(workspace, tools, "def times(", "def mul(", "calc/more.py")
    fixed = verify(state, tools)["test_report"]
    assert fixed.passed and fixed.regressions == []
    assert set(fixed.already_failing) == {"tests/test_ops.py::test_old_failure", "tests/test_mul.py::test_mul",
                                          "tests/test_legacy.py"}


def test_a_suite_too_large_for_the_budget_is_verified_on_linked_and_reproduction_tests(tmp_path: Path) -> None:
    many = "".join(f"def test_generated_{n}():\n    pass\n\n\n" for n in range(250))
    slow = "import time\n\nimport pytest\n\n\n@pytest.fixture(autouse=True)\ndef slow():\n    time.sleep(0.15)\n"
    files = {**PROJECT, "conftest.py": slow, "tests/test_many.py": many}
    workspace = open_workspace(tmp_path, make_repo(tmp_path, files))
    graph = CodeGraph.build(workspace.info.root, cache_dir=None)
    tools = ToolContext(workspace=workspace, code_graph=graph, command_timeout_s=30)
    state = team_state(workspace, [Location(path="calc/ops.py", symbol="add")])
    baseline, notes = take_baseline(state, tools, ignore_progress)
    assert baseline.scope == "linked" and baseline.selectors == ["tests/test_ops.py"], "the tests importing ops.py"
    assert baseline.outcomes == {
        "tests/test_ops.py::test_add": "passed",
        "tests/test_ops.py::test_old_failure": "failed",
    }
    assert "verified on the tests the code graph links to the change" in notes[0]
    state = with_reproduction(state.model_copy(update={"baseline": baseline}), workspace)

    edit(workspace, tools, "return a\n", "return -a\n")
    edit(workspace, tools, "return a * b + 1\n", "product = a * b + 1\n    return product\n", "calc/more.py")
    diff = workspace.diff()
    update = verify(state, tools)
    verdict = update["test_report"]
    assert verdict.scope == "linked" and verdict.passed, update["feedback"]
    assert int(verdict.summary.split()[0]) == 2, "test_add and the reproduction test passed; test_many never ran"
    assert verdict.failing == verdict.already_failing
    assert set(verdict.failing) == {"tests/test_ops.py::test_old_failure", "tests/test_mul.py::test_mul"}
    assert update["baseline"].outcomes["tests/test_mul.py::test_mul"] == "failed", "looked up on the base commit"
    assert workspace.diff() == diff and workspace.exists("tests/test_neg.py")
