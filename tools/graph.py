"""Code-graph query tools shared by the localizer, coder, tester and reviewer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from core.errors import ToolError
from tools.base import Tool, ToolContext

MAX_LINES = 60


def _graph(context: ToolContext) -> Any:
    if context.code_graph is None:
        raise ToolError("no code graph for this job", hint="use the file and shell tools (grep) instead")
    return context.code_graph


def _lines(items: list[str], empty: str) -> str:
    if not items:
        return empty
    more = len(items) - MAX_LINES
    return "\n".join(items[:MAX_LINES] + ([f"… {more} more"] if more > 0 else []))


class SymbolArgs(BaseModel):
    symbol: str = Field(description="`path.py:Class.method`, a dotted name `pkg.mod.Class`, `Class.method` or a name")


class SearchArgs(BaseModel):
    query: str = Field(description="a name or part of one")
    kind: str = Field("", description="class, function or method; empty for any")


class HopsArgs(SymbolArgs):
    hops: int = Field(1, ge=1, le=4, description="how many calls away")


class EnclosingArgs(BaseModel):
    path: str = Field(description="repository-relative file path")
    line: int = Field(ge=1)


class RepoMapArgs(BaseModel):
    mentions: list[str] = Field(default_factory=list, description="symbols or paths the task is about")
    token_budget: int = Field(1024, ge=64, le=16000)


def _search(context: ToolContext, args: SearchArgs) -> str:
    found = _graph(context).search_symbols(args.query, kinds=(args.kind,) if args.kind else ())
    return _lines([info.describe() for info in found], f"no symbol matches {args.query!r}")


def _definition(context: ToolContext, args: SymbolArgs) -> str:
    found = _graph(context).definition(args.symbol)
    text = [f"{info.describe()}\n  {info.doc}" if info.doc else info.describe() for info in found]
    return _lines(text, f"no definition of {args.symbol!r}")


def _references(context: ToolContext, args: SymbolArgs) -> str:
    found = _graph(context).references(args.symbol)
    text = [f"{ref.source.path}:{ref.line} {ref.kind} from {ref.source.qualname or ref.source.path}" for ref in found]
    return _lines(text, f"no references to {args.symbol!r}")


def _callers(context: ToolContext, args: HopsArgs) -> str:
    found = _graph(context).callers(args.symbol, args.hops)
    return _lines([f"[{hops}] {info.describe()}" for info, hops in found], f"no callers of {args.symbol!r}")


def _callees(context: ToolContext, args: HopsArgs) -> str:
    found = _graph(context).callees(args.symbol, args.hops)
    return _lines([f"[{hops}] {info.describe()}" for info, hops in found], f"{args.symbol!r} calls nothing known")


def _tests(context: ToolContext, args: SymbolArgs) -> str:
    found = _graph(context).tests_for(args.symbol)
    return _lines([info.describe() for info in found], f"no tests found for {args.symbol!r}")


def _enclosing(context: ToolContext, args: EnclosingArgs) -> str:
    info = _graph(context).enclosing(args.path, args.line)
    return info.describe() if info else f"line {args.line} of {args.path} is at module level (or not indexed)"


def _repo_map(context: ToolContext, args: RepoMapArgs) -> str:
    text: str = _graph(context).repo_map(args.mentions, args.token_budget)
    return text or "the repository map is empty"


TOOLS: list[Tool[Any]] = [
    Tool("graph_search", "Find classes, functions and methods by name.", SearchArgs, _search),
    Tool("graph_definition", "Where a symbol is defined: file, lines, signature, docstring.", SymbolArgs, _definition),
    Tool("graph_references", "Where a symbol is called, imported or subclassed.", SymbolArgs, _references),
    Tool("graph_callers", "Functions that call a symbol, up to n hops.", HopsArgs, _callers),
    Tool("graph_callees", "Functions a symbol calls, up to n hops.", HopsArgs, _callees),
    Tool("graph_tests", "Test functions that exercise a symbol.", SymbolArgs, _tests),
    Tool("graph_enclosing", "The function or class around a line of a file.", EnclosingArgs, _enclosing),
    Tool(
        "graph_repo_map",
        "A map of the most relevant definitions for the given mentions, within a token budget.",
        RepoMapArgs,
        _repo_map,
    ),
]
