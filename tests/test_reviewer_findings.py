"""A reviewer model's findings are checked against the repository before a person reads them at the patch gate."""

from __future__ import annotations

from pathlib import Path

from core.state import Finding
from harness.example import example_repo
from roles.reviewer import grounded
from workspaces.local import LocalWorkspace


def test_findings_about_missing_files_are_dropped_and_impossible_lines_cleared(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    workspace = LocalWorkspace.create(
        job_id="j", repo_path=repo, base_commit="HEAD", job_dir=tmp_path / "j", settings=None
    )
    try:
        findings = [
            Finding(file="shop/cart.py", line=38, severity="major", message="empty cart"),
            Finding(file="shop/cart.py:12", line=1048576, severity="info", message="a line the file does not have"),
            Finding(file="path.py:Class.method_1048576", line=1048576, severity="info", message="This is a bug."),
            Finding(file="../../etc/passwd", severity="blocker", message="outside the repository"),
        ]
        kept, unknown = grounded(findings, workspace)
    finally:
        workspace.close()
    assert [(f.file, f.line) for f in kept] == [("shop/cart.py", 38), ("shop/cart.py", None)]
    assert unknown == ["path.py:Class.method_1048576", "../../etc/passwd"]
