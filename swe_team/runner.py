"""Runs a job's team graph in this process: start, resume, answer gates, and keep the job record current."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from core.errors import ModelUnreachable, RepositoryError, SweTeamError
from core.git import git
from core.jobs import FINISHED, Job, JobStore, new_job_id, require_writable_home
from core.settings import Settings, load_settings
from core.state import JobInput, TeamState
from core.trajectory import Trajectory
from swe_team.approval import Approver, NeedsHuman, PendingDecisionApprover
from swe_team.crash_log import earlier_crash, native_crash_log
from swe_team.job_store import open_job_store

RECURSION_LIMIT = 200
RUN_AGAIN_KINDS = {"tests-gap": "tests-gap", "ci-diagnosis": "ci diagnose"}
"""Jobs that are not team graphs: the command that made one runs it again; resume refuses them."""


@dataclass
class JobRequest:
    repo: Path
    task: str
    kind: str = "auto"
    approve: str = "auto"
    flags: dict[str, Any] = field(default_factory=dict)
    instance_id: str = ""
    allow_dirty: bool = False
    keep_workspace: bool = False
    yes_destructive: bool = False
    """Write the branch into the user's repository without asking at the final gate."""
    dry_run: bool = False
    """Plan and locate only: no edit, no branch."""


def check_repository(repo: Path, allow_dirty: bool) -> tuple[Path, str]:
    """(repository root, HEAD commit) or a `RepositoryError` that says what to do."""
    if not repo.exists():
        raise RepositoryError(f"{repo} does not exist", hint="pass the path of a git repository with --repo")
    if not repo.is_dir():
        raise RepositoryError(f"{repo} is not a directory", hint="pass the repository folder, not a file")
    top = git(repo, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise RepositoryError(f"{repo} is not a git repository", hint="run `git init` and commit your code first")
    root = Path(top.stdout.strip())
    head = git(root, "rev-parse", "--verify", "HEAD")
    if head.returncode != 0:
        raise RepositoryError(f"{root} has no commits yet", hint="commit your code first: the job starts from HEAD")
    dirty = [line for line in git(root, "status", "--porcelain").stdout.splitlines() if not line.startswith("??")]
    if dirty and not allow_dirty:
        raise RepositoryError(
            f"{root} has uncommitted changes to {len(dirty)} tracked file(s); the job would not see them",
            hint="commit or stash them, or pass --allow-dirty to work from HEAD as it is",
        )
    return root, head.stdout.strip()


def check_model_endpoints(settings: Settings) -> None:
    """Fail in a second, before anything is created, when nothing listens where the models should be."""
    import socket
    from urllib.parse import urlparse

    from core.model.llm import UNREACHABLE_HINT

    for alias in ("instruct", "reasoning"):
        base = settings.alias(alias).api_base
        url = urlparse(base)
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            socket.create_connection((url.hostname or "localhost", port), timeout=3).close()
        except OSError as exc:
            raise ModelUnreachable(
                f"nothing answers at {base}, the {alias} model's server ({exc.strerror or exc})", hint=UNREACHABLE_HINT
            ) from exc


class JobRunner:
    def __init__(
        self, settings: Settings, approver: Approver, console: Console | None = None, store: JobStore | None = None
    ) -> None:
        self.settings = settings
        self.approver = approver
        self.console = console or Console(stderr=True)
        self.store = store or open_job_store(settings)
        self._memory: Any = None
        self.between_steps: Callable[[], None] | None = None
        """Called after every graph step; raising from it stops the job there (a fleet's cancel and lease check)."""

    def start(self, request: JobRequest) -> Job:
        self.check_request(request)
        check_model_endpoints(self.settings)
        return self.begin(self.create(request))

    def check_request(self, request: JobRequest) -> tuple[Path, str]:
        """(repository root, HEAD commit) of a request a job can come of, else a `SweTeamError` saying what to do:
        no task, a bad policy, a home nobody can write, no repository."""
        from graphs.gates import parse_policy

        try:
            parse_policy(request.approve)
        except ValueError as exc:
            raise SweTeamError(str(exc)) from exc
        if not request.task.strip():
            raise SweTeamError(
                "the task is empty", hint="describe the bug or the feature with --task TEXT or --task-file FILE"
            )
        require_writable_home(self.settings.home)
        return check_repository(request.repo.resolve(), request.allow_dirty)

    def create(self, request: JobRequest, status: str = "created") -> Job:
        """Check the request and write the job record; the workspace is opened by `begin` (maybe elsewhere)."""
        root, head = self.check_request(request)
        self._experience_store()
        job = Job(
            id=new_job_id(),
            repo=str(root),
            task=request.task,
            kind=request.kind,
            approve=request.approve,
            base_commit=head,
            workspace=self.settings.workspace,
            status=status,
            pid=os.getpid() if status == "created" else 0,
            flags=request.flags,
            instance_id=request.instance_id,
            keep_workspace=request.keep_workspace,
            yes_destructive=request.yes_destructive,
            dry_run=request.dry_run,
        )
        self.store.create(job)
        return job

    def begin(self, job: Job, notes: list[str] | None = None) -> Job:
        """Open the workspace of a created or queued job and run its team graph from the start. What an earlier,
        interrupted start of the same job left of its workspace is removed first."""
        from graphs.gates import parse_policy
        from workspaces.registry import create_workspace, discard_workspace, resolve_kind

        gates = parse_policy(job.approve)
        backend, note = resolve_kind(job.workspace)
        if note:
            self.console.print(f"[yellow]note:[/] {escape(note)}")
        job.workspace, job.pid = backend, os.getpid()
        self.store.save(job)
        job_dir = self.store.folder(job.id)
        job_dir.mkdir(parents=True, exist_ok=True)
        self.console.print(
            f"job [bold]{job.id}[/] on {escape(job.repo)} at {job.base_commit[:10]} ({backend} workspace)"
        )
        discard_workspace(backend, job_id=job.id, repo_path=job.repo, job_dir=job_dir, settings=self.settings)
        workspace = create_workspace(
            backend,
            job_id=job.id,
            repo_path=job.repo,
            base_commit=job.base_commit,
            job_dir=job_dir,
            settings=self.settings,
        )
        initial = JobInput(
            job_id=job.id,
            task=job.task,
            kind=job.kind,
            approve=gates,
            yes_destructive=job.yes_destructive,
            dry_run=job.dry_run,
            workspace=workspace.info.to_dict(),
            started_at=time.time(),
        )
        return self._drive(job, workspace, initial, notes=notes)

    def resume(self, job_id: str) -> Job:
        from workspaces.base import WorkspaceInfo
        from workspaces.registry import reattach_workspace

        job = self.store.load(job_id)
        if job.status in FINISHED:
            raise SweTeamError(f"job {job.id} already finished ({job.status})", hint=f"see `swe-team show {job.id}`")
        if job.kind in RUN_AGAIN_KINDS:
            raise SweTeamError(
                f"job {job.id} is a {job.kind} job: it has no team graph to resume",
                hint=f"run `swe-team {RUN_AGAIN_KINDS[job.kind]}` again (its workspace starts fresh)",
            )
        notes = [crashed] if (crashed := earlier_crash(self.store.folder(job.id))) else []
        if notes:
            self.console.print(f"[yellow]note:[/] {escape(notes[-1])}")
        state = self.saved_state(job)
        if state is None:
            note = f"the job stopped before its first checkpoint (status {job.status}): it started again from intake"
            self.console.print(f"[yellow]note:[/] {escape(note)}")
            return self.begin(job, notes=[*notes, note])
        workspace = reattach_workspace(WorkspaceInfo.from_dict(state.workspace), self.settings)
        if state.snapshots:
            # The crash may have left half of a node's edits: that node runs again from its last snapshot.
            last = state.snapshots[-1]
            workspace.rollback(last.id)
            Trajectory(self.store.folder(job.id) / "trajectory.jsonl").record(
                "restored", snapshot=last.id, node=last.node
            )
        if getattr(workspace, "recreated", False):
            notes.append("the workspace was gone after the crash: recreated from the base commit and its snapshots")
            self.console.print(f"[yellow]note:[/] {escape(notes[-1])}")
        self.console.print(f"resuming job [bold]{job.id}[/]")
        return self._drive(job, workspace, None, notes=notes)

    def saved_state(self, job: Job) -> TeamState | None:
        """The job's last checkpointed state; None when the graph never started."""
        from graphs.team import build_team_graph
        from swe_team.checkpoints import open_checkpointer

        with open_checkpointer(self.settings) as saver:
            graph = build_team_graph().compile(checkpointer=saver)
            values = graph.get_state({"configurable": {"thread_id": job.id}}).values
        return TeamState.model_validate(values) if values else None

    def _attach_code_graph(self, context: Any) -> None:
        """Give every role the repository's code graph; a job goes on without one if it cannot be built."""
        from graphs.codegraph import build_job_graph

        try:
            built = build_job_graph(context.workspace, context.job_dir, self.settings, context.progress)
        except Exception as exc:
            context.trajectory.record("code_graph_unavailable", error=str(exc))
            self.console.print(
                f"[yellow]note:[/] no code graph for this job ({escape(str(exc))}); roles use text search"
            )
            return
        context.trajectory.record("code_graph", **built.summary, notes=built.notes)
        for note in built.notes:
            self.console.print(f"[yellow]note:[/] {escape(note)}")
        context.tools.code_graph = built.graph
        context.tools.file_listeners.append(built.files_changed)

    def _experience_store(self) -> Any:
        """Opened once, before anything is created, so an unreachable Redis fails the start cleanly."""
        if self._memory is None:
            from memory.experience import open_store

            self._memory = open_store(self.settings)
        return self._memory

    def _drive(
        self,
        job: Job,
        workspace: Any,
        first_input: JobInput | None,
        notes: list[str] | None = None,
    ) -> Job:
        from langchain_core.runnables import RunnableConfig
        from langgraph.types import Command

        from core.model.llm import LiteLLMClient
        from core.model.usage_ledger import UsageLedger
        from core.redaction import Redactor
        from graphs.context import TeamContext
        from graphs.team import build_team_graph
        from swe_team.chat.screen import save_gate_screen
        from swe_team.checkpoints import open_checkpointer
        from swe_team.progress import LiveProgress

        job_dir = self.store.folder(job.id)
        ledger = UsageLedger()
        progress = LiveProgress(self.console, ledger)
        redactor = Redactor(self.settings.redaction)
        context = TeamContext(
            settings=self.settings,
            job=job,
            job_dir=job_dir,
            workspace=workspace,
            model=LiteLLMClient(self.settings, ledger, redactor=redactor),
            trajectory=Trajectory(job_dir / "trajectory.jsonl", redactor),
            ledger=ledger,
            progress=progress,
            experience=self._experience_store(),
        )
        context.extras["run_notes"] = list(notes or [])
        self._attach_code_graph(context)
        config: RunnableConfig = {"configurable": {"thread_id": job.id}, "recursion_limit": RECURSION_LIMIT}
        job.status, job.pid, job.gate = "running", os.getpid(), ""
        self.store.save(job)
        graph_input: Any = first_input
        try:
            with native_crash_log(job_dir), open_checkpointer(self.settings) as saver:
                graph = build_team_graph().compile(checkpointer=saver)
                while True:
                    for _ in graph.stream(graph_input, config, context=context, stream_mode="updates"):
                        if self.between_steps is not None:
                            self.between_steps()
                    snapshot = graph.get_state(config)
                    if not snapshot.interrupts:
                        break
                    payload = dict(snapshot.interrupts[0].value)
                    progress.stop()
                    job.status, job.gate = "waiting", str(payload.get("gate", ""))
                    self.store.save(job)
                    save_gate_screen(job_dir, payload, workspace)
                    graph_input = Command(resume=self.approver.ask(payload, context))
                    job.status, job.gate = "running", ""
                    self.store.save(job)
                status = str(snapshot.values.get("status", "failed"))
        except NeedsHuman:
            job.pid = 0
            self.store.save(job)
            raise
        except (KeyboardInterrupt, Exception):
            job.status, job.pid = ("waiting" if job.status == "waiting" else "interrupted"), 0
            self.store.save(job)
            if job.status == "interrupted":
                self.console.print(
                    f"[yellow]job {job.id} stopped at its last checkpoint[/]: nothing is lost; "
                    f"continue with `swe-team resume {job.id}`"
                )
            raise
        finally:
            progress.stop()
        job.status, job.pid = status, 0
        self.store.save(job)
        if not job.keep_workspace and not self.settings.docker.keep_workspace:
            workspace.close()
        return job


def job_settings(job: Job) -> Settings:
    """The settings the job was started with: its repository's config and its command-line flags."""
    repo = Path(job.repo)
    settings, _ = load_settings(repo if repo.exists() else None, {k: v for k, v in job.flags.items() if v is not None})
    return settings


def continue_job(job: Job, approver: Approver, console: Console | None = None) -> Job:
    """Resume a job after `record_decision`: the stored decision answers its gate, `approver` any later one."""
    settings = job_settings(job)
    runner = JobRunner(settings, PendingDecisionApprover(settings.jobs_dir / job.id, approver), console)
    return runner.resume(job.id)
