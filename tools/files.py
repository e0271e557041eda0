"""Tools that look at and create files: view_file, list_files, search_files, create_file."""

from __future__ import annotations

import fnmatch
import shlex
from typing import Any

from pydantic import BaseModel, Field

from core.errors import ToolError, WorkspaceError
from tools.actions.edits import report_action
from tools.base import Tool, ToolContext
from workspaces.git_snapshots import JUNK_PATHSPECS
from workspaces.paths import normalize_relative

VIEW_WINDOW = 120
MAX_VIEW_WINDOW = 400
MAX_LINE_CHARS = 400


def read_text(ctx: ToolContext, path: str) -> str:
    """The file's text, or a ToolError a model can act on (confinement and missing files included)."""
    try:
        return ctx.workspace.read_file(path)
    except WorkspaceError as exc:
        raise ToolError(exc.user_message()) from exc


def clip_line(line: str, limit: int = MAX_LINE_CHARS) -> str:
    return line if len(line) <= limit else f"{line[:limit]}… [{len(line) - limit} more characters]"


def numbered(lines: list[str], first_number: int) -> str:
    """Lines prefixed with right-aligned line numbers and a bar, e.g. `  12 | code`."""
    width = len(str(first_number + len(lines) - 1))
    return "\n".join(
        f"{number:>{width}} | {clip_line(line)}" for number, line in enumerate(lines, first_number)
    )


class ViewFileArgs(BaseModel):
    path: str = Field(description="File path relative to the repository root, e.g. src/app.py")
    start_line: int = Field(default=1, ge=1, description="First line to show (1-based)")
    end_line: int | None = Field(
        default=None, ge=1, description=f"Last line to show; default start_line + {VIEW_WINDOW - 1}"
    )


def view_file(ctx: ToolContext, args: ViewFileArgs) -> str:
    lines = read_text(ctx, args.path).splitlines()
    total = len(lines)
    if total == 0:
        return f"{args.path} — empty file"
    if args.start_line > total:
        raise ToolError(f"{args.path} has only {total} lines; start_line {args.start_line} is past the end")
    end = args.end_line if args.end_line is not None else args.start_line + VIEW_WINDOW - 1
    if end < args.start_line:
        raise ToolError(f"end_line {end} is before start_line {args.start_line}")
    end = min(end, total, args.start_line + MAX_VIEW_WINDOW - 1)
    text = f"{args.path} — lines {args.start_line}-{end} of {total}\n"
    text += numbered(lines[args.start_line - 1 : end], args.start_line)
    if end < total:
        text += f"\n({total - end} more lines: call view_file with start_line={end + 1} to see more)"
    return text


class ListFilesArgs(BaseModel):
    path: str = Field(default=".", description="Directory to list, relative to the repository root")
    pattern: str | None = Field(
        default=None, description="Glob on file names or paths, e.g. '*.py' or 'tests/test_*.py'"
    )
    max_entries: int = Field(default=200, ge=1, le=2000, description="Most paths to return")


def list_files(ctx: ToolContext, args: ListFilesArgs) -> str:
    try:
        paths = ctx.workspace.list_files(args.path)
    except WorkspaceError as exc:
        raise ToolError(exc.user_message()) from exc
    if args.pattern:
        pattern = args.pattern
        paths = [
            p for p in paths if fnmatch.fnmatch(p, pattern) or fnmatch.fnmatch(p.rsplit("/", 1)[-1], pattern)
        ]
    if not paths:
        where = f" matching {args.pattern!r}" if args.pattern else ""
        return f"no files{where} under {args.path}"
    shown = paths[: args.max_entries]
    text = "\n".join(shown)
    if len(paths) > len(shown):
        text += f"\n({len(paths) - len(shown)} more files: narrow with path or pattern)"
    return text


