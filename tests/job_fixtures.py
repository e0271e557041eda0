"""The example project as a fresh git repository, and the `swe-team` CLI run as a real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.model.scripted_server import ScriptedModelServer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "shop"
SCRIPTS = ROOT / "examples" / "scripts"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()


def example_repo(where: Path) -> Path:
    """The shop example committed in a new repository on branch main."""
    repo = where / "shop"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.name=dev", "-c", "user.email=dev@example.com", "add", "-A")
    git(repo, "-c", "user.name=dev", "-c", "user.email=dev@example.com", "commit", "-qm", "shop")
    return repo


def script(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCRIPTS / f"{name}.json").read_text(encoding="utf-8"))
    return data


def cli_env(home: Path, api_base: str, **extra: str) -> dict[str, str]:
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


def assert_script_done(server: ScriptedModelServer, output: str = "") -> None:
    """Every scripted step was asked for, and no request broke the script (`output` explains a failure)."""
    assert server.failures == [] and server.remaining == 0, (server.failures, server.remaining, output[-3000:])


def run_example_job(
    repo: Path, home: Path, model_script: dict[str, Any], *flags: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """`swe-team run --json` on the example's ISSUE.md against a scripted model server that it must use up."""
    with ScriptedModelServer(model_script) as server:
        result = swe_team(*run_args(repo, "--json", *flags), env=cli_env(home, server.base_url, **env))
        assert_script_done(server, result.stderr)
    return result


def job_ids(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "jobs").iterdir()) if (home / "jobs").exists() else []


def wait_for(condition: Callable[[], Any], timeout: float = 120.0, what: str = "a condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
