"""One instance in a fresh workspace: environment, patches, tests, grade; its evidence in its log folder.

--gold validates: the test patch alone must leave every FAIL_TO_PASS failing, and with the reference fix every
FAIL_TO_PASS and PASS_TO_PASS must pass. A prediction is graded as SWE-bench does: the patch is applied, the test
files the test patch touches are put back to the base commit, the test patch is applied, the tests run once.
"""

from __future__ import annotations

import re
import shlex
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from core.errors import SweTeamError
from swe_team.eval.dataset import Instance
from swe_team.eval.evidence import cause_words, commonest_error, describe_run, key_line
from swe_team.eval.grading import TestGroup, grade, passing_without_fix
from swe_team.eval.repos import RepositorySource
from swe_team.eval.results import InstanceResult, Mode, TestCounts, write_atomic
from tools.test_results import IdOutcomes, TestReport, detect_test_command, run_test_ids
from tools.testing.ids import selected

if TYPE_CHECKING:
    from core.settings import Settings
    from workspaces.base import Workspace

PATCH_FILE = ".swe-team-eval.patch"
APPLY_SCRIPT = (
    f"git apply --verbose --binary {PATCH_FILE} 2>&1 || "
    f"{{ command -v patch >/dev/null && patch --batch --fuzz=5 -p1 -i {PATCH_FILE} 2>&1; }}"
)
NAMED_FAILURES = 20
ENGINE_ATTEMPTS = 2
PYTEST_INTERNAL_ERROR = 3
_DIFF_HEADER = re.compile(r"^diff --git a/(\S+) b/(\S+)$", re.MULTILINE)


@dataclass
class EvalSetup:
    """What every instance of one eval shares."""

    settings: Settings
    source: RepositorySource
    test_timeout: float
    creating: Callable[[str], AbstractContextManager[object]]
    """A lock per repository held while its workspace is created, so one environment is built once."""


class StageFailed(SweTeamError):
    def __init__(self, stage: str, cause: str, detail: str) -> None:
        super().__init__(f"{stage}: {cause}")
        self.stage, self.cause, self.detail = stage, cause, detail


def changed_files(patch: str) -> list[tuple[str, bool]]:
    """(path, deleted) for every file a git diff touches."""
    found = []
    for match in _DIFF_HEADER.finditer(patch):
        rest = patch[match.end() : match.end() + 200]
        found.append((match.group(2), rest.lstrip("\n").startswith("deleted file mode")))
    return found


def selected_test_files(test_patch: str) -> list[str]:
    """The Python test files the test patch leaves in the tree: the files the eval runs."""
    return [path for path, deleted in changed_files(test_patch) if path.endswith(".py") and not deleted]


def _fail(stage: str, cause: str, detail: str) -> NoReturn:
    raise StageFailed(stage, cause, detail)


def apply_patch(workspace: Workspace, patch: str, stage: str) -> str:
    workspace.write_file(PATCH_FILE, patch if patch.endswith("\n") else patch + "\n")
    result = workspace.exec(f"{APPLY_SCRIPT}; status=$?; rm -f {PATCH_FILE}; exit $status", timeout=300)
    if not result.ok:
        output = result.stdout[-3000:] + result.stderr[-1000:]
        _fail(stage, f"the {stage.replace('_', ' ')} does not apply", f"{key_line(output)}\n\n{output}")
    return result.stdout


def restore_test_files(workspace: Workspace, paths: list[str]) -> None:
    """Put the files the test patch touches back to the base commit (a prediction's own edits to them go)."""
    script = "; ".join(
        f"git checkout HEAD -- {quoted} 2>/dev/null || rm -f -- {quoted}" for quoted in map(shlex.quote, paths)
    )
    if script:
        workspace.exec(script, timeout=300)


def crashed(report: TestReport) -> bool:
    """pytest stopped on an internal error (exit code 3): its log ends without the per-test summary the official
    harness reads, so no test of that run counts as passed, whatever ran before the crash."""
    return report.runner == "pytest" and report.exit_code == PYTEST_INTERNAL_ERROR