class SearchFilesArgs(BaseModel):
    pattern: str = Field(description="Text to find; a regular expression when regex is true")
    regex: bool = Field(default=False, description="Treat pattern as a (Perl-style) regular expression")
    path: str = Field(default=".", description="Directory or file to search in")
    glob: str | None = Field(default=None, description="Only files matching this glob, e.g. '*.py'")
    case_sensitive: bool = Field(default=True, description="Match letter case exactly")
    max_results: int = Field(default=50, ge=1, le=500, description="Most matching lines to return")


def search_files(ctx: ToolContext, args: SearchFilesArgs) -> str:
    if not args.pattern:
        raise ToolError("pattern is empty: give the text to search for")
    try:
        base = normalize_relative(args.path)
    except WorkspaceError as exc:
        raise ToolError(exc.user_message()) from exc
    spec = base if not args.glob else (args.glob if base == "." else f"{base}/{args.glob}")
    flags = ["-n", "-I", "--null", "--untracked", "--exclude-standard", "-P" if args.regex else "-F"]
    if not args.case_sensitive:
        flags.append("-i")
    command = " ".join(
        ["git", "grep", *flags, "-e", shlex.quote(args.pattern), "--", shlex.quote(spec)]
        + [shlex.quote(junk) for junk in JUNK_PATHSPECS]
    )
    result = ctx.workspace.exec(command, timeout=min(60.0, ctx.command_timeout_s))
    if result.exit_code == 1 and not result.stderr.strip():
        return f"no matches for {args.pattern!r} in {spec}"
    if result.exit_code != 0:
        raise ToolError(f"search failed: {result.stderr.strip() or result.stdout.strip()}")
    hits = []
    for row in result.stdout.splitlines():
        path, _, rest = row.partition("\0")
        number, _, text = rest.partition("\0")
        if number:
            hits.append(f"{path}:{number}: {clip_line(text.strip(), 200)}")
    shown = hits[: args.max_results]
    text = "\n".join(shown)
    if len(hits) > len(shown) or result.truncated:
        text += f"\n(more matches than the {len(shown)} shown: narrow the pattern, path or glob)"
    return text


class CreateFileArgs(BaseModel):
    path: str = Field(description="New file path relative to the repository root; folders are created")
    content: str = Field(description="The complete file content")
    overwrite: bool = Field(default=False, description="Replace the file if it already exists")


def create_file(ctx: ToolContext, args: CreateFileArgs) -> str:
    try:
        existed = ctx.workspace.exists(args.path)
        if existed and not args.overwrite:
            raise ToolError(
                f"{args.path} already exists: edit it with search_replace, "
                "or call create_file with overwrite=true to replace it"
            )
        before = ctx.workspace.read_file(args.path) if existed else ""
        ctx.workspace.write_file(args.path, args.content)
    except WorkspaceError as exc:
        raise ToolError(exc.user_message()) from exc
    path = normalize_relative(args.path)
    ctx.file_changed(path)
    summary = f"{'overwrite' if existed else 'create'} {path}"
    report_action(ctx, "create_file", args.model_dump(), {path: (before, args.content)}, summary)
    return f"wrote {args.path} ({len(args.content.splitlines())} lines)"


TOOLS: list[Tool[Any]] = [
    Tool(
        name="view_file",
        description=(
            f"Show a file's lines with line numbers, {VIEW_WINDOW} lines at a time. "
            "Use start_line/end_line to move through long files."
        ),
        args=ViewFileArgs,
        run=view_file,
    ),
    Tool(
        name="list_files",
        description="List the repository's files (ignored ones left out) under a folder, optionally by glob.",
        args=ListFilesArgs,
        run=list_files,
    ),
    Tool(
        name="search_files",
        description="Find lines containing a text or regex in the repository; answers path:line: text",
        args=SearchFilesArgs,
        run=search_files,
    ),
    Tool(
        name="create_file",
        description="Create a file with the given content; an existing file is kept unless overwrite=true",
        args=CreateFileArgs,
        run=create_file,
    ),
]
