"""A whole job through every role, on the example project, with litellm talking HTTP to the scripted server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness.example import example_repo, git, script
from tests.job_fixtures import job_ids, run_example_job


def test_bug_job_ends_resolved_with_every_artefact(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    user_head = git(repo, "rev-parse", "HEAD")
    home = tmp_path / "home"
    result = run_example_job(repo, home, script("shop-resolved"), "--yes-destructive")
    assert result.returncode == 0, result.stderr
    job = json.loads(result.stdout)
    assert job["status"] == "resolved"
    folder = home / "jobs" / job["id"]
    for artefact in ("patch.diff", "report.md", "trajectory.jsonl", "pred.jsonl"):
        assert (folder / artefact).stat().st_size > 0, artefact
    assert "default=Decimal" in (folder / "patch.diff").read_text()
    prediction = json.loads((folder / "pred.jsonl").read_text())
    assert set(prediction) == {"instance_id", "model_name_or_path", "model_patch"}
    report = (folder / "report.md").read_text()
    assert "resolved" in report and "Cart.cheapest_price" in report and "| planner |" in report

    branch = f"swe-team/{job['id']}"
    assert git(repo, "rev-parse", "HEAD") == user_head
    assert git(repo, "branch", "--show-current") == "main"
    assert git(repo, "status", "--porcelain") == ""
    log = git(repo, "log", "--format=%s", f"main..{branch}").splitlines()
    assert len(log) == 2 and log[1].startswith("Add tests")
    checkout = tmp_path / "check"
    git(repo, "worktree", "add", "-q", str(checkout), branch)
    tests = run_pytest(checkout)
    assert tests.returncode == 0, tests.stdout
    assert job_ids(home) == [job["id"]]


def run_pytest(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
