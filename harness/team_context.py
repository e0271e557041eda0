"""A job's run-time context without the graph around it: the shop example in a local workspace and a model
client of a scripted server, to drive one role visit or one graph node (the tests and the fault suite)."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

from langgraph.runtime import ExecutionInfo, Runtime

from core.jobs import Job
from core.model.llm import LiteLLMClient
from core.settings import ModelAlias, ModelSettings, Settings
from core.state import TeamState
from core.trajectory import Trajectory
from graphs.context import TeamContext
from harness.example import example_repo
from roles.loop import RoleVisit
from roles.spec import role_spec
from workspaces.base import Workspace
from workspaces.local import LocalWorkspace

TASK = "Checkout crashes when the cart is empty: Cart.cheapest_price calls min() on no items."


def team_context(where: Path, api_base: str, repo: Path | None = None, **models: Any) -> TeamContext:
    """A context on a fresh local workspace of `repo` (the shop example made in `where` by default); `models`
    are `ModelSettings` fields (e.g. format_retries)."""
    repo = repo or example_repo(where)
    alias = ModelAlias(api_base=api_base, context_window=16384, timeout_s=60)
    settings = Settings(
        home=where / "home",
        workspace="local",
        models=ModelSettings(instruct=alias, reasoning=alias, **{"retries": 0, **models}),
    )
    job = Job(id=f"ctx-{uuid.uuid4().hex[:8]}", repo=str(repo), task=TASK, base_commit="HEAD")
    job_dir = settings.jobs_dir / job.id
    workspace = LocalWorkspace.create(
        job_id=job.id, repo_path=repo, base_commit="HEAD", job_dir=job_dir, settings=settings
    )
    return context_for(settings, job, workspace)


def context_for(settings: Settings, job: Job, workspace: Workspace) -> TeamContext:
    """The run-time services of `job` in `workspace`: the model over HTTP and a trajectory in its folder."""
    job_dir = settings.jobs_dir / job.id
    return TeamContext(
        settings=settings,
        job=job,
        job_dir=job_dir,
        workspace=workspace,
        model=LiteLLMClient(settings, backoff_s=0.01),
        trajectory=Trajectory(job_dir / "trajectory.jsonl"),
    )


def role_visit(context: TeamContext, role: str, journal_key: str = "") -> RoleVisit:
    """A visit of `role` whose answers are journaled under `journal_key` (a fresh key by default)."""
    return RoleVisit(role_spec(role), context.role_services(), journal_key=journal_key or uuid.uuid4().hex)


def node_runtime(context: TeamContext, task_id: str = "") -> Runtime[TeamContext]:
    """What LangGraph hands a node: the context and the task id its answers are journaled under (none: the
    node's name); the same id again is the node re-run after a crash."""
    if not task_id:
        return Runtime(context=context)
    return Runtime(context=context, execution_info=ExecutionInfo(checkpoint_id="", checkpoint_ns="", task_id=task_id))


def early_state(context: TeamContext, **fields: Any) -> TeamState:
    """The state a job has after intake: its task, its workspace and the test command (this Python's pytest)."""
    defaults: dict[str, Any] = {"kind": "bug", "test_command": f"{sys.executable} -m pytest"}
    return TeamState(
        job_id=context.job.id,
        task=context.job.task,
        workspace=context.workspace.info.to_dict(),
        **{**defaults, **fields},
    )
