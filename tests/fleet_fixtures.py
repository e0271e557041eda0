"""Real services and real processes for the fleet tests: Redis, PostgreSQL, `swe-team worker` subprocesses."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.job_fixtures import ROOT, cli_env

SCRIPTS = ROOT / "scripts"


def _service(kind: str, env_var: str, script: str, run_dir: Path) -> Iterator[str]:
    given = os.environ.get(env_var)
    if given:
        yield given
        return
    started = subprocess.run([str(SCRIPTS / script), "start", str(run_dir)], capture_output=True, text=True)
    if started.returncode != 0:
        message = f"no {kind} for the fleet tests: {started.stderr.strip()[-300:]}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(SCRIPTS / script), "stop", str(run_dir)], capture_output=True)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _service("Redis", "SWE_TEAM_TEST_REDIS_URL", "redis-test-server.sh", tmp_path_factory.mktemp("redis"))


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _service(
        "PostgreSQL", "SWE_TEAM_TEST_POSTGRES_URL", "postgres-test-server.sh", tmp_path_factory.mktemp("postgres")
    )


def wait_for(condition: Callable[[], Any], timeout: float = 120.0, what: str = "a condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


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
        from swe_team.config import load_settings

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
