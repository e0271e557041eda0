"""Throwaway Redis and PostgreSQL servers for the tests, and the one rule for a service that cannot be had: the
test is skipped, or fails when CI=true (CI must run every test)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
REDIS_SCRIPT = "redis-test-server.sh"
POSTGRES_SCRIPT = "postgres-test-server.sh"


def unavailable(reason: str) -> NoReturn:
    """Skip the test for want of `reason`; fail it instead when CI=true."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def start_server(script: str, run_dir: Path, port: int | None = None) -> str:
    """Start a server with scripts/`script` in `run_dir`; returns its URL (see `unavailable` when it cannot)."""
    args = ["bash", str(SCRIPTS / script), "start", str(run_dir), *([str(port)] if port else [])]
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        unavailable(f"no server from scripts/{script}: {done.stderr.strip()[-400:]}")
    return done.stdout.strip().splitlines()[-1]


def stop_server(script: str, run_dir: Path) -> None:
    subprocess.run(["bash", str(SCRIPTS / script), "stop", str(run_dir)], capture_output=True, timeout=120, check=False)


def start_redis(run_dir: Path, port: int | None = None) -> str:
    return start_server(REDIS_SCRIPT, run_dir, port)


def stop_redis(run_dir: Path) -> None:
    stop_server(REDIS_SCRIPT, run_dir)
