"""Exact text an issue quotes from the code: CLI flags, error messages, quoted strings, matched in the sources."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from memory.codegraph.link import is_test_path

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph

CLI_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")
ERROR_LINE = re.compile(r"^\s*(?:E\s+)?[\w.]*(?:Error|Exception|Warning|Exit)\s*:\s*(.+)$", re.MULTILINE)
QUOTED = re.compile(r"`([^`\n]{8,80})`|\"([^\"\n]{8,80})\"|'([^'\n]{8,80})'")
DYNAMIC_PART = re.compile(r"'[^']*'|\"[^\"]*\"|<[^>]*>|\S*[/\\]\S*|\b\d[\w.]*")
MAX_FILES = 4
"""A phrase found in more non-test files than this is too common to point anywhere (tests quote everything)."""


@dataclass
class SourceTexts:
    version: int
    texts: dict[str, str]


def _sources(graph: CodeGraph) -> dict[str, str]:
    cached: SourceTexts | None = getattr(graph, "_sources", None)
    if cached is None or cached.version != graph.version:
        texts: dict[str, str] = {}
        for path in graph.resolver.records:
            try:
                texts[path] = (graph.root / path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
        cached = SourceTexts(graph.version, texts)
        graph._sources = cached  # type: ignore[attr-defined]
    return cached.texts


def quoted_phrases(text: str) -> list[str]:
    """Phrases likely copied from code: flags, the fixed part of error messages, quoted strings."""
    phrases: list[str] = []
    for match in CLI_FLAG.finditer(text):
        flag = match.group()
        if len(flag) > 4:
            name = flag.lstrip("-")
            phrases.extend([flag, f'"{name}"', f"'{name}'"])
    for match in ERROR_LINE.finditer(text):
        for piece in DYNAMIC_PART.split(match.group(1)):
            piece = piece.strip(" .,:;()[]{}")
            if len(piece) >= 12 and " " in piece:
                phrases.append(piece)
    for match in QUOTED.finditer(text):
        phrase = next(group for group in match.groups() if group)
        if " " in phrase.strip() or "-" in phrase or "_" in phrase:
            phrases.append(phrase.strip())
    return list(dict.fromkeys(phrases))


def literal_hits(graph: CodeGraph, text: str) -> dict[str, tuple[float, str]]:
    """Node ids (files and the functions around each occurrence) → (weight, reason) for phrases found verbatim."""
    sources = _sources(graph)
    hits: dict[str, tuple[float, str]] = {}
    for phrase in quoted_phrases(text):
        found = [
            (path, source.find(phrase))
            for path, source in sources.items()
            if phrase in source and not is_test_path(path)
        ]
        if not found or len(found) > MAX_FILES:
            continue
        weight = 1.0 / math.sqrt(len(found))
        for path, offset in found:
            line = sources[path].count("\n", 0, offset) + 1
            reason = f"quotes the code: {phrase[:50]!r}"
            for node in (path, *_enclosing(graph, path, line)):
                previous = hits.get(node, (0.0, ""))[0]
                hits[node] = (previous + weight, reason)
    return hits


OPTION_NAME = re.compile(r"(?<![\w-])-{0,2}([a-z][a-z0-9]*(?:-[a-z0-9]+)+)")
MAX_READERS = 6
"""An option read in more files than this is too common to point anywhere."""


def option_readers(graph: CodeGraph, text: str) -> dict[str, tuple[float, str]]:
    """Code using an option the issue names: `ignore-paths` → functions reading `.ignore_paths`, the functions
    they pass it to, and readers of an attribute it is stored in (`self._ignore_paths = config.ignore_paths`)."""
    sources = _sources(graph)
    hits: dict[str, tuple[float, str]] = {}
    options = dict.fromkeys(match.group(1).replace("-", "_") for match in OPTION_NAME.finditer(text))
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
                for function in _enclosing(graph, path, line):
                    nodes.add(function)
                    nodes.update(_passed_to(graph, function, sources[path], offset))
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


def _passed_to(graph: CodeGraph, function: str, source: str, offset: int) -> list[str]:
    """Functions whose call's arguments hold the text at `offset` (a call may start a few lines above)."""
    line = source.count("\n", 0, offset) + 1
    passed: list[str] = []
    for _, target, data in graph.graph.out_edges(function, data=True):
        if data.get("kind") != "calls" or not line - PASSED_LINES <= data.get("line", 0) <= line:
            continue
        line_start = _line_offset(source, data["line"])
        opening = source.rfind(graph.graph.nodes[target]["name"] + "(", line_start, offset)
        if opening >= 0:
            arguments = source[opening:offset]
            if arguments.count("(") > arguments.count(")"):
                passed.append(target)
    return passed


def _line_offset(source: str, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        offset = source.index("\n", offset) + 1
    return offset


def _enclosing(graph: CodeGraph, path: str, line: int) -> list[str]:
    innermost = [
        symbol
        for symbol in graph.resolver.records[path].symbols
        if symbol.kind != "class" and symbol.start_line <= line <= symbol.end_line
    ]
    if not innermost:
        return []
    best = max(innermost, key=lambda symbol: symbol.start_line)
    return [f"{path}:{best.qualname}"]
