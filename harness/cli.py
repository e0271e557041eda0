"""`swe-team` as a real subprocess: the environment it runs in, its arguments, and waiting for what it does."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def cli_env(home: Path, api_base: str, **extra: str) -> dict[str, str]:
    """This environment without any SWE_TEAM_ setting, then a home, a model server and local workspaces."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWE_TEAM_")}
    env.update(
        SWE_TEAM_HOME=str(home),
        SWE_TEAM_API_BASE=api_base,
        SWE_TEAM_WORKSPACE="local",
        SWE_TEAM_MODELS__RETRIES="1",
        SWE_TEAM_USER_CONFIG=str(home / "no-user-config.toml"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    env.update(extra)
    return env


def swe_team(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "swe_team", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def run_args(repo: Path, *flags: str) -> list[str]:
    """The arguments of `swe-team run` on the example's ISSUE.md, then `flags`."""
    return ["run", "--repo", str(repo), "--task-file", str(repo / "ISSUE.md"), *flags]


def wait_for(
    condition: Callable[[], Any], timeout: float = 120.0, what: str = "a condition", interval: float = 0.1
) -> Any:
    """Poll `condition` every `interval` s until it returns something true, and return that; AssertionError
    after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(interval)
