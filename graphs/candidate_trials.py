"""Trying every candidate patch in one workspace: the evidence `graphs/selection.select` chooses from.

Every run starts from the same snapshot (the repository with the tester's reproduction tests, before any fix).
Each candidate is applied to learn what it changes (`change_key`); one of each distinct change is then tested
against the tester's reproduction tests, its own tests and every other candidate's tests put beside its code.
Its regression tests (chosen from its change; compared with the same tests before any candidate) run in the same
run, or, when they are the long part (`regression_runs_apart`), afterwards in runs of their own, best ranked first,
until two break none: a candidate ranked below two that break none cannot be a finalist whatever they say.
A candidate's edits to the tester's test files are left out: the tester's version is the one that judges.
Before each run the cached bytecode of every file a candidate touches is removed: Python trusts a cache whose
source has the same size and modification second, which two candidates' versions of a file can share.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

from core.errors import WorkspaceError
from graphs.patch_identity import added_test_files, change_key, changed_paths, file_blocks, split_diff
from graphs.selection import FINALISTS, TESTER, Candidate, Evidence, by_tests, representatives
from tools.test_results import TestCase, TestReport, run_tests
from tools.testing.ids import matches
from workspaces.base import Workspace

PATCH_FILE = ".swe-team-candidate.patch"
APPLY = f"git apply --whitespace=nowarn {PATCH_FILE}"

RegressionTests = Callable[[str], list[str]]
"""The regression tests for a change to the code (its diff): test selectors, [] for none."""


@dataclass
class TrialPlan:
    workspace: Workspace
    start_snapshot: str
    """Every candidate is tried from here: the repository with the tester's tests, before any fix."""
    test_command: str
    tester_tests: list[str]
    tester_files: list[str] = field(default_factory=list)
    """The tester's test files: candidates' edits to them are left out."""
    regression_tests: RegressionTests = lambda diff: []
    timeout: float = 600.0
    regression_apart: bool | None = None
    """Whether the regression tests run after the others, in runs of their own (None: when that saves time, as
    `regression_runs_apart` judges it)."""


def without_files(diff: str, paths: list[str]) -> str:
    kept = [block for path, block in file_blocks(diff) if path not in paths]
    return "".join(block if block.endswith("\n") else block + "\n" for block in kept)


def apply_diff(workspace: Workspace, diff: str) -> str:
    """'' when `diff` applied (or is empty), else why not."""
    if not diff.strip():
        return ""
    workspace.write_file(PATCH_FILE, diff if diff.endswith("\n") else diff + "\n")
    result = workspace.exec(f"{APPLY}; status=$?; rm -f {shlex.quote(PATCH_FILE)}; exit $status", timeout=120)
    said = (result.stderr or result.stdout).strip()
    if result.exit_code == 0:
        return ""
    return said.splitlines()[0][:300] if said else f"git apply exited {result.exit_code}"


