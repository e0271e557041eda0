"""One isolated fleet of `swe-team worker` processes on a shared Redis and PostgreSQL."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from core.settings import Settings, load_settings
from harness.cli import cli_env

SHORT_LEASES = {"fleet.lease_seconds": "3", "fleet.worker_heartbeat_s": "1", "fleet.visibility_timeout_s": "10"}


class Fleet:
    """Its own namespace in the shared Redis, its own home, and its worker processes.

    `extra` are more settings (dotted names). `short_leases` (the default) makes a dead worker's job move on within
    seconds; without it the fleet runs with the product's lease, heartbeat and visibility timeouts.
    """

    def __init__(
        self,
        home: Path,
        api_base: str,
        redis_url: str,
        postgres_url: str,
        extra: Mapping[str, str] | None = None,
        short_leases: bool = True,
    ) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.values: dict[str, str] = {
            "redis_url": redis_url,
            "checkpoint_url": postgres_url,
            "fleet.enabled": "true",
            "fleet.namespace": f"test-{secrets.token_hex(4)}",
            **(SHORT_LEASES if short_leases else {}),
            **(extra or {}),
        }
        env_values = {"SWE_TEAM_" + key.upper().replace(".", "__"): value for key, value in self.values.items()}
        self.env = cli_env(home, api_base, **env_values)
        self.workers: dict[str, subprocess.Popen[bytes]] = {}

    def settings(self) -> Settings:
        """The settings the fleet's processes run with, for calling the fleet's Python API directly."""
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
        """`kill -9` the worker; returns when (epoch seconds)."""
        process = self.workers[name]
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        return time.time()

    def stop(self) -> None:
        for process in self.workers.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
