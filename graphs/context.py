"""The run-time services of one job: not checkpointed, rebuilt by the runner on every start and resume."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.jobs import Job
from core.model.base import ModelClient
from core.settings import Settings
from core.trajectory import Trajectory
from roles.context import ProgressCallback, RoleServices, ignore_progress
from roles.journal import ModelJournal
from tools.base import ToolContext
from workspaces.base import Workspace


@dataclass
class TeamContext:
    settings: Settings
    job: Job
    job_dir: Path
    workspace: Workspace
    model: ModelClient
    trajectory: Trajectory
    ledger: Any = None
    progress: ProgressCallback = ignore_progress
    experience: Any = None
    extras: dict[str, Any] = field(default_factory=dict)
    tools: ToolContext = field(init=False)
    """What the tools act on; the runner adds the code graph and its edit listener."""

    def __post_init__(self) -> None:
        self.tools = ToolContext(
            workspace=self.workspace,
            experience=self.experience,
            command_timeout_s=self.settings.budgets.command_timeout_s,
        )

    def role_services(self) -> RoleServices:
        return RoleServices(
            settings=self.settings,
            model=self.model,
            tools=self.tools,
            trajectory=self.trajectory,
            journal=ModelJournal(self.job_dir / "journal"),
            progress=self.progress,
            ledger=self.ledger,
            extras=self.extras,
        )
