"""run_command and git_diff on a real local workspace."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core.errors import ToolError
from tests.workspace_fixtures import make_repo, open_workspace, tool_context
from tools.base import ToolContext
from tools.shell import TOOLS

TOOL = {tool.name: tool for tool in TOOLS}


@pytest.fixture
def context(tmp_path: Path) -> ToolContext:
    return tool_context(open_workspace(tmp_path, make_repo(tmp_path)))


def run(context: ToolContext, name: str, **arguments: object) -> str:
    return TOOL[name].invoke(context, dict(arguments))


def test_run_command_reports_exit_code_and_both_streams(context: ToolContext) -> None:
    assert run(context, "run_command", command="cat README.md") == "exit code 0\n--- stdout ---\n# shop\n"
    failing = run(context, "run_command", command="echo partial; ls missing-file")
    assert failing.startswith("exit code 2\n--- stdout ---\npartial\n")
    assert "--- stderr ---\nls: cannot access 'missing-file'" in failing
    with pytest.raises(ToolError, match="command is empty"):
        run(context, "run_command", command="  ")


def test_run_command_timeout_is_capped_by_the_context(context: ToolContext) -> None:
    context.command_timeout_s = 1.0
    started = time.monotonic()
    observation = run(context, "run_command", command="sleep 30", timeout_s=600)
    assert time.monotonic() - started < 8
    assert observation.startswith("exit code 124 (timed out, process group killed)")


def test_git_diff_shows_new_files_and_filters_by_path(context: ToolContext) -> None:
    assert run(context, "git_diff") == "no changes against the base commit"
    context.workspace.write_file("shop/discounts.py", "RATE = 0.1\n")
    context.workspace.write_file("README.md", "# shop, improved\n")
    everything = run(context, "git_diff")
    assert "diff --git a/README.md b/README.md" in everything
    assert "new file mode 100644" in everything and "+RATE = 0.1" in everything
    only_shop = run(context, "git_diff", path="shop")
    assert only_shop.startswith("diff --git a/shop/discounts.py b/shop/discounts.py")
    assert "README.md" not in only_shop
    assert run(context, "git_diff", path="docs") == "no changes against the base commit in docs"
    with pytest.raises(ToolError, match="refused path"):
        run(context, "git_diff", path="../../etc")
