"""search_replace: exact unique edits succeed; missing and ambiguous ones are refused with good hints."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ToolError
from tests.workspace_fixtures import make_repo, open_workspace, tool_context
from tools.base import ToolContext
from tools.edit import TOOLS

EDIT = TOOLS[0]


@pytest.fixture
def context(tmp_path: Path) -> ToolContext:
    return tool_context(open_workspace(tmp_path, make_repo(tmp_path)))


def edit(context: ToolContext, search: str, replace: str, path: str = "shop/cart.py") -> str:
    return EDIT.invoke(context, {"path": path, "search": search, "replace": replace})


def test_a_unique_match_is_replaced_and_the_region_shown(context: ToolContext) -> None:
    changed: list[str] = []
    context.file_listeners.append(changed.extend)
    observation = edit(context, "        result += item.price\n", "        result += item.price * item.qty\n")
    assert observation.startswith("edited shop/cart.py: replaced lines 4-4. Now:")
    assert "\n4 |         result += item.price * item.qty\n" in observation
    assert "\n1 | def total(items):\n" in observation and observation.endswith("\n7 | ")
    assert "item.qty" in context.workspace.read_file("shop/cart.py")
    assert changed == ["shop/cart.py"]


def test_an_ambiguous_search_lists_every_match_and_changes_nothing(context: ToolContext) -> None:
    before = context.workspace.read_file("shop/cart.py")
    with pytest.raises(ToolError) as refused:
        edit(context, "    result = 0\n    for item in items:\n", "    result = 1\n    for item in items:\n")
    message = str(refused.value)
    assert "occurs 2 times" in message and "lines 2, 9" in message
    assert "Include more surrounding lines" in message
    assert context.workspace.read_file("shop/cart.py") == before


def test_a_missing_search_shows_the_most_similar_region(context: ToolContext) -> None:
    with pytest.raises(ToolError) as refused:
        edit(context, "def count(things):\n    result = 0\n", "def count(things):\n    result = 5\n")
    message = str(refused.value)
    assert message.startswith("search text not found in shop/cart.py; nothing was changed.")
    assert "Most similar region (lines 8-9" in message
    assert " 8 | def count(items):" in message and " 9 |     result = 0" in message


def test_whitespace_and_line_number_mistakes_get_hints(context: ToolContext) -> None:
    with pytest.raises(ToolError, match="matches at line 3 if indentation and trailing spaces are ignored"):
        edit(context, "    for item in items:\n      result += item.price\n", "x\n")
    with pytest.raises(ToolError, match="remove them"):
        edit(context, " 4 |         result += item.price\n", "x\n")


def test_crlf_files_accept_lf_searches(context: ToolContext) -> None:
    context.workspace.write_file("win.txt", "alpha\r\nbeta\r\ngamma\r\n")
    edit(context, "beta\ngamma\n", "BETA\ngamma\n", path="win.txt")
    assert context.workspace.read_file("win.txt") == "alpha\r\nBETA\r\ngamma\r\n"


def test_pointless_or_escaping_edits_are_refused(context: ToolContext) -> None:
    with pytest.raises(ToolError, match="identical"):
        edit(context, "def total", "def total")
    with pytest.raises(ToolError, match="search is empty"):
        edit(context, "", "x")
    with pytest.raises(ToolError, match="refused path"):
        edit(context, "root", "x", path="../../etc/passwd")
