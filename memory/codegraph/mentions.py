"""Matching what an issue names (identifiers, dotted names, paths, traceback frames) to graph nodes."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from core.python_names import BUILTIN_NAMES
from memory.codegraph.literals import enclosing_function
from memory.codegraph.text import Mentions, is_distinctive, split_identifier

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph

AMBIGUITY_LIMIT = 8
PLAIN_WORD_SHARE = 0.5
"""An English-looking word of the issue's code (`name`, `value`) that the issue never calls or reads as an
attribute: it names a function of that name less surely than `expand_modules` or `xfail(` do."""
PHRASE_WEIGHT = 1.0
"""A name spelt out as words counts as much as the name written as code."""
HANDLER = re.compile(r"_?[a-z]+(?:_[a-z]+)*?_([A-Z]\w*)")
"""A method named after the class it handles: `_print_Float`, `visit_Tuple`."""
LOCATED_WEIGHT = 1.5
"""A line of the repository an issue points at (`raw_building.py:470: FutureWarning`), as the innermost frame of a
traceback."""


@dataclass
class MentionHits:
    symbols: dict[str, tuple[float, str]] = field(default_factory=dict)
    files: dict[str, tuple[float, str]] = field(default_factory=dict)

    def add(self, table: dict[str, tuple[float, str]], node: str, value: float, reason: str) -> None:
        previous, old_reason = table.get(node, (0.0, ""))
        table[node] = (previous + value, reason if value >= previous else old_reason)


def match_path(graph: CodeGraph, written: str, basenames: dict[str, list[str]]) -> list[str]:
    """Indexed files a path written in the issue (maybe absolute, maybe from site-packages) points at."""
    parts = PurePosixPath(written.replace("\\", "/")).parts
    if not parts:
        return []
    candidates = basenames.get(parts[-1], [])
    scored: list[tuple[int, str]] = []
    for candidate in candidates:
        mine = candidate.split("/")
        common = 0
        while common < min(len(mine), len(parts)) and mine[-1 - common] == parts[-1 - common]:
            common += 1
        scored.append((common, candidate))
    if not scored:
        return []
    best = max(common for common, _ in scored)
    chosen = [path for common, path in scored if common == best]
    if best >= 2 or (len(chosen) == 1 and parts[-1] != "__init__.py"):
        return chosen
    return []


def match_mentions(graph: CodeGraph, mentions: Mentions) -> MentionHits:
    hits = MentionHits()
    nodes = graph.graph.nodes
    basenames: dict[str, list[str]] = defaultdict(list)
    for path in graph.resolver.records:
        basenames[path.rsplit("/", 1)[-1]].append(path)

    in_repo_frames = [
        (path, function) for written, _, function in mentions.frames for path in match_path(graph, written, basenames)
    ]
    for position, (path, function) in enumerate(in_repo_frames):
        innermost = position == len(in_repo_frames) - 1
        weight = 1.5 if innermost else 0.8
        hits.add(hits.files, path, weight, f"in the traceback ({function})")
        for symbol in graph.resolver.records[path].symbols:
            if symbol.name == function:
                hits.add(hits.symbols, f"{path}:{symbol.qualname}", weight, "frame of the traceback")

    for written, line in mentions.located:
        for path in match_path(graph, written, basenames):
            hits.add(hits.files, path, LOCATED_WEIGHT, f"the issue points at line {line}")
            for function in enclosing_function(graph, path, line):
                hits.add(hits.symbols, function, LOCATED_WEIGHT, f"the issue points at line {line}")

    for path, line in mentions.linked:
        if path in graph.resolver.records:
            hits.add(hits.files, path, LOCATED_WEIGHT, f"the issue links to line {line}")
            for function in enclosing_function(graph, path, line):
                hits.add(hits.symbols, function, LOCATED_WEIGHT, f"the issue links to line {line}")

    for written in mentions.paths:
        for path in match_path(graph, written, basenames):
            hits.add(hits.files, path, 1.0, f"path named in the issue: {written}")

    stems: dict[str, list[str]] = defaultdict(list)
    for path in graph.resolver.records:
        stems[PurePosixPath(path).stem.lower()].append(path)
    attributes = {part for dotted in mentions.dotted for part in dotted.split(".")[1:]}
    for identifier in mentions.identifiers:
        if identifier in BUILTIN_NAMES and identifier not in attributes:
            continue
        found = [n for n in graph.resolver.by_name.get(identifier, ()) if nodes[n]["kind"] != "file"]
        if 0 < len(found) <= AMBIGUITY_LIMIT:
            share = 1.0 if is_distinctive(identifier) or identifier in mentions.used_as_code else PLAIN_WORD_SHARE
            for node in found:
                hits.add(hits.symbols, node, share / math.sqrt(len(found)), f"named in the issue: {identifier}")
        files = stems.get(identifier.lower(), [])
        if 0 < len(files) <= 3:
            for path in files:
                hits.add(hits.files, path, 0.3, f"module named in the issue: {identifier}")

    _match_phrases(graph, mentions.phrases, hits)

    for dotted in mentions.dotted:
        parts = dotted.split(".")
        found_nodes: set[str] = set()
        for start in range(len(parts) - 1):
            resolved = graph.resolver.resolve_dotted(".".join(parts[start:]))
            if resolved:
                found_nodes.add(resolved)
                break
        tail = ".".join(parts[-2:])
        found_nodes.update(n for n in graph.resolver.by_name.get(parts[-1], ()) if nodes[n]["qualname"] == tail)
        for node in found_nodes:
            if nodes[node]["kind"] == "file":
                hits.add(hits.files, node, 0.8, f"module named in the issue: {dotted}")
            else:
                hits.add(hits.symbols, node, 1.2, f"named in the issue: {dotted}")
    return hits


def handlers_of_named_classes(graph: CodeGraph, mentions: Mentions) -> dict[str, tuple[float, str]]:
    """Methods dispatched by the name of a class the issue names (`_print_SeqFormula` prints `SeqFormula`,
    `visit_Tuple` visits `Tuple`) → (1 shared among that class's handlers, reason)."""
    nodes = graph.graph.nodes
    by_name = graph.resolver.by_name
    classes = {
        name
        for name in mentions.identifiers
        if name[:1].isupper() and any(nodes[node]["kind"] == "class" for node in by_name.get(name, ()))
    }
    handlers: dict[str, list[str]] = defaultdict(list)
    if classes:
        for name, found in by_name.items():
            if (handler := HANDLER.fullmatch(name)) and handler.group(1) in classes:
                handlers[handler.group(1)].extend(n for n in found if nodes[n]["kind"] in ("function", "method"))
    return {
        node: (1.0 / math.sqrt(len(methods)), f"handles {handled}, which the issue names")
        for handled, methods in handlers.items()
        for node in methods
    }


def _match_phrases(graph: CodeGraph, phrases: dict[str, str], hits: MentionHits) -> None:
    """Symbols whose multi-word name the issue spells out in prose: "the assertion re-writer" → `AssertionRewriter`."""
    nodes = graph.graph.nodes
    for name, found in graph.resolver.by_name.items():
        written = phrases.get(name.replace("_", "").lower())
        if not written or len(split_identifier(name)) < 2:
            continue
        symbols = [node for node in found if nodes[node]["kind"] != "file"]
        if 0 < len(symbols) <= AMBIGUITY_LIMIT:
            for node in symbols:
                hits.add(hits.symbols, node, PHRASE_WEIGHT / math.sqrt(len(symbols)), f"named in the issue: {written}")
