"""The search/replace edit tool: replaces one exact, unique block of text in a file.

A search that matches nowhere is rejected with the most similar region of the file (numbered) and hints about
whitespace; one that matches several times is rejected with the line numbers of every match.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel, Field

from core.errors import ToolError, WorkspaceError
from tools.actions.edits import report_action
from tools.base import Tool, ToolContext
from tools.files import numbered, read_text
from workspaces.paths import normalize_relative

CONTEXT_LINES = 3
FULL_SCAN_LINES = 2000
_LINE_NUMBER_PREFIX = re.compile(r"^\s*\d+ \| ?")


class SearchReplaceArgs(BaseModel):
    path: str = Field(description="File to edit, relative to the repository root")
    search: str = Field(
        description="Exact text to replace, copied from the file with its indentation; it must occur exactly "
        "once, so include a few surrounding lines when it is short. Do not include line numbers."
    )
    replace: str = Field(description="Text to put in place of `search` (empty to delete it)")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _occurrence_lines(content: str, search: str) -> list[int]:
    lines, start = [], content.find(search)
    while start != -1:
        lines.append(_line_of(content, start))
        start = content.find(search, start + len(search))
    return lines


def _candidate_starts(lines: list[str], wanted: list[str]) -> list[int]:
    starts = range(max(1, len(lines) - len(wanted) + 1))
    if len(lines) <= FULL_SCAN_LINES:
        return list(starts)
    wanted_set = {line.strip() for line in wanted if line.strip()}
    overlap = [(sum(line.strip() in wanted_set for line in lines[i : i + len(wanted)]), i) for i in starts]
    return [i for _, i in sorted(overlap, reverse=True)[:50]]


def most_similar_region(content: str, search: str) -> tuple[int, int, float]:
    """(first line, last line, similarity 0..1) of the file window that looks most like `search`."""
    lines, wanted = content.splitlines(), search.splitlines() or [search]
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2("\n".join(wanted))
    best = (0, 0.0)
    for start in _candidate_starts(lines, wanted):
        matcher.set_seq1("\n".join(lines[start : start + len(wanted)]))
        if matcher.real_quick_ratio() > best[1] and matcher.quick_ratio() > best[1]:
            score = matcher.ratio()
            if score > best[1]:
                best = (start, score)
    first = best[0] + 1
    return first, min(len(lines), first + len(wanted) - 1), best[1]


def _whitespace_blind_match(content: str, search: str) -> int | None:
    """First line where the search matches when leading/trailing whitespace of every line is ignored."""
    lines = [line.strip() for line in content.splitlines()]
    wanted = [line.strip() for line in search.strip("\n").splitlines()]
    for start in range(len(lines) - len(wanted) + 1):
        if lines[start : start + len(wanted)] == wanted:
            return start + 1
    return None


def explain_no_match(path: str, content: str, search: str) -> str:
    """The observation for a search text that occurs nowhere in the file."""
    message = [f"search text not found in {path}; nothing was changed."]
    search_lines = [line for line in search.splitlines() if line.strip()]
    if search_lines and all(_LINE_NUMBER_PREFIX.match(line) for line in search_lines):
        message.append(
            "Your search text starts with line numbers ('12 | '): remove them, copy only the code."
        )
    blind = _whitespace_blind_match(content, search)
    if blind is not None:
        message.append(
            f"It matches at line {blind} if indentation and trailing spaces are ignored: copy the exact "
            "whitespace (spaces vs tabs, indentation depth) from the lines below."
        )
    elif "\t" in content and "\t" not in search:
        message.append("The file indents with tabs; your search uses spaces.")
    lines = content.splitlines()
    if lines:
        first, last, score = most_similar_region(content, search)
        shown_first = max(1, first - CONTEXT_LINES + 1)
        shown_last = min(len(lines), last + CONTEXT_LINES - 1)
        message.append(
            f"Most similar region (lines {first}-{last}, {score:.0%} similar):\n"
            + numbered(lines[shown_first - 1 : shown_last], shown_first)
        )
    message.append("Copy the exact current text into `search` and try again (view_file shows the file).")
    return "\n".join(message)


def search_replace(ctx: ToolContext, args: SearchReplaceArgs) -> str:
    content = read_text(ctx, args.path)
    search, replace = args.search, args.replace
    if not search:
        raise ToolError("search is empty: give the exact text to replace (use create_file for new files)")
    if search == replace:
        raise ToolError("search and replace are identical: nothing would change")
    if "\r\n" in content and "\r\n" not in search:
        search, replace = search.replace("\n", "\r\n"), replace.replace("\n", "\r\n")
    occurrences = _occurrence_lines(content, search)
    if not occurrences:
        raise ToolError(explain_no_match(args.path, content, search))
    if len(occurrences) > 1:
        raise ToolError(
            f"search text occurs {len(occurrences)} times in {args.path} (starting at lines "
            f"{', '.join(map(str, occurrences))}); nothing was changed. Include more surrounding lines so it "
            "matches exactly once."
        )
    offset = content.find(search)
    updated = content[:offset] + replace + content[offset + len(search) :]
    try:
        ctx.workspace.write_file(args.path, updated)
    except WorkspaceError as exc:
        raise ToolError(exc.user_message()) from exc
    path = normalize_relative(args.path)
    ctx.file_changed(path)
    first = occurrences[0]
    summary = f"replace lines {first}-{first + len(search.splitlines()) - 1} of {path}"
    report_action(ctx, "search_replace", args.model_dump(), {path: (content, updated)}, summary)
    new_lines = updated.splitlines()
    last = first + max(len(replace.splitlines()), 1) - 1
    shown_first, shown_last = max(1, first - CONTEXT_LINES), min(len(new_lines), last + CONTEXT_LINES)
    region = (
        numbered(new_lines[shown_first - 1 : shown_last], shown_first) if new_lines else "(file is now empty)"
    )
    return (
        f"edited {args.path}: replaced lines {first}-{first + len(search.splitlines()) - 1}. Now:\n{region}"
    )


TOOLS: list[Tool[Any]] = [
    Tool(
        name="search_replace",
        description=(
            "Edit a file by replacing one exact block of text with new text. `search` must be copied exactly "
            "from the file (indentation included) and occur only once; the result is shown with line numbers."
        ),
        args=SearchReplaceArgs,
        run=search_replace,
    ),
]
