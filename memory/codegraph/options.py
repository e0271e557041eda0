"""Following an option the issue names (`ignore-paths`, `--ignore-paths`) to the code that uses its value."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from memory.codegraph.literals import enclosing_function, source_texts
from memory.codegraph.text import HYPHENATED

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph

SINGLE_WORD_FLAG = re.compile(r"(?<![\w-])--([a-z]{4,}[0-9]*)\b(?!-)")
"""`--recursive=y`: a flag of one word names an option as much as `--ignore-paths` does."""
REPORTING_FLAGS = frozenset({"version", "help"})
"""Flags every tool has, run to show the version or the usage in an issue rather than as its subject."""
MAX_READERS = 6
"""An option read in more files than this is too common to point anywhere."""


def option_readers(graph: CodeGraph, text: str) -> dict[str, tuple[float, str]]:
    """Code using an option the issue names: `ignore-paths` → functions reading `.ignore_paths`, the functions
    they pass it to, and readers of an attribute it is stored in (`self._ignore_paths = config.ignore_paths`)."""
    hits: dict[str, tuple[float, str]] = {}
    named = [match.group(1) for match in HYPHENATED.finditer(text)]
    named += [m.group(1) for m in SINGLE_WORD_FLAG.finditer(text) if m.group(1) not in REPORTING_FLAGS]
    options = dict.fromkeys(name.replace("-", "_") for name in named)
    sources = source_texts(graph) if options else {}
    for option in options:
        reason = f"uses the option {option.replace('_', '-')}"
        found = _attribute_reads(sources, option)
        if not found or len(found) > MAX_READERS:
            continue
        aliases = {alias for path, offsets in found.items() for alias in _stored_as(sources[path], offsets)}
        for alias in aliases - {option}:
            for path, offsets in _attribute_reads(sources, alias).items():
                found.setdefault(path, []).extend(offsets)
        weight = 1.0 / math.sqrt(len(found))
        for path, offsets in found.items():
            nodes = {path}
            for offset in offsets:
                line = sources[path].count("\n", 0, offset) + 1
                for function in enclosing_function(graph, path, line):
                    nodes.add(function)
                    nodes.update(_passed_to(graph, function, sources[path], offset, line))
            for node in nodes:
                previous = hits.get(node, (0.0, ""))[0]
                hits[node] = (previous + weight, reason)
    return hits


def _attribute_reads(sources: dict[str, str], name: str) -> dict[str, list[int]]:
    """Offsets of `.name` in each source file (`source_texts`: non-test files) that has some."""
    pattern = re.compile(rf"\.{name}\b")
    found: dict[str, list[int]] = {}
    for path, source in sources.items():
        if f".{name}" in source:
            offsets = [match.start() for match in pattern.finditer(source)]
            if offsets:
                found[path] = offsets
    return found


STORED_AS = re.compile(r"^\s*self\.(\w+)\s*(?::[^=]+)?=[^=]")


def _stored_as(source: str, offsets: list[int]) -> set[str]:
    """`_ignore_paths` for each offset on a line `self._ignore_paths = ….ignore_paths`."""
    names: set[str] = set()
    for offset in offsets:
        match = STORED_AS.match(source[source.rfind("\n", 0, offset) + 1 : offset])
        if match:
            names.add(match.group(1))
    return names


PASSED_LINES = 10
"""A call starting this many lines above an option read may take it as an argument."""
GUARD = re.compile(r"([ \t]*)(?:el)?if\b")
GUARDED_LINES = 3
"""An option read in an `if` condition: the calls on these many lines below are what the option turns on."""


def _passed_to(graph: CodeGraph, function: str, source: str, offset: int, line: int) -> list[str]:
    """Functions whose call's arguments hold the text at `offset`, on `line` (a call may start a few lines above)."""
    passed: list[str] = []
    guarded_until = _guarded_block_end(source, offset, line)
    for _, target, data in graph.graph.out_edges(function, data=True):
        called_at = data.get("line", 0)
        if data.get("kind") != "calls":
            continue
        if line < called_at <= guarded_until:
            passed.append(target)
            continue
        if not line - PASSED_LINES <= called_at <= line:
            continue
        line_start = _start_of_line_above(source, offset, line - data["line"])
        opening = source.rfind(graph.graph.nodes[target]["name"] + "(", line_start, offset)
        if opening >= 0:
            arguments = source[opening:offset]
            if arguments.count("(") > arguments.count(")"):
                passed.append(target)
    return passed


def _guarded_block_end(source: str, offset: int, line: int) -> int:
    """The last line of the block an `if` holding `offset` (on `line`) guards, at most GUARDED_LINES below; `line`
    itself when the read is not in an `if` condition."""
    start = source.rfind("\n", 0, offset) + 1
    guard = GUARD.match(source, start)
    line_end = source.find("\n", offset)
    if guard is None or line_end < 0:
        return line
    indent = len(guard.group(1))
    end = line
    for below in source[line_end + 1 :].split("\n", GUARDED_LINES)[:GUARDED_LINES]:
        if below.strip() and len(below) - len(below.lstrip()) <= indent:
            break
        end += 1
    return end


def _start_of_line_above(source: str, offset: int, lines_up: int) -> int:
    """Where the line `lines_up` lines above the one holding `offset` starts."""
    start = offset
    for _ in range(lines_up + 1):
        start = source.rfind("\n", 0, start)
        if start < 0:
            return 0
    return start + 1