def _contents(workspace: Workspace, paths: list[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for path in paths:
        try:
            found[path] = workspace.read_file(path) if workspace.exists(path) else None
        except WorkspaceError:
            found[path] = None
    return found


def bytecode_removal(paths: list[str]) -> str:
    """A shell command removing the cached bytecode (Python's and pytest's rewritten tests) of the `paths`."""
    caches = []
    for path in paths:
        folder, _, name = path.rpartition("/")
        if name.endswith(".py"):
            cache_folder = f"{folder}/__pycache__/" if folder else "__pycache__/"
            caches.append(shlex.quote(cache_folder + name.removesuffix(".py")) + ".*.pyc")
    return f"rm -f {' '.join(caches)}" if caches else ""


def _outcomes(cases: list[TestCase], files: list[str] | None = None) -> dict[str, str]:
    """Each test's outcome (collection errors left out: they name a file, not a test)."""
    return {
        case.test_id: case.outcome for case in cases if not case.collection and (files is None or case.file in files)
    }


def broken(before: list[TestCase], now: list[TestCase]) -> list[str]:
    """Tests that passed before and fail now; a file that no longer collects breaks every test of it that passed."""
    passed = {case.test_id: case.file for case in before if case.outcome == "passed" and not case.collection}
    found = [case.test_id for case in now if case.outcome in ("failed", "error") and case.test_id in passed]
    for case in now:
        if case.collection and case.outcome == "error":
            found += [test for test, file in passed.items() if file and file == case.file]
    return sorted(set(found))


def regression_runs_apart(before: TestReport, tester_tests: list[str], distinct: int) -> bool:
    """Whether running the regression tests apart saves time: they then run for the best-ranked of the `distinct`
    changes only (at least the finalists), each paying a second run. Judged on the run before any candidate: the
    regression tests' own time against what a run takes besides its tests (starting, collecting)."""
    if distinct <= FINALISTS:
        return False
    tests_s = sum(case.duration_s for case in before.cases)
    regression_s = sum(
        case.duration_s for case in before.cases if not any(matches(case, test) for test in tester_tests)
    )
    overhead_s = max(0.0, before.duration_s - tests_s)
    return (distinct - FINALISTS) * regression_s > FINALISTS * overhead_s


class Trials:
    """Runs the trials of one set of candidates: `evidence()` once, then read `reports` for the logs."""

    def __init__(self, plan: TrialPlan, diffs: dict[str, str]) -> None:
        self.plan = plan
        self.code: dict[str, str] = {}
        self.tests: dict[str, str] = {}
        for cid, diff in diffs.items():
            code, tests = split_diff(without_files(diff, plan.tester_files))
            self.code[cid], self.tests[cid] = code, tests
        self.touched = sorted({path for cid in diffs for path in changed_paths(self.code[cid] + self.tests[cid])})
        self.reports: dict[str, TestReport] = {}
        self.regression_runs: dict[str, str] = {}
        """Candidate → the name of its report that holds its regression tests (none when they were not run)."""
        self._tester: dict[str, dict[str, str]] = {}

    def _at_start(self) -> None:
        self.plan.workspace.rollback(self.plan.start_snapshot)

    def _run(self, name: str, selectors: list[str]) -> TestReport:
        plan = self.plan
        removal = bytecode_removal(self.touched)
        if removal:
            plan.workspace.exec(removal, timeout=60)
        report = run_tests(plan.workspace, plan.test_command, selectors, plan.timeout)
        self.reports[name] = report
        return report

    def candidate(self, cid: str) -> Candidate:
        """Applies the candidate alone to learn what it changes."""
        self._at_start()
        code = self.code[cid]
        paths = changed_paths(code)
        before = _contents(self.plan.workspace, paths)
        problem = apply_diff(self.plan.workspace, code + self.tests[cid])
        key = "" if problem else change_key(before, _contents(self.plan.workspace, paths))
        lines = sum(1 for line in code.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---"))
        return Candidate(id=cid, key=key, applied=not problem, problem=problem, diff_lines=lines)

    def evidence(self) -> Evidence:
        """Tries every candidate; the workspace is left at the start snapshot."""
        plan = self.plan
        candidates = [self.candidate(cid) for cid in self.code]
        groups = representatives(candidates)
        rep_of = {member: first for first, members in groups.items() for member in members}
        regression = {cid: plan.regression_tests(self.code[cid]) for cid in groups}
        wanted = list(dict.fromkeys([*plan.tester_tests, *(t for tests in regression.values() for t in tests)]))
        self._at_start()
        before_run = self._run("before", wanted) if wanted else None
        before = before_run.cases if before_run else []
        self._note_tester("before", before)
        evidence = Evidence(candidates=candidates, test_sets={TESTER: []})
        owners = [c.id for c in candidates if c.applied and added_test_files(self.tests[c.id])]
        apart = plan.regression_apart
        if apart is None:
            apart = before_run is not None and regression_runs_apart(before_run, plan.tester_tests, len(groups))
        together = not apart or len(groups) <= FINALISTS
        for cid in groups:
            self._tried(cid, [o for o in owners if o != cid], evidence, regression[cid] if together else None, before)
        for owner in owners:
            if owner in groups:
                continue  # named by its own run
            evidence.test_sets[owner] = sorted(evidence.outcomes.get(rep_of[owner], {}).get(owner, {}))
        tester_ids = list(dict.fromkeys(test for found in self._tester.values() for test in found))
        evidence.test_sets[TESTER] = tester_ids
        for cid in groups:
            found = self._tester.get(cid, {})
            evidence.outcomes.setdefault(cid, {})[TESTER] = {test: found.get(test, "missing") for test in tester_ids}
        self._regressions(groups, regression, before, evidence)
        self._at_start()
        return evidence

    def _regressions(
        self, groups: dict[str, list[str]], regression: dict[str, list[str]], before: list[TestCase], evidence: Evidence
    ) -> None:
        """Each distinct change's regression run, best ranked first, until `FINALISTS` of them break none."""
        clean = 0
        for verdict in by_tests(evidence, groups):
            cid = verdict.id
            if clean >= FINALISTS:
                evidence.unchecked.append(cid)
                continue
            if cid not in evidence.regressions and regression[cid]:
                self._at_start()
                apply_diff(self.plan.workspace, self.code[cid] + self.tests[cid])
                self.regression_runs[cid] = f"{cid} regression"
                evidence.regressions[cid] = broken(before, self._run(f"{cid} regression", regression[cid]).cases)
            clean += not evidence.regressions.setdefault(cid, [])

    def _note_tester(self, name: str, cases: list[TestCase]) -> None:
        selectors = self.plan.tester_tests
        self._tester[name] = {
            case.test_id: case.outcome
            for case in cases
            if not case.collection and any(matches(case, selector) for selector in selectors)
        }

    def _tried(
        self, cid: str, owners: list[str], evidence: Evidence, regression: list[str] | None, before: list[TestCase]
    ) -> None:
        """One run of `cid` with the tester's tests, its own and every other owner's tests that apply beside them
        (and its `regression` tests, unless None: they are run later if needed); an owner's tests that do not apply
        beside them run in a run of their own."""
        plan = self.plan
        self._at_start()
        apply_diff(plan.workspace, self.code[cid] + self.tests[cid])
        own = added_test_files(self.tests[cid])
        beside = [owner for owner in owners if not apply_diff(plan.workspace, self.tests[owner])]
        files = {owner: added_test_files(self.tests[owner]) for owner in owners}
        extra = [file for owner in beside for file in files[owner]]
        selectors = list(dict.fromkeys([*(regression or []), *plan.tester_tests, *own, *extra]))
        cases = self._run(cid, selectors).cases if selectors else []
        if regression is not None:
            evidence.regressions[cid] = broken(before, cases)
            if regression:
                self.regression_runs[cid] = cid
        self._note_tester(cid, cases)
        sets = evidence.outcomes.setdefault(cid, {})
        if own:
            evidence.test_sets[cid] = sorted(_outcomes(cases, own))
            sets[cid] = _outcomes(cases, own)
        for owner in owners:
            sets[owner] = _outcomes(cases, files[owner]) if owner in beside else self._alone_with(cid, owner)

    def _alone_with(self, cid: str, owner: str) -> dict[str, str]:
        """The owner's tests beside `cid`'s code alone (they clash with `cid`'s own tests)."""
        self._at_start()
        files = added_test_files(self.tests[owner])
        problem = apply_diff(self.plan.workspace, self.code[cid]) or apply_diff(self.plan.workspace, self.tests[owner])
        return {} if problem else _outcomes(self._run(f"{cid}+{owner}", files).cases, files)
