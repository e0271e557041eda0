"""Shared pieces of the experience-memory tests (no tests here): a real Redis server and sample lessons."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from memory.experience import Experience, HumanDecision, open_store
from memory.experience.store import ExperienceStore
from swe_team.config import Settings

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "redis-test-server.sh"
DAY = 86400.0


def start_redis(run_dir: Path, port: int | None = None) -> str:
    """Start a server with scripts/redis-test-server.sh; returns its URL. Fails (CI) or skips without one."""
    args = ["bash", str(SCRIPT), "start", str(run_dir), *([str(port)] if port else [])]
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        reason = f"no Redis server for the tests: {done.stderr.strip()[-400:]}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return done.stdout.strip().splitlines()[-1]


def stop_redis(run_dir: Path) -> None:
    subprocess.run(["bash", str(SCRIPT), "stop", str(run_dir)], capture_output=True, timeout=60, check=False)


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
