"""A repository whose last commit plants a `shell=True` and an AWS key, and the scripted model's review of it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

PLANTED_KEY = "AKIAZ3MSJV4WQPLRT5HX"
BASE_RUNNER = """\
import subprocess


def run(command):
    return subprocess.run(command, check=True)


def first_word(text):
    return text.split()[0] if text.split() else ""
"""
HEAD_RUNNER = f"""\
import subprocess

AWS_ACCESS_KEY_ID = "{PLANTED_KEY}"


def run(command):
    return subprocess.run(command, shell=True, check=True)


def first_word(text):
    words = text.split()
    return words[0]
"""
KEY_LINE, SHELL_LINE, WORDS_LINE = 3, 7, 12
CLI = """\
from app.runner import first_word


def main(argv):
    return first_word(" ".join(argv))
"""
TEST = """\
from app.runner import first_word


def test_first_word():
    assert first_word("a b") == "a"
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=dev", "-c", "user.email=dev@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def planted_repo(where: Path) -> Path:
    """A repository on `main` whose last commit plants the key and `shell=True` in app/runner.py."""
    repo = where / "service"
    for path, text in {"app/__init__.py": "", "app/runner.py": BASE_RUNNER, "app/cli.py": CLI}.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    (repo / "tests").mkdir()
    (repo / "tests/test_runner.py").write_text(TEST)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    (repo / "app/runner.py").write_text(HEAD_RUNNER)
    git(repo, "commit", "-qam", "run through the shell")
    return repo


def model_finding(line: Any, severity: str, category: str, title: str, confidence: float = 0.8) -> dict[str, Any]:
    return {
        "file": "app/runner.py",
        "line": line,
        "severity": severity,
        "category": category,
        "title": title,
        "body": f"{title}, on the line the change adds.",
        "suggestion": "Check it first.",
        "confidence": confidence,
    }


MODEL_REVIEW = {
    "summary": "Commands now run through the shell and first_word no longer checks for empty text.",
    "findings": [
        model_finding(WORDS_LINE, "major", "null-safety", "IndexError on empty text"),
        model_finding(SHELL_LINE, "critical", "security", "command injection through the shell", 0.9),
        model_finding(1, "minor", "maintainability", "import on an untouched line"),
        model_finding("forty", "major", "correctness", "a finding with no line number"),
    ],
}


def review_step() -> dict[str, Any]:
    """The model's answer, asked as the review role with the numbered hunk, the callers and the key kept back."""
    expected = [f"{SHELL_LINE:>5} +     return subprocess.run(command, shell=True", "is called by app/cli.py:4 main"]
    return {
        "expect": {"role": "review", "prompt_contains": [*expected, "[REDACTED:aws-access-key]"]},
        "response": {"content": json.dumps(MODEL_REVIEW)},
    }
