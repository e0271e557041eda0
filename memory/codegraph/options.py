"""Following an option the issue names (`ignore-paths`, `--ignore-paths`) to the code that uses its value."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from memory.codegraph.link import is_test_path
from memory.codegraph.literals import enclosing_function, source_texts
from memory.codegraph.text import HYPHENATED

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph

MAX_READERS = 6
"""An option read in more files than this is too common to point anywhere."""


def option_readers(graph: CodeGraph, text: str) -> dict[str, tuple[float, str]]:
    """Code using an option the issue names: `ignore-paths` → functions reading `.ignore_paths`, the functions
    they pass it to, and readers of an attribute it is stored in (`self._ignore_paths = config.ignore_paths`)."""
    hits: dict[str, tuple[float, str]] = {}
    options = dict.fromkeys(match.group(1).replace("-", "_") for match in HYPHENATED.finditer(text))
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
    """Offsets of `.name` in each non-test source file that has some."""
    pattern = re.compile(rf"\.{name}\b")
    found: dict[str, list[int]] = {}
    for path, source in sources.items():
        if f".{name}" in source and not is_test_path(path):
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


def _passed_to(graph: CodeGraph, function: str, source: str, offset: int, line: int) -> list[str]:
    """Functions whose call's arguments hold the text at `offset`, on `line` (a call may start a few lines above)."""
    passed: list[str] = []
    for _, target, data in graph.graph.out_edges(function, data=True):
        if data.get("kind") != "calls" or not line - PASSED_LINES <= data.get("line", 0) <= line:
            continue
        line_start = _start_of_line_above(source, offset, line - data["line"])
        opening = source.rfind(graph.graph.nodes[target]["name"] + "(", line_start, offset)
        if opening >= 0:
            arguments = source[opening:offset]
            if arguments.count("(") > arguments.count(")"):
                passed.append(target)
    return passed


def _start_of_line_above(source: str, offset: int, lines_up: int) -> int:
    """Where the line `lines_up` lines above the one holding `offset` starts."""
    start = offset
    for _ in range(lines_up + 1):
        start = source.rfind("\n", 0, start)
        if start < 0:
            return 0
    return start + 1
