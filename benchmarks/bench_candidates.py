"""Candidate search benchmarks: (a) selection on real candidate patches, (b) candidates made at once in Docker.

(a) For each instance of a SWE-bench-format dataset whose environment validated (`swe-team eval --gold`'s
results.json), in its Docker environment with the test patch applied: the reference fix, its mutants (a changed
constant, a dropped line, an inverted condition), an empty patch and the next dataset instance's fix, shuffled,
are tried and selected as a job's candidate search does it; the reproduction tests are the instance's FAIL_TO_PASS
and the regression tests the test patch's files. A candidate resolves when FAIL_TO_PASS and PASS_TO_PASS all pass
in its regression run (one without such a run is run only when the winner does not resolve). Reported: how often
the selector picks a resolving candidate when one exists (goal ≥ 0.95), the time.
(b) The scripted model answering each coder after a fixed delay: N candidates at once in Docker against one
(goal: N = 4 within 2.5× the wall time of one).

    .venv/bin/python -m benchmarks.bench_candidates [--quick] [--gold-results /tmp/eval-gold/results.json]
        [--dataset ../shared/data/swebench-lite-dev.jsonl] [--repos /work/.mirror] [--limit N]
        [--instances ID,...] [--results bench-out/candidates/selection.jsonl] [--selection-only | --parallel-only]

`--quick`: (a) on the shop example in a local workspace (its fix and mutants), (b) with 2 local candidates.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from benchmarks.candidate_results import Outcome, ResultFile, runs_text, selection_table
from benchmarks.candidate_sets import candidate_set
from core.errors import SweTeamError
from core.model.scripted_server import ScriptedModelServer
from core.search_settings import SearchSettings
from core.settings import Settings
from graphs.candidate_runs import make_candidates
from graphs.candidate_trials import TrialPlan, Trials, apply_diff
from graphs.selection import representatives, select
from harness.candidates import marking_step, search_context
from harness.example import example_repo
from harness.services import in_ci, run_unless_unavailable
from swe_team.eval.dataset import Instance, load_instances
from swe_team.eval.grading import grade
from swe_team.eval.instance_run import selected_test_files
from swe_team.eval.repos import RepositorySource
from tools.test_results import TestCase, detect_test_command, run_tests
from tools.testing.ids import outcome_of
from workspaces.base import Workspace
from workspaces.registry import create_workspace

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench-out" / "candidates" / "selection.jsonl"
SHOP_FIX = (
    "diff --git a/shop/cart.py b/shop/cart.py\n--- a/shop/cart.py\n+++ b/shop/cart.py\n@@ -35,7 +35,9 @@\n"
    '         return sum((item.line_total for item in self.items), Decimal("0"))\n \n'
    "     def cheapest_price(self) -> Decimal:\n"
    "-        return min(item.price for item in self.items)\n"
    "+        if len(self.items) == 0:\n"
    '+            return Decimal("0")\n'
    "+        return min(item.price for item in self.items)\n \n     def discount(self) -> Decimal:\n"
    "         return bulk_discount(self.subtotal(), self.item_count(), self.cheapest_price())\n"
)
SHOP_TEST = (
    "diff --git a/tests/test_empty.py b/tests/test_empty.py\nnew file mode 100644\n--- /dev/null\n"
    "+++ b/tests/test_empty.py\n@@ -0,0 +1,7 @@\n+from decimal import Decimal\n+\n+from shop import Cart\n+\n+\n"
    "+def test_empty_total():\n+    assert Cart().total() == Decimal('0.00')\n"
)


def judged(
    name: str,
    workspace: Workspace,
    command: str,
    fail_to_pass: list[str],
    pass_to_pass: list[str],
    test_patch: str,
    fix: str,
    other_fix: str,
    regression: list[str] | None = None,
    mutations: int = 3,
) -> Outcome:
    """One instance: its candidates tried and selected in `workspace` (at the base commit); each graded."""
    if problem := apply_diff(workspace, test_patch):
        raise RuntimeError(f"{name}: the test patch does not apply: {problem}")
    start = workspace.snapshot("tests")
    candidates = candidate_set(workspace, start, fix, other_fix, seed=name, mutations=mutations)
    files = selected_test_files(test_patch)
    checked = regression or files
    plan = TrialPlan(
        workspace, start, command, fail_to_pass, tester_files=files, regression_tests=lambda diff: checked, timeout=1800
    )
    started = time.monotonic()
    trials = Trials(plan, candidates.diffs)
    evidence = trials.evidence()
    selection = select(evidence)
    seconds = time.monotonic() - started
    runs = {run: report.duration_s for run, report in trials.reports.items()}

    def resolves(cases: list[TestCase]) -> bool:
        return grade(fail_to_pass, pass_to_pass, partial(outcome_of, cases)).resolution.value == "FULL"

    rep_of = {member: first for first, members in representatives(evidence.candidates).items() for member in members}
    resolving, ungraded = [], []
    for cid in candidates.diffs:
        if cid not in rep_of:
            continue  # dropped: its diff does not apply, or it changes nothing
        run = trials.regression_runs.get(rep_of[cid])
        if run is None:
            ungraded.append(cid)
        elif resolves(trials.reports[run].cases):
            resolving.append(cid)
    if selection.winner not in resolving and not resolving:  # did a resolving candidate exist?
        for cid in ungraded:
            workspace.rollback(start)
            apply_diff(workspace, trials.code[cid] + trials.tests[cid])
            if resolves(run_tests(workspace, command, checked, plan.timeout).cases):
                resolving.append(cid)
        ungraded = []
    workspace.rollback(start)
    picked = selection.winner
    why = candidates.kinds.get(picked, "none") + (": " + selection.verdict(picked).reason if picked else "")
    return Outcome(name, len(candidates.diffs), resolving, picked, seconds, why, runs, ungraded=ungraded)


def shop_outcome(scratch: Path) -> Outcome:
    repo = example_repo(scratch)
    settings = Settings(home=scratch / "home", workspace="local")
    workspace = create_workspace(
        "local", job_id="bench-shop", repo_path=repo, base_commit="HEAD", job_dir=scratch / "job", settings=settings
    )
    try:
        command = f"{shlex.quote(sys.executable)} -m pytest -p no:cacheprovider"
        tests = ["tests/test_empty.py::test_empty_total"]
        passing = [
            "tests/test_cart.py::test_total_includes_tax",
            "tests/test_cart.py::test_bulk_discount_makes_cheapest_item_free",
        ]
        return judged("shop", workspace, command, tests, passing, SHOP_TEST, SHOP_FIX, "", ["tests"], mutations=1)
    finally:
        workspace.close()


def instance_outcome(instance: Instance, other: Instance, source: RepositorySource, settings: Settings) -> Outcome:
    repo = source.prepared(instance.repo, instance.base_commit)
    workspace = create_workspace(
        settings.workspace,
        job_id=f"bench-{instance.instance_id}",
        repo_path=repo,
        base_commit=instance.base_commit,
        job_dir=settings.home / "bench" / instance.instance_id,
        settings=settings,
    )
    try:
        command = settings.test_command or detect_test_command(workspace, settings)
        return judged(
            instance.instance_id,
            workspace,
            command,
            instance.fail_to_pass,
            instance.pass_to_pass,
            instance.test_patch,
            instance.patch,
            other.patch,
        )
    finally:
        workspace.close()


def validated(results: Path) -> list[str]:
    instances = json.loads(results.read_text(encoding="utf-8"))["instances"]
    return [name for name, result in instances.items() if result.get("status") == "resolved"]


def real_outcomes(args: argparse.Namespace, settings: Settings) -> list[Outcome]:
    """(a) on the chosen validated instances: a result already in `args.results` is reused, each new one appended
    as it ends; an instance that fails is reported and left out (and tried again by the next run)."""
    names = validated(args.gold_results)
    dataset = load_instances(args.dataset)
    instances = {i.instance_id: i for i in dataset}
    names = [name for name in names if name in instances]
    wanted = [name for name in args.instances.split(",") if name] or names
    chosen = [name for name in names if name in wanted][: args.limit or None]
    source = RepositorySource(args.repos, settings.home / "cache" / "eval-repos")
    store = ResultFile(args.results)
    earlier = store.load()
    outcomes = []
    for count, name in enumerate(chosen, start=1):
        other = dataset[(dataset.index(instances[name]) + 1) % len(dataset)]  # whichever validated
        if name in earlier and not earlier[name].error:
            outcomes.append(earlier[name])
            print(f"(a) [{count}/{len(chosen)}] {name}: from {args.results}", flush=True)
            continue
        print(f"(a) [{count}/{len(chosen)}] {name} …", flush=True)
        started = time.monotonic()
        try:
            outcome = instance_outcome(instances[name], other, source, settings)
        except (SweTeamError, RuntimeError, OSError) as exc:
            outcome = Outcome(name, error=f"{type(exc).__name__}: {exc}")
        outcome.wall = time.monotonic() - started
        store.append(outcome)
        outcomes.append(outcome)
        if outcome.error:
            print(f"    left out after {outcome.wall:.0f} s: {outcome.error[:300]}", flush=True)
        else:
            print(
                f"    picked {outcome.picked or '-'} ({'resolving' if outcome.right else 'NOT resolving'}; "
                f"{len(outcome.resolving)} of {outcome.candidates} resolve), trials {outcome.seconds:.0f} s, "
                f"wall {outcome.wall:.0f} s: {runs_text(outcome)}",
                flush=True,
            )
    return outcomes


def parallel_efficiency(
    scratch: Path, backend: str, count: int, settings: Settings | None, model_delay_s: float = 2.0, warm_up: bool = True
) -> None:
    """(b): wall time of `count` candidates made at once against one, the model answering after a delay."""
    walls = {}
    for n in (0, 1, count) if warm_up else (1, count):  # 0: untimed, loads what the first model call loads
        made = max(n, 1)
        search = SearchSettings(candidates=made, parallel=made, stop_early=False)
        with ScriptedModelServer(
            {"steps": [marking_step(hold_s=model_delay_s / 2, model_delay_s=model_delay_s)] * made}
        ) as server:
            context, state = search_context(scratch / f"{backend}-{n}", server.base_url, backend, search, settings)
            try:
                started = time.monotonic()
                runs, _ = make_candidates(context, state, start_diff="")
                walls[n] = time.monotonic() - started
            finally:
                context.workspace.close()
        failed = [run.error for run in runs if run.error]
        if failed:
            raise RuntimeError(f"a candidate failed: {failed[0]}")
    ratio = walls[count] / walls[1]
    print(
        f"\n(b) {backend}: 1 candidate {walls[1]:.1f} s, {count} at once {walls[count]:.1f} s → {ratio:.2f}× "
        f"(goal ≤ 2.5×)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the shop example in local workspaces")
    parser.add_argument("--dataset", type=Path, default=ROOT.parent / "shared" / "data" / "swebench-lite-dev.jsonl")
    parser.add_argument("--gold-results", type=Path, default=Path("/tmp/eval-gold/results.json"))
    parser.add_argument("--repos", type=Path, default=Path(os.environ.get("SWE_TEAM_MIRRORS", "/work/.mirror")))
    parser.add_argument("--limit", type=int, default=0, help="at most this many validated instances")
    parser.add_argument("--parallel-only", action="store_true", help="only (b)")
    parser.add_argument("--selection-only", action="store_true", help="only (a)")
    parser.add_argument("--instances", default="", help="only these validated instances (comma-separated)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="per-instance results, appended (resumes)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-candidates-") as scratch_text:
        scratch = Path(scratch_text)
        if args.quick:
            selection_table([shop_outcome(scratch / "shop")])
            parallel_efficiency(scratch, "local", 2, None, model_delay_s=0.5, warm_up=False)
            return
        settings = Settings(workspace="docker")
        outcomes: list[Outcome] = []
        if not args.parallel_only:
            outcomes = real_outcomes(args, settings)
            selection_table(outcomes)
        if not args.selection_only:
            parallel_efficiency(scratch, "docker", 4, Settings(home=scratch / "home"))
        if in_ci() and not outcomes:
            raise RuntimeError("no validated instance to select on")


if __name__ == "__main__":
    run_unless_unavailable(main)
