"""Shared pieces of the experience-memory tests: settings, stores with their own key prefix, sample lessons."""

from __future__ import annotations

import uuid
from pathlib import Path

from core.settings import Settings
from memory.experience import Experience, HumanDecision, open_store
from memory.experience.store import ExperienceStore

DAY = 86400.0


def settings_for(home: Path, backend: str, url: str = "", **extra: object) -> Settings:
    values: dict[str, object] = {"home": home, "memory": backend, **extra}
    if url:
        values["redis_url"] = url
    return Settings.model_validate(values)


def make_store(home: Path, backend: str, url: str) -> ExperienceStore:
    """A store with a fresh key prefix, so tests sharing one server never see each other's keys."""
    return open_store(settings_for(home, backend, url), key_prefix=f"test:{uuid.uuid4().hex[:8]}")


def lesson(
    repo: str, task: str, *, status: str = "resolved", days_ago: float = 0.0, **fields: object
) -> Experience:
    finished = 1_700_000_000.0 - days_ago * DAY
    data: dict[str, object] = {
        "repo": repo,
        "task": task,
        "status": status,
        "created_at": finished - 60,
        "finished_at": finished,
        **fields,
    }
    return Experience.model_validate(data)


def approved(gate: str = "patch") -> list[HumanDecision]:
    return [HumanDecision(gate=gate, action="approve", proposal="ok")]
