"""Candidates tried for real in a local workspace with pytest, then selected: the right patch wins over one that
breaks a test which passed, one that passes the tester's test but fails another candidate's, and a wrong change
made twice in different whitespace; each elimination says why."""

from __future__ import annotations

import importlib.util
import py_compile
import shlex
import sys
from pathlib import Path

from graphs.candidate_trials import TrialPlan, Trials, regression_runs_apart
from graphs.selection import TESTER, select
from tests.workspace_fixtures import make_repo, open_workspace
from tools.test_results import TestCase, TestReport
from workspaces.local import LocalWorkspace

PYTEST = f"{shlex.quote(sys.executable)} -m pytest -p no:cacheprovider"
OPS = "def add(a, b):\n    return a + b\n\n\ndef neg(a):\n    return a\n"
PROJECT = {
    "conftest.py": "",
    "calc/__init__.py": "",
    "calc/ops.py": OPS,
    "tests/__init__.py": "",
    "tests/test_ops.py": "from calc.ops import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n",
}
TESTER_FILE = "tests/test_neg.py"
TESTER_TEST = f"{TESTER_FILE}::test_neg"
EXTRA_TEST = "from calc.ops import neg\n\n\ndef test_neg_of_negative():\n    assert neg(-3) == 3\n"
CANDIDATES = {
    "right": ({"calc/ops.py": OPS.replace("return a\n", "return -a\n"), "tests/test_neg_more.py": EXTRA_TEST}),
    "breaks_add": {"calc/ops.py": OPS.replace("return a\n", "return -a\n").replace("a + b", "a - b")},
    "only_two": {"calc/ops.py": OPS.replace("return a\n", "return -2 if a == 2 else a\n")},
    "wrong": {"calc/ops.py": OPS.replace("return a\n", "return a * 1\n")},
    "wrong_again": {"calc/ops.py": OPS.replace("return a\n", "return a*1  # same\n")},
}


def candidate_diffs(workspace: LocalWorkspace, start: str) -> dict[str, str]:
    """Each candidate's diff against the base commit, as a coder's workspace gives it (with the tester's test)."""
    diffs = {}
    for name, files in CANDIDATES.items():
        workspace.rollback(start)
        for path, content in files.items():
            workspace.write_file(path, content)
        diffs[name] = workspace.diff()
    workspace.rollback(start)
    return diffs


def test_the_right_candidate_wins_and_each_elimination_is_explained(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path, make_repo(tmp_path, PROJECT))
    workspace.write_file(TESTER_FILE, "from calc.ops import neg\n\n\ndef test_neg():\n    assert neg(2) == -2\n")
    start = workspace.snapshot("reproduced")
    diffs = candidate_diffs(workspace, start)
    assert TESTER_FILE in diffs["right"]
    plan = TrialPlan(
        workspace=workspace,
        start_snapshot=start,
        test_command=PYTEST,
        tester_tests=[TESTER_TEST],
        tester_files=[TESTER_FILE],
        regression_tests=lambda diff: ["tests/test_ops.py"] if "calc/ops.py" in diff else [],
        timeout=60,
    )
    trials = Trials(plan, diffs)
    evidence = trials.evidence()

    assert evidence.test_sets == {TESTER: [TESTER_TEST], "right": ["tests/test_neg_more.py::test_neg_of_negative"]}
    assert evidence.regressions["breaks_add"] == ["tests/test_ops.py::test_add"]
    assert evidence.outcomes["only_two"][TESTER] == {TESTER_TEST: "passed"}
    assert evidence.outcomes["only_two"]["right"] == {"tests/test_neg_more.py::test_neg_of_negative": "failed"}
    assert "wrong_again" not in evidence.outcomes  # the same change as `wrong`: tested once

    selection = select(evidence)
    assert selection.winner == "right"
    reasons = {verdict.id: (verdict.standing, verdict.reason) for verdict in selection.verdicts}
    assert reasons["breaks_add"] == ("dropped", "breaks tests that passed before the job: tests/test_ops.py::test_add")
    assert reasons["only_two"][0] == "runner-up"
    assert reasons["only_two"][1].startswith("fails right's tests (tests/test_neg_more.py::test_neg_of_negative)")
    assert reasons["wrong"][0] == "outvoted"
    assert reasons["wrong"][1].startswith(f"fails the tester's reproduction tests ({TESTER_TEST})")
    assert reasons["wrong_again"][0] == "duplicate"
    assert workspace.read_file("calc/ops.py") == OPS  # the workspace is back at the start


def test_a_candidate_whose_diff_does_not_apply_is_dropped_with_gits_reason(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path, make_repo(tmp_path, PROJECT))
    start = workspace.snapshot("start")
    bad = "diff --git a/calc/ops.py b/calc/ops.py\n--- a/calc/ops.py\n+++ b/calc/ops.py\n@@ -1 +1 @@\n-nope\n+x\n"
    evidence = Trials(TrialPlan(workspace, start, PYTEST, []), {"bad": bad}).evidence()
    candidate = evidence.candidates[0]
    assert not candidate.applied and "calc/ops.py" in candidate.problem
    assert select(evidence).verdict("bad").standing == "dropped"


NEG_FIXED = OPS.replace("return a\n", "return -a\n")
ADD_BROKEN = "a - b"


