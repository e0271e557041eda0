"""What a role needs while it runs: the model, the tools' context, the journal, the trajectory, progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.model.base import ModelClient
from core.settings import Settings
from core.trajectory import Trajectory
from roles.journal import ModelJournal
from tools.base import ToolContext

ProgressCallback = Callable[[str, str], None]
"""(role, message) — what the live display shows."""


def ignore_progress(role: str, message: str) -> None:
    return None


@dataclass
class RoleServices:
    settings: Settings
    model: ModelClient
    tools: ToolContext
    trajectory: Trajectory
    journal: ModelJournal
    progress: ProgressCallback = ignore_progress
    ledger: Any = None
    """The model client's usage ledger, for the live token count."""
    extras: dict[str, Any] = field(default_factory=dict)