def outcome_lookup(run: IdOutcomes) -> Callable[[str], str]:
    if crashed(run.report):
        return lambda test_id: "missing"
    return lambda test_id: run.outcomes.get(test_id, "missing")


def counts(group: TestGroup) -> TestCounts:
    return TestCounts(
        total=sum(group.counts().values()),
        **group.counts(),
        failing=group.failed[:NAMED_FAILURES],
    )


class InstanceRun:
    """Evaluates one instance; `run` never raises for the instance's own failures, it returns them."""

    def __init__(self, instance: Instance, patch: str, mode: Mode, setup: EvalSetup, log_dir: Path) -> None:
        self.instance = instance
        self.patch = patch
        self.mode = mode
        self.setup = setup
        self.log_dir = log_dir
        self.result = InstanceResult(
            instance_id=instance.instance_id, repo=instance.repo, version=instance.version, mode=mode, status="error"
        )
        self._started = time.monotonic()
        self._passing_before: list[str] = []

    def log(self, line: str) -> None:
        with (self.log_dir / "eval.log").open("a", encoding="utf-8") as handle:
            handle.write(f"{time.strftime('%H:%M:%S')} {line}\n")

    def run(self) -> InstanceResult:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.log_dir / "test_patch.diff", self.instance.test_patch)
        write_atomic(self.log_dir / "patch.diff", self.patch)
        if self.mode != "gold" and not self.patch.strip():
            return self._finish(status="empty_patch", stage="patch", cause="the prediction is an empty patch")
        try:
            self._evaluate()
        except StageFailed as failure:
            self.log(f"stopped at {failure.stage}: {failure.cause}\n{failure.detail}")
            return self._finish(status="error", stage=failure.stage, cause=failure.cause, detail=failure.detail)
        except SweTeamError as exc:
            self.log(f"the workspace failed: {exc.user_message()}")
            cause = cause_words(str(exc))
            return self._finish(status="error", stage="workspace", cause=cause, detail=exc.user_message())
        return self._finish()

    def _open_workspace(self) -> Workspace:
        instance, settings = self.instance, self.setup.settings
        try:
            repo_path = self.setup.source.prepared(instance.repo, instance.base_commit)
        except SweTeamError as exc:
            _fail("repository", cause_words(str(exc)), exc.user_message())
        self.log(f"opening a {settings.workspace} workspace on {instance.repo} at {instance.base_commit[:12]}")
        try:
            with self.setup.creating(instance.repo):
                started = time.monotonic()
                workspace = self._create(repo_path)
        except SweTeamError as exc:
            _fail("environment", cause_words(str(exc)), f"{key_line(str(exc))}\n\n{exc.user_message()}")
        self.result.environment_seconds = round(time.monotonic() - started, 1)
        info = workspace.info
        hidden = {"container", "volume", "job_dir", "inner_base"}
        self.result.environment = {
            "backend": info.backend, **{k: v for k, v in info.details.items() if k not in hidden}
        }
        self.log(f"workspace ready in {self.result.environment_seconds} s: {self.result.environment}")
        return workspace

    def _create(self, repo_path: Path) -> Workspace:
        """A new workspace; tried again when the engine itself fails (instances opening and closing at once can
        race in it: a container removed while another instance lists them)."""
        from workspaces.registry import create_workspace

        def attempt() -> Workspace:
            return create_workspace(
                self.setup.settings.workspace, job_id=f"eval-{self.instance.instance_id}-{uuid.uuid4().hex[:6]}",
                repo_path=repo_path, base_commit=self.instance.base_commit, job_dir=self.log_dir / "workspace",
                settings=self.setup.settings,
            )

        for _ in range(ENGINE_ATTEMPTS - 1):
            try:
                return attempt()
            except SweTeamError:
                raise
            except Exception as exc:
                self.log(f"opening the workspace failed ({type(exc).__name__}: {exc}); trying again")
                time.sleep(2)
        return attempt()

    def _evaluate(self) -> None:
        workspace = self._open_workspace()
        try:
            settings = self.setup.settings
            command = settings.test_command or detect_test_command(workspace, settings)
            self.result.test_command = command
            if self.mode == "gold":
                apply_patch(workspace, self.instance.test_patch, "test_patch")
                before = self._tests(workspace, command, "tests_before")
                lookup = outcome_lookup(before)
                self.result.fail_to_pass_before = counts(grade(self.instance.fail_to_pass, [], lookup).fail_to_pass)
                self._passing_before = passing_without_fix(self.instance.fail_to_pass, lookup)
                apply_patch(workspace, self.patch, "patch")
            else:
                apply_patch(workspace, self.patch, "patch")
                restore_test_files(workspace, [path for path, _ in changed_files(self.instance.test_patch)])
                apply_patch(workspace, self.instance.test_patch, "test_patch")
            self._grade(self._tests(workspace, command, "tests_after"))
        finally:
            workspace.close()

    def _tests(self, workspace: Workspace, command: str, stage: str) -> IdOutcomes:
        """Run the files of the listed tests and of the test patch (as SWE-bench does); each listed id's outcome."""
        files = selected_test_files(self.instance.test_patch)
        listed = [*self.instance.fail_to_pass, *self.instance.pass_to_pass]
        self.log(f"{stage}: {command} on {' '.join(files)}")
        run = run_test_ids(workspace, command, listed, timeout=self.setup.test_timeout, files=files)
        report = run.report
        write_atomic(self.log_dir / f"{stage.replace('_', '-')}.log", describe_run(report))
        self.log(f"{stage}: {report.summary()} in {report.duration_s:.0f} s")
        if report.timed_out:
            _fail(stage, "the test run timed out", f"after {self.setup.test_timeout:.0f} s: {report.command}")
        return run

    def _grade(self, run: IdOutcomes) -> None:
        after = run.report
        graded = grade(self.instance.fail_to_pass, self.instance.pass_to_pass, outcome_lookup(run))
        self.result.resolution = graded.resolution.value
        self.result.fail_to_pass = counts(graded.fail_to_pass)
        self.result.pass_to_pass = counts(graded.pass_to_pass)
        passing_before = self._passing_before
        if graded.resolution == "FULL" and not passing_before:
            self.result.status = "resolved"
            return
        self.result.status = "unresolved"
        if not after.collected_ok:
            self.result.stage, self.result.cause = "tests_after", "the tests could not be collected"
            self.result.detail = key_line(after.output)
        elif graded.resolution != "FULL":
            failing = graded.pass_to_pass.failed or graded.fail_to_pass.failed
            kind = "PASS_TO_PASS" if graded.pass_to_pass.failed else "FAIL_TO_PASS"
            evidence = {test_id: self._evidence(run, test_id) for test_id in failing[:NAMED_FAILURES]}
            self.result.stage = "tests_after"
            self.result.cause = f"{kind} tests fail with the patch ({commonest_error(list(evidence.values()))})"
            self.result.detail = "\n".join(f"{test_id}: {line}" for test_id, line in evidence.items())
        else:
            self.result.stage, self.result.cause = "tests_before", "FAIL_TO_PASS tests pass without the fix"
            self.result.detail = "\n".join(passing_before[:NAMED_FAILURES])

    @staticmethod
    def _evidence(run: IdOutcomes, test_id: str) -> str:
        if run.outcomes.get(test_id, "missing") == "missing":
            return "not in the test log"
        messages = [case.message for case in selected(run.report.cases, [test_id]) if case.message]
        return key_line(messages[0]) if messages else run.outcomes[test_id]

    def _finish(self, status: str = "", stage: str = "", cause: str = "", detail: str = "") -> InstanceResult:
        updates: dict[str, object] = {"minutes": round((time.monotonic() - self._started) / 60, 2)}
        if status:
            updates.update(status=status, stage=stage, cause=cause, detail=detail[:4000])
        self.result = self.result.model_copy(update=updates)
        self.log(f"{self.result.status} ({self.result.resolution or self.result.cause}) in {self.result.minutes} min")
        return self.result
