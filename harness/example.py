"""The shop example committed in a fresh git repository, and the scripted model runs written for it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

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
    """examples/scripts/NAME.json: a scripted model server's script."""
    data: dict[str, Any] = json.loads((SCRIPTS / f"{name}.json").read_text(encoding="utf-8"))
    return data


def resolved_steps() -> list[dict[str, Any]]:
    """The model steps of the example job that ends resolved, planner first."""
    steps: list[dict[str, Any]] = script("shop-resolved")["steps"]
    return steps