def tried(tmp_path: Path, candidates: dict[str, str], apart: bool | None = True) -> Trials:
    """`candidates` (name → the new calc/ops.py) tried against the tester's test, tests/test_ops.py their
    regression tests (run apart from the others: the timings of these tiny tests would not choose that)."""
    workspace = open_workspace(tmp_path, make_repo(tmp_path, PROJECT))
    workspace.write_file(TESTER_FILE, "from calc.ops import neg\n\n\ndef test_neg():\n    assert neg(2) == -2\n")
    start = workspace.snapshot("reproduced")
    diffs = {}
    for name, ops in candidates.items():
        workspace.rollback(start)
        workspace.write_file("calc/ops.py", ops)
        diffs[name] = workspace.diff()
    workspace.rollback(start)
    regression = ["tests/test_ops.py"]
    plan = TrialPlan(workspace, start, PYTEST, [TESTER_TEST], [TESTER_FILE], lambda diff: regression, 60, apart)
    return Trials(plan, diffs)


def test_a_candidate_ranked_below_two_that_break_nothing_skips_the_regression_run_and_says_why(
    tmp_path: Path,
) -> None:
    trials = tried(
        tmp_path,
        {
            "wrong": OPS.replace("return a\n", "return a * 1\n").replace("a + b", ADD_BROKEN),
            "right": NEG_FIXED,
            "also_right": OPS.replace("return a\n", "return 0 - a\n"),
        },
    )
    evidence = trials.evidence()

    assert evidence.unchecked == ["wrong"]
    assert "wrong regression" not in trials.reports and "right regression" in trials.reports
    selection = select(evidence)
    assert selection.finalists == ["right", "also_right"]
    wrong = selection.verdict("wrong")
    assert wrong.standing == "outvoted"
    assert wrong.reason.startswith("fails the tester's reproduction tests")
    assert wrong.reason.endswith("its regression tests were not run (ranked below two candidates that broke none)")
    assert any("not run for wrong" in step for step in selection.steps)


def test_when_the_best_ranked_candidates_break_tests_the_others_are_still_checked(tmp_path: Path) -> None:
    trials = tried(
        tmp_path,
        {
            "breaks_add": NEG_FIXED.replace("a + b", ADD_BROKEN),
            "breaks_add_too": OPS.replace("return a\n", "return 0 - a\n").replace("a + b", ADD_BROKEN),
            "keeps_add": OPS.replace("return a\n", "return a * 1\n"),
        },
    )
    evidence = trials.evidence()

    assert evidence.unchecked == []
    assert evidence.regressions["keeps_add"] == []
    selection = select(evidence)
    assert selection.winner == "keeps_add"
    assert selection.verdict("breaks_add").reason.startswith("breaks tests that passed before the job")


def test_two_distinct_changes_run_their_regression_tests_in_their_first_run(tmp_path: Path) -> None:
    trials = tried(tmp_path, {"right": NEG_FIXED, "breaks_add": NEG_FIXED.replace("a + b", ADD_BROKEN)}, apart=None)
    evidence = trials.evidence()

    assert sorted(trials.reports) == ["before", "breaks_add", "right"]
    assert trials.regression_runs == {"right": "right", "breaks_add": "breaks_add"}
    assert evidence.regressions == {"right": [], "breaks_add": ["tests/test_ops.py::test_add"]}
    assert select(evidence).winner == "right"


def test_regression_tests_run_apart_only_when_their_time_outweighs_the_extra_runs() -> None:
    def before(run_s: float, regression_s: float) -> TestReport:
        cases = [
            TestCase(TESTER_TEST, "failed", duration_s=0.1),
            TestCase("tests/test_ops.py::test_add", "passed", duration_s=regression_s),
        ]
        return TestReport(command="pytest", exit_code=1, cases=cases, duration_s=run_s)

    # 5 distinct changes: the regression tests of 3 are saved when two are enough, 2 runs more are paid
    assert regression_runs_apart(before(run_s=70.1, regression_s=60), [TESTER_TEST], distinct=5)
    assert not regression_runs_apart(before(run_s=30.1, regression_s=5), [TESTER_TEST], distinct=5)
    assert not regression_runs_apart(before(run_s=70.1, regression_s=60), [TESTER_TEST], distinct=2)


def test_bytecode_cached_for_another_version_of_a_changed_file_is_never_run(tmp_path: Path) -> None:
    """Two candidates' versions of a file written within one second and of the same size share the cache key
    Python checks; an unchecked cache stands for that here: whatever it holds, each candidate's own code runs."""
    workspace = open_workspace(tmp_path, make_repo(tmp_path, PROJECT))
    start = workspace.snapshot("start")
    diffs = {}
    for name, ops in {"fixes_neg": NEG_FIXED, "breaks_add": NEG_FIXED.replace("a + b", ADD_BROKEN)}.items():
        workspace.rollback(start)
        workspace.write_file("calc/ops.py", ops)
        diffs[name] = workspace.diff()
    workspace.rollback(start)
    source = workspace.root / "calc" / "ops.py"
    stale = tmp_path / "stale_ops.py"
    stale.write_text(NEG_FIXED)
    cache = Path(importlib.util.cache_from_source(str(source)))
    cache.parent.mkdir(exist_ok=True)
    py_compile.compile(str(stale), cfile=str(cache), invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)

    plan = TrialPlan(workspace, start, PYTEST, [], [], lambda diff: ["tests/test_ops.py"], 60, regression_apart=False)
    evidence = Trials(plan, diffs).evidence()
    assert evidence.regressions == {"fixes_neg": [], "breaks_add": ["tests/test_ops.py::test_add"]}
