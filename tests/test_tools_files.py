"""view_file, list_files, search_files and create_file on a real local workspace."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.errors import ToolError
from tests.workspace_fixtures import make_repo, open_workspace, tool_context
from tools.base import ToolContext
from tools.files import TOOLS
from tools.registry import get_tools

TOOL = {tool.name: tool for tool in TOOLS}


@pytest.fixture
def context(tmp_path: Path) -> ToolContext:
    files = {
        "long.py": "".join(f"line_{n} = {n}\n" for n in range(1, 301)),
        "shop/cart.py": "def total(items):\n    return sum(i.price for i in items)  # TODO: empty cart\n",
        "shop/tests/test_cart.py": (
            "from shop.cart import total\n\n\ndef test_total():\n    assert total([]) == 0\n"
        ),
        "docs/notes.md": "todo: write docs\n",
        ".gitignore": "*.log\n",
    }
    workspace = open_workspace(tmp_path, make_repo(tmp_path, files))
    workspace.write_file("debug.log", "TODO ignored\n")
    return tool_context(workspace)


def run(context: ToolContext, name: str, **arguments: object) -> str:
    return TOOL[name].invoke(context, dict(arguments))


def test_view_file_shows_a_numbered_window_and_how_to_see_more(context: ToolContext) -> None:
    text = run(context, "view_file", path="long.py")
    lines = text.splitlines()
    assert lines[0] == "long.py — lines 1-120 of 300"
    assert lines[1] == "  1 | line_1 = 1"
    assert lines[120] == "120 | line_120 = 120"
    assert lines[-1] == "(180 more lines: call view_file with start_line=121 to see more)"

    tail = run(context, "view_file", path="long.py", start_line=290, end_line=400)
    assert tail.splitlines()[0] == "long.py — lines 290-300 of 300"
    assert "more lines" not in tail
    with pytest.raises(ToolError, match="only 300 lines"):
        run(context, "view_file", path="long.py", start_line=301)
    with pytest.raises(ToolError, match="no such file"):
        run(context, "view_file", path="nope.py")
    with pytest.raises(ToolError, match="refused path"):
        run(context, "view_file", path="../../etc/passwd")


def test_list_files_filters_by_folder_and_glob(context: ToolContext) -> None:
    assert run(context, "list_files", path="shop").splitlines() == ["shop/cart.py", "shop/tests/test_cart.py"]
    assert run(context, "list_files", pattern="test_*.py") == "shop/tests/test_cart.py"
    assert "debug.log" not in run(context, "list_files")
    limited = run(context, "list_files", max_entries=2).splitlines()
    assert limited[-1].startswith("(3 more files")
    assert run(context, "list_files", pattern="*.rs") == "no files matching '*.rs' under ."


def test_search_files_finds_literal_and_regex_matches(context: ToolContext) -> None:
    assert run(context, "search_files", pattern="TODO") == (
        "shop/cart.py:2: return sum(i.price for i in items)  # TODO: empty cart"
    )
    insensitive = run(context, "search_files", pattern="todo", case_sensitive=False).splitlines()
    assert insensitive[0] == "docs/notes.md:1: todo: write docs"
    assert insensitive[1].startswith("shop/cart.py:2: return sum") and len(insensitive) == 2
    assert "debug.log" not in "\n".join(insensitive)
    assert run(context, "search_files", pattern="total(", glob="*.py", path="shop").splitlines() == [
        "shop/cart.py:1: def total(items):",
        "shop/tests/test_cart.py:4: def test_total():",
        "shop/tests/test_cart.py:5: assert total([]) == 0",
    ]
    regex = run(context, "search_files", pattern=r"line_2\d\d = ", regex=True)
    assert regex.splitlines()[0] == "long.py:200: line_200 = 200"
    assert "more matches than the 50 shown" in regex
    assert run(context, "search_files", pattern="absent text") == "no matches for 'absent text' in ."
    with pytest.raises(ToolError, match="search failed"):
        run(context, "search_files", pattern="(unclosed", regex=True)


def test_create_file_refuses_to_overwrite_unless_asked(context: ToolContext) -> None:
    changed: list[str] = []
    context.file_listeners.append(changed.extend)
    assert run(context, "create_file", path="shop/new/discounts.py", content="RATE = 1\n") == (
        "wrote shop/new/discounts.py (1 lines)"
    )
    assert context.workspace.read_file("shop/new/discounts.py") == "RATE = 1\n"
    with pytest.raises(ToolError, match="already exists"):
        run(context, "create_file", path="shop/cart.py", content="oops")
    run(context, "create_file", path="./shop/cart.py", content="replaced\n", overwrite=True)
    assert context.workspace.read_file("shop/cart.py") == "replaced\n"
    assert changed == ["shop/new/discounts.py", "shop/cart.py"]


def test_create_file_refuses_symlinks_leading_out(context: ToolContext, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, Path(context.workspace.info.root) / "escape")
    with pytest.raises(ToolError, match="symlink"):
        run(context, "create_file", path="escape/evil.py", content="x")
    assert list(outside.iterdir()) == []


def test_invalid_arguments_and_schemas(context: ToolContext) -> None:
    with pytest.raises(ToolError, match="invalid arguments for view_file: path: Field required"):
        run(context, "view_file")
    schema = TOOL["search_files"].schema()["function"]
    assert schema["parameters"]["required"] == ["pattern"]
    assert all(p.get("description") for p in schema["parameters"]["properties"].values())
    assert [t.name for t in get_tools(["view_file", "search_replace", "run_command", "run_tests"])] == [
        "view_file",
        "search_replace",
        "run_command",
        "run_tests",
    ]
