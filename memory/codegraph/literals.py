"""Exact text shared by an issue and the code: flags, error messages and quoted strings of the issue found in the
sources, and the code's own messages (string literals, cut at their placeholders) found in the issue."""

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


def source_text(graph: CodeGraph, path: str) -> str | None:
    """The file's text as it is now; None when it cannot be read."""
    try:
        return (graph.root / path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def source_texts(graph: CodeGraph) -> dict[str, str]:
    """The texts of the non-test source files, kept per graph version: the only files where quoted phrases and
    options count (tests quote everything), so the tests (on sympy 700 of 1,600 files) are not read at all."""
    cached: SourceTexts | None = getattr(graph, "_sources", None)
    if cached is None or cached.version != graph.version:
        texts: dict[str, str] = {}
        for path in graph.resolver.records:
            if not is_test_path(path) and (text := source_text(graph, path)) is not None:
                texts[path] = text
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
    phrases = quoted_phrases(text)
    sources = source_texts(graph) if phrases else {}
    hits: dict[str, tuple[float, str]] = {}
    for phrase in phrases:
        found = [(path, source.find(phrase)) for path, source in sources.items() if phrase in source]
        if not found or len(found) > MAX_FILES:
            continue
        weight = 1.0 / math.sqrt(len(found))
        for path, offset in found:
            line = sources[path].count("\n", 0, offset) + 1
            reason = f"quotes the code: {phrase[:50]!r}"
            for node in (path, *enclosing_function(graph, path, line)):
                previous = hits.get(node, (0.0, ""))[0]
                hits[node] = (previous + weight, reason)
    return hits


MESSAGE_FULL_LENGTH = 40
"""A code string this long found in an issue counts fully; shorter ones ("command line") count less."""


def _code_strings(graph: CodeGraph) -> dict[str, list[tuple[str, int]]]:
    """Lowercased one-line string pieces of the non-test sources → where they are, kept per graph version."""
    cached: tuple[int, dict[str, list[tuple[str, int]]]] | None = getattr(graph, "_code_strings", None)
    if cached is None or cached[0] != graph.version:
        found: dict[str, list[tuple[str, int]]] = {}
        for path, record in graph.resolver.records.items():
            if not is_test_path(path):
                for line, piece in record.strings:
                    found.setdefault(piece.lower(), []).append((path, line))
        cached = (graph.version, found)
        graph._code_strings = cached  # type: ignore[attr-defined]
    return cached[1]


def code_strings_in(graph: CodeGraph, text: str) -> dict[str, tuple[float, str]]:
    """Node ids → (weight, reason) for the code's own messages that the issue shows: `"%s contains %d more items"`
    is found as "contains 3 more items" by its fixed parts."""
    issue = " ".join(text.split()).lower()
    hits: dict[str, tuple[float, str]] = {}
    for piece, places in _code_strings(graph).items():
        files = {path for path, _ in places}
        if len(files) > MAX_FILES or piece not in issue:
            continue
        weight = min(1.0, len(piece) / MESSAGE_FULL_LENGTH) / math.sqrt(len(files))
        reason = f"its message is in the issue: {piece[:50]!r}"
        nodes = {node for path, line in places for node in (path, *enclosing_function(graph, path, line))}
        for node in nodes:
            previous = hits.get(node, (0.0, ""))[0]
            hits[node] = (previous + weight, reason)
    return hits


def enclosing_function(graph: CodeGraph, path: str, line: int) -> list[str]:
    innermost = [
        symbol
        for symbol in graph.resolver.records[path].symbols
        if symbol.kind != "class" and symbol.start_line <= line <= symbol.end_line
    ]
    if not innermost:
        return []
    best = max(innermost, key=lambda symbol: symbol.start_line)
    return [f"{path}:{best.qualname}"]
