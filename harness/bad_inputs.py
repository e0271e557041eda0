"""The command-line inputs a user gets wrong, each with the error `swe-team` must answer it with (exit 1, one
message, no traceback): the tests check each one, the fault suite runs the whole list."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness.cli import cli_env, swe_team

NOBODY = "http://127.0.0.1:9/v1"
"""No server listens there: an input accepted by mistake fails later, on the model, with another message."""


@dataclass
class BadInput:
    name: str
    args: list[str]
    expected: str
    """Text the error must contain (whitespace-insensitive)."""
    env: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[], None] = lambda: None

    def run(self, home: Path) -> subprocess.CompletedProcess[str]:
        self.prepare()
        wide = {"COLUMNS": "1000"}  # long paths in the message stay on one line
        return swe_team(*self.args, env={**cli_env(home, NOBODY), **wide, **self.env}, timeout=120)

    def problem(self, result: subprocess.CompletedProcess[str]) -> str:
        """What is wrong with how the command answered; empty when it answered as it should."""
        if "Traceback" in result.stderr:
            return "a traceback: " + result.stderr.strip().splitlines()[-1][:200]
        if result.returncode != 1:
            return f"exit code {result.returncode}: {result.stderr.strip()[-200:]}"
        if self.expected not in " ".join(result.stderr.split()):
            return f"another message: {' '.join(result.stderr.split())[:200]}"
        return ""


def _write(path: Path, data: bytes) -> Callable[[], None]:
    return lambda: path.write_bytes(data)


def bad_inputs(where: Path, repo: Path) -> list[BadInput]:
    """Every bad input, with its files made in `where` when it runs, for the repository `repo`."""
    run = ["run", "--repo", str(repo)]
    task = [*run, "--task", "fix the empty cart"]
    latin1 = where / "latin1-config.toml"
    latin1_config = "model = 'caf\xe9'".encode("latin-1")
    a_file = where / "a-file"
    return [
        BadInput("binary task file", [*run, "--task-file", str(where / "binary.txt")],
                 "holds NUL bytes (a binary file?)", prepare=_write(where / "binary.txt", b"\x7fELF\x00\x01")),
        BadInput("task file not UTF-8", [*run, "--task-file", str(where / "latin1.txt")], "is not UTF-8 text",
                 prepare=_write(where / "latin1.txt", "caf\xe9".encode("latin-1"))),
        BadInput("empty task file", [*run, "--task-file", str(where / "empty.txt")], "the task is empty",
                 prepare=_write(where / "empty.txt", b"")),
        BadInput("blank task file", [*run, "--task-file", str(where / "blank.txt")], "the task is empty",
                 prepare=_write(where / "blank.txt", b"  \n\t\n")),
        BadInput("whitespace task", [*run, "--task", "   "], "the task is empty"),
        BadInput("task file is a folder", [*run, "--task-file", str(where)], "is not a file"),
        BadInput("missing task file", [*run, "--task-file", str(where / "missing.txt")], "does not exist"),
        BadInput("api_base port 99999", [*task, "--api-base", "http://127.0.0.1:99999/v1"], "invalid port"),
        BadInput("api_base without scheme", [*task, "--api-base", "localhost:8000"], "is not an http(s) URL"),
        BadInput("negative iterations", [*task, "--max-iterations", "-3"],
                 "budgets.max_iterations: Input should be greater than or equal to 1"),
        BadInput("negative token budget", task, "the SWE_TEAM_* environment",
                 env={"SWE_TEAM_BUDGETS__MAX_TOKENS": "-1"}),
        BadInput("user config not UTF-8", task, f"{latin1} is not UTF-8 text",
                 env={"SWE_TEAM_USER_CONFIG": str(latin1)}, prepare=_write(latin1, latin1_config)),
        BadInput("home under a file", task, f"swe-team's home {a_file / 'home'} cannot be used",
                 env={"SWE_TEAM_HOME": str(a_file / "home")}, prepare=_write(a_file, b"")),
        BadInput("home under a read-only folder", task, "swe-team's home /sys/swe-team-home cannot be used",
                 env={"SWE_TEAM_HOME": "/sys/swe-team-home"}),
        BadInput("unknown kind", [*task, "--kind", "chore"], "--kind must be bug, feature or auto"),
        BadInput("unknown gate", [*task, "--approve", "plan,pacth"], "--approve: unknown gate 'pacth'"),
        BadInput("not a repository", ["run", "--repo", str(where), "--task", "x"], "is not a git repository"),
    ]
