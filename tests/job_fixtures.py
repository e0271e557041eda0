"""The example job run by the `swe-team` CLI against a scripted model server that it must use up."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from core.model.scripted_server import ScriptedModelServer
from harness.cli import cli_env, run_args, swe_team


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
