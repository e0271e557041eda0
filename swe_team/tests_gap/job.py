"""`swe-team tests-gap` as a job: a job folder with its trajectory, a workspace at HEAD, the code graph, the model
client with its usage ledger; coverage before, the tester's tests judged, coverage after, and a branch.

The job is recorded like any other (`swe-team jobs`, `show`, `trajectory`): `report.md`, `patch.diff` and
`tests-gap.json` in its folder. It has no gates: the only write outside the job folder is a new branch.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from core.errors import SweTeamError
from core.jobs import Job, JobStore, new_job_id, require_writable_home
from core.model.pinning import identify_model
from core.settings import Settings
from core.trajectory import Trajectory
from graphs.branch import write_branch
from graphs.context import TeamContext
from swe_team.job_store import open_job_store
from swe_team.runner import check_model_endpoints, check_repository
from swe_team.tests_gap.judging import added_test_files, judge_tests
from swe_team.tests_gap.measure import CoverageCommand, Measurement, combined, coverage_command, measure
from swe_team.tests_gap.result import FunctionResult, GapResult
from swe_team.tests_gap.targets import (
    TargetFunction,
    changed_functions,
    changed_lines,
    function_coverage,
    source_functions,
    uncovered_functions,
)
from swe_team.tests_gap.writing import write_tests

COVERAGE_TOOL = "coverage"


@dataclass
class GapRequest:
    repo: Path
    base: str = ""
    """Test the functions changed since this ref; empty: the least covered functions."""
    max_functions: int = 5
    branch: bool = True
    """Write the kept tests to a new branch of the repository."""
    allow_dirty: bool = False
    flags: dict[str, Any] = field(default_factory=dict)


def with_coverage_in_image(settings: Settings) -> Settings:
    """`settings` whose Docker environments install coverage.py next to the test runner."""
    tools = settings.docker.test_tools
    if any(tool.split("=")[0].split("<")[0].split(">")[0].strip() == COVERAGE_TOOL for tool in tools):
        return settings
    docker = settings.docker.model_copy(update={"test_tools": [*tools, COVERAGE_TOOL]})
    return settings.model_copy(update={"docker": docker})


class TestsGapRun:
    """One tests-gap job, from the request to the result."""

    __test__ = False

    def __init__(self, settings: Settings, console: Console) -> None:
        self.settings = with_coverage_in_image(settings)
        self.console = console
        self.model_label = ""

    def run(self, request: GapRequest) -> GapResult:
        if request.max_functions < 1:
            raise SweTeamError(f"--max-functions must be 1 or more, not {request.max_functions}")
        root, head = check_repository(request.repo.resolve(), request.allow_dirty)
        require_writable_home(self.settings.home)
        changed = changed_lines(root, request.base, head) if request.base else None
        if changed is not None and not changed:
            mode_note = f"no Python file changed since {request.base}: nothing to test"
            return GapResult("", str(root), head, "changed", "", base_ref=request.base, notes=[mode_note])
        check_model_endpoints(self.settings)
        self.model_label = identify_model(self.settings, "instruct").label()
        store = open_job_store(self.settings)
        scope = f"the functions changed since {request.base}" if request.base else "the least covered functions"
        job = Job(
            id=new_job_id(),
            repo=str(root),
            task=f"tests-gap: tests for {scope}",
            kind="tests-gap",
            base_commit=head,
            workspace=self.settings.workspace,
            status="running",
            pid=os.getpid(),
            flags=request.flags,
        )
        store.create(job)
        try:
            result = self._in_job(job, store, request, changed)
        except BaseException:
            job.status, job.pid = "failed", 0
            store.save(job)
            raise
        job.status, job.pid = ("resolved" if result.kept else "unresolved"), 0
        store.save(job)
        return result

    def _in_job(self, job: Job, store: JobStore, request: GapRequest, changed: dict[str, set[int]] | None) -> GapResult:
        from core.model.llm import LiteLLMClient
        from core.model.usage_ledger import UsageLedger
        from core.redaction import Redactor
        from graphs.codegraph import build_job_graph
        from swe_team.progress import LiveProgress
        from workspaces.registry import create_workspace, resolve_kind

        settings = self.settings
        job_dir = store.folder(job.id)
        backend, note = resolve_kind(settings.workspace)
        if note:
            self.console.print(f"[yellow]note:[/] {escape(note)}")
        job.workspace = backend
        self.console.print(
            f"tests-gap job [bold]{job.id}[/] on {escape(job.repo)} at {job.base_commit[:10]} ({backend} workspace)"
        )
        ledger = UsageLedger()
        redactor = Redactor(settings.redaction)  # shared: its counts are all the job kept back
        progress = LiveProgress(self.console, ledger)
        progress("workspace", "opening the workspace")
        workspace = create_workspace(
            backend,
            job_id=job.id,
            repo_path=job.repo,
            base_commit=job.base_commit,
            job_dir=job_dir,
            settings=settings,
        )
        context = TeamContext(
            settings=settings,
            job=job,
            job_dir=job_dir,
            workspace=workspace,
            model=LiteLLMClient(settings, ledger, redactor=redactor),
            trajectory=Trajectory(job_dir / "trajectory.jsonl", redactor),
            ledger=ledger,
            progress=progress,
        )
        try:
            graph = build_job_graph(workspace, job_dir, settings, progress)
            context.tools.code_graph = graph.graph
            return self._fill(context, request, changed, graph.graph)
        finally:
            progress.stop()
            workspace.close()

    def _fill(
        self, context: TeamContext, request: GapRequest, changed: dict[str, set[int]] | None, graph: Any
    ) -> GapResult:
        from tools.test_results import detect_test_command

        workspace, trajectory, progress = context.workspace, context.trajectory, context.progress
        timeout = context.settings.budgets.command_timeout_s
        command = coverage_command(workspace, context.settings.test_command or detect_test_command(workspace))
        plain = command.plain
        context.tools.extras["test_command"] = plain
        result = GapResult(
            context.job.id,
            context.job.repo,
            context.job.base_commit,
            "changed" if changed else "uncovered",
            plain,
            base_ref=request.base,
            notes=[command.note] if command.note else [],
        )
        progress("coverage", f"running the test suite under coverage ({command.test_command})")
        functions = source_functions(graph)
        baseline = self._baseline(workspace, command, timeout, {f.path for f in functions})
        broken = [case for case in baseline.report.cases if case.outcome in ("failed", "error")]
        if broken:
            result.notes.append(
                f"{len(broken)} of the {len(baseline.report.cases)} existing tests fail or error (e.g. "
                f"{broken[0].test_id}): coverage before counts only what the rest ran"
            )
        trajectory.record(
            "coverage_baseline",
            command=command.test_command,
            summary=baseline.report.summary(),
            files=len(baseline.files),
        )
        if changed is not None:
            listed = changed_functions(functions, changed)
            wanting = [f for f in listed if not function_coverage(f, baseline.files.get(f.path)).complete]
            targets = wanting[: request.max_functions]
            skipped = len(wanting) - len(targets)
            if skipped:
                result.notes.append(f"{skipped} more changed function(s) lack coverage: raise --max-functions")
        else:
            listed = targets = uncovered_functions(functions, baseline.files, request.max_functions)
        before = {f.id: function_coverage(f, baseline.files.get(f.path)) for f in listed}
        trajectory.record("targets", mode=result.mode, listed=[f.id for f in listed], targets=[f.id for f in targets])
        if not targets:
            if listed:
                why = "every function listed is fully covered already"
            elif changed is not None:
                why = f"no function of the code under test changed since {request.base}"
            else:
                why = "no function of the code under test lacks coverage"
            result.notes.append(f"{why}: no test to write")
            result.functions = [FunctionResult(f, before[f.id], before[f.id], changed is not None) for f in listed]
            self._finish(context, request, result)
            return result
        files = self._write(context, targets, before, plain, result)
        judgement = judge_tests(workspace, command, files, targets, baseline.files, timeout, progress)
        for verdict in judgement.verdicts:
            trajectory.record("test_judged", **verdict.to_dict())
        result.verdicts, result.test_files = judgement.verdicts, judgement.kept_files
        result.notes += judgement.notes
        after = combined(baseline.files, judgement.final.files) if judgement.final else baseline.files
        result.functions = []
        for function in listed:
            now = function_coverage(function, after.get(function.path))
            was = before[function.id] if before[function.id].measured else now.none_ran()
            result.functions.append(FunctionResult(function, was, now, changed is not None))
        result.usage, result.model = context.ledger.to_dict(), self.model_label
        self._finish(context, request, result)
        return result

    def _baseline(self, workspace: Any, command: CoverageCommand, timeout: float, sources: set[str]) -> Measurement:
        baseline = measure(workspace, command, None, timeout)
        report = baseline.report
        if report.timed_out:
            raise SweTeamError(
                f"the test suite did not finish within {timeout:.0f} s under coverage",
                hint="raise budgets.command_timeout_s, or name fewer tests with --test-command",
            )
        if not any(not case.collection for case in report.cases):
            raise SweTeamError(
                f"no tests found: `{command.test_command}` ran none ({report.summary()})",
                hint="tests-gap adds to an existing pytest suite; pass the command that runs it with --test-command",
            )
        if not any(path in sources for path in baseline.files):
            left = (
                "left no coverage data" if not baseline.files else "ran none of the repository's code in the workspace"
            )
            raise SweTeamError(
                f"coverage not measurable: the test run {left}",
                hint="the tests must import the repository's own code, not an installed copy of it "
                "(pass a --test-command whose interpreter has no other copy installed, or use --workspace docker)",
            )
        return baseline

    def _write(
        self,
        context: TeamContext,
        targets: list[TargetFunction],
        before: dict[str, Any],
        test_command: str,
        result: GapResult,
    ) -> list[str]:
        """The tester's new test files; any other edit it made is undone."""
        workspace = context.workspace
        start = workspace.snapshot("tests-gap-start")
        context.progress("tester", f"writing tests for {len(targets)} function(s)")
        answer = write_tests(
            context.role_services(), [(t, before[t.id]) for t in targets], test_command, f"{context.job.id}-tester"
        )
        context.trajectory.record("tester_answer", **answer.model_dump())
        diff = workspace.diff()
        files = added_test_files(diff)
        contents = {path: workspace.read_file(path) for path in files}
        workspace.rollback(start)
        for path, text in contents.items():
            workspace.write_file(path, text)
        if workspace.diff().count("diff --git ") < diff.count("diff --git "):
            result.notes.append("the tester's edits to existing files were undone: tests-gap keeps new test files")
        unnamed = [path for path in answer.test_files if path not in contents]
        if unnamed:
            result.notes.append(f"test files the tester named but did not create: {', '.join(unnamed)}")
        return files

    def _finish(self, context: TeamContext, request: GapRequest, result: GapResult) -> None:
        """The job folder's files, and the branch when tests were kept."""
        job, job_dir = context.job, context.job_dir
        redactor = context.trajectory.redactor
        result.test_command = redactor.text(result.test_command)
        result.notes = [redactor.text(note) for note in result.notes]
        for verdict in result.verdicts:
            verdict.reason = redactor.text(verdict.reason)
        result.redacted = redactor.counts()
        diff = context.workspace.diff() if result.test_files else ""
        (job_dir / "patch.diff").write_text(diff, encoding="utf-8")
        if diff and request.branch:
            result.branch = job.branch
            result.commits = write_branch(
                Path(job.repo), job.base_commit, job.branch, diff, [(result.test_files, result.commit_message())]
            )
        (job_dir / "report.md").write_text(result.markdown(), encoding="utf-8")
        (job_dir / "tests-gap.json").write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
        context.trajectory.record(
            "finalized", status="resolved" if result.kept else "unresolved", reasons=result.notes, branch=result.branch
        )
