"""Real services and real processes for the fleet tests: Redis, PostgreSQL, `swe-team worker` subprocesses."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.job_fixtures import cli_env


class Fleet:
    """One isolated fleet: its own namespace in the shared Redis, its own home, and its worker processes."""

    def __init__(self, home: Path, api_base: str, redis_url: str, postgres_url: str, **extra: str) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.values: dict[str, str] = {
            "redis_url": redis_url,
            "checkpoint_url": postgres_url,
            "fleet.enabled": "true",
            "fleet.namespace": f"test-{secrets.token_hex(4)}",
            "fleet.lease_seconds": "3",
            "fleet.worker_heartbeat_s": "1",
            "fleet.visibility_timeout_s": "10",
            **extra,
        }
        env_values = {"SWE_TEAM_" + key.upper().replace(".", "__"): value for key, value in self.values.items()}
        self.env = cli_env(home, api_base, **env_values)
        self.workers: dict[str, subprocess.Popen[bytes]] = {}

    def settings(self) -> Any:
        """The settings the fleet's processes run with, for calling the fleet's Python API from the test."""
        from core.settings import load_settings

        flags = {**self.values, "home": str(self.home), "workspace": "local", "api_base": self.env["SWE_TEAM_API_BASE"]}
        return load_settings(None, flags)[0]

    def start_worker(self, name: str, concurrency: int = 2) -> subprocess.Popen[bytes]:
        log = (self.home / f"worker-{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "swe_team", "worker", "--concurrency", str(concurrency), "--name", name],
            env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.workers[name] = process
        return process

    def kill(self, name: str) -> float:
        process = self.workers[name]
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        return time.time()

    def stop(self) -> None:
        for process in self.workers.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
