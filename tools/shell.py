"""Tools that run things: run_command, git_diff, and run_tests.

`run_tests` runs `ctx.extras["test_command"]` when set, else the detected command (honouring
`ctx.extras["settings"].test_command`), and leaves the last `TestReport` in `ctx.extras["last_test_report"]`.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from core.errors import ToolError, WorkspaceError
from tools.base import Tool, ToolContext
from tools.test_results import detect_test_command, run_tests
from tools.testing.report import describe_report
from workspaces.paths import normalize_relative

DIFF_OBSERVATION_LIMIT = 30_000


class RunCommandArgs(BaseModel):
    command: str = Field(description="A bash command, run at the repository root, e.g. 'python -m pytest -x'")
    timeout_s: float | None = Field(
        default=None, gt=0, description="Seconds before the command and its children are killed"
    )


def run_command(ctx: ToolContext, args: RunCommandArgs) -> str:
    if not args.command.strip():
        raise ToolError("command is empty")
    timeout = min(args.timeout_s or ctx.command_timeout_s, ctx.command_timeout_s)
    try:
        result = ctx.workspace.exec(args.command, timeout=timeout)
    except WorkspaceError as exc:
        raise ToolError(exc.user_message()) from exc
    return result.observation()


class GitDiffArgs(BaseModel):
    path: str | None = Field(default=None, description="Only this file or directory; omit for every change")


def diff_sections(diff: str, path: str) -> str:
    """The per-file sections of a git diff that concern `path` (a file or a directory)."""
    sections = re.split(r"(?m)^(?=diff --git )", diff)
    prefix = path.rstrip("/") + "/"
    kept = []
    for section in sections:
        header = re.match(r"diff --git a/(\S+) b/(\S+)", section)
        if header and any(name == path or name.startswith(prefix) for name in header.groups()):
            kept.append(section)
    return "".join(kept)


def git_diff(ctx: ToolContext, args: GitDiffArgs) -> str:
    try:
        diff = ctx.workspace.diff()
        if args.path is not None:
            relative = normalize_relative(args.path)
            diff = diff if relative == "." else diff_sections(diff, relative)
    except WorkspaceError as exc:
        raise ToolError(exc.user_message()) from exc
    if not diff.strip():
        return "no changes against the base commit" + (f" in {args.path}" if args.path else "")
    if len(diff) > DIFF_OBSERVATION_LIMIT:
        cut = len(diff) - DIFF_OBSERVATION_LIMIT
        diff = diff[:DIFF_OBSERVATION_LIMIT] + f"\n[… {cut:,} characters cut: ask for one path at a time …]"
    return diff


class RunTestsArgs(BaseModel):
    tests: list[str] | None = Field(
        default=None,
        description=(
            "Test ids, files or modules to run, e.g. ['tests/test_cart.py::test_empty'] (pytest) or "
            "['test_empty (tests.test_cart.CartTests)'] (unittest); omit to run all"
        ),
    )


def run_tests_tool(ctx: ToolContext, args: RunTestsArgs) -> str:
    selectors = args.tests or []
    for selector in selectors:
        if selector.startswith("-"):
            raise ToolError(f"{selector!r} is an option; give only test ids or test file paths")
        try:
            normalize_relative(selector.split("::", 1)[0])
        except WorkspaceError as exc:
            raise ToolError(exc.user_message()) from exc
    command = str(ctx.extras.get("test_command") or "") or detect_test_command(
        ctx.workspace, ctx.extras.get("settings")
    )
    report = run_tests(ctx.workspace, command, selectors, timeout=ctx.command_timeout_s)
    ctx.extras["last_test_report"] = report
    return describe_report(report)


TOOLS: list[Tool[Any]] = [
    Tool(
        name="run_command",
        description=(
            "Run a bash command at the repository root and see its exit code, stdout and stderr. "
            "Long-running commands are killed at the timeout."
        ),
        args=RunCommandArgs,
        run=run_command,
    ),
    Tool(
        name="git_diff",
        description="Show all changes so far (new files included) as a unified diff against the base commit",
        args=GitDiffArgs,
        run=git_diff,
    ),
    Tool(
        name="run_tests",
        description=(
            "Run the repository's tests (all, or the given test ids/files) and report each failing test with its "
            "error. Use it to reproduce a bug and to check a fix."
        ),
        args=RunTestsArgs,
        run=run_tests_tool,
    ),
]
