"""What the issue's code hands to the repository, followed to the calls that act on it.

`r.iter_content(16 * 1024, decode_unicode=True)`: `iter_content` reads `decode_unicode` in an `if` that calls
`stream_decode_response_unicode`, the function deciding what the argument does. `s.headers["Accept"] = None` on a
`requests.Session()`: the session passes `self.headers` to `merge_setting`, where its values are merged. A developer
follows the argument or the attribute from the function or object the issue uses into such callees; BM25 sees
neither, as their names are not the issue's words.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from memory.codegraph.issue_code import instances_in
from memory.codegraph.link import is_test_path
from memory.codegraph.literals import source_texts

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph

CALL = re.compile(r"(?<![\w.])(?<!def )(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*)\(")
KEYWORD = re.compile(r"(?<![\w.=!<>])([a-z_]\w*)\s*=\s*(?:True|False|None|-?\d|[rbuf]?[\"'])")
"""A keyword argument given a literal value: the issue's own choice, not a variable passed along (`item=item`)."""
INSTANCE_ATTRIBUTE = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\.([a-z_]\w*)\b(?!\s*\()")
GUARD = re.compile(r"\s*(?:el)?if\b|\s*while\b")
MAX_FUNCTIONS = 3
"""Functions of one name taking the keyword: more, and the call says nothing about which one the issue used."""
GUARDED_LINES = 4
"""The lines below an `if` on the argument whose calls are what the argument turns on."""


def keyword_arguments(text: str) -> list[tuple[str, str]]:
    """(called name, keyword) for each keyword argument of a call in the issue: `f(x, flag=True)` → (`f`, `flag`)."""
    found: list[tuple[str, str]] = []
    for match in CALL.finditer(text):
        depth, position = 1, match.end()
        arguments: list[str] = []
        while position < len(text) and depth and position - match.end() < 400:
            character = text[position]
            depth += {"(": 1, ")": -1}.get(character, 0)
            arguments.append(character if depth == 1 else " ")
            position += 1
        found += [(match.group(1), keyword.group(1)) for keyword in KEYWORD.finditer("".join(arguments))]
    return list(dict.fromkeys(found))


def _takes(signature: str, parameter: str) -> bool:
    return re.search(rf"[(,\s*]{parameter}\s*[=:,)]", signature) is not None


def _body_lines(source: str, start: int, end: int) -> list[tuple[int, str]]:
    """(line number, text) of a function's lines after its `def` header."""
    lines = source.split("\n")[start - 1 : end]
    header = next((i for i, line in enumerate(lines) if line.rstrip().endswith(":")), 0)
    return [(start + i, line) for i, line in enumerate(lines) if i > header]


def _acting_lines(lines: list[tuple[int, str]], read: re.Pattern[str]) -> list[str]:
    """The lines whose calls act on what `read` finds: the line reading it, and the block an `if` on it guards."""
    acting: list[str] = []
    for position, (_, line) in enumerate(lines):
        if not read.search(line):
            continue
        acting.append(line)
        if GUARD.match(line):
            indent = len(line) - len(line.lstrip())
            for _, below in lines[position + 1 : position + 1 + GUARDED_LINES]:
                if below.strip() and len(below) - len(below.lstrip()) <= indent:
                    break
                acting.append(below)
    return acting


def _followed(graph: CodeGraph, function: str, read: re.Pattern[str], skip: re.Pattern[str] | None) -> list[str]:
    """What `function` (or a function nested in it) calls on the lines acting on what `read` finds."""
    store = graph.graph
    data = store.nodes[function]
    source = source_texts(graph).get(data["path"])
    if source is None:
        return []
    lines = [
        (n, line) for n, line in _body_lines(source, data["start"], data["end"]) if not (skip and skip.match(line))
    ]
    called = {match.group(1) for line in _acting_lines(lines, read) for match in CALL.finditer(line)}
    if not called:
        return []
    scope = [function] + [target for _, target, kind in store.out_edges(function, keys=True) if kind == "contains"]
    return [
        target
        for node in scope
        for _, target, kind in store.out_edges(node, keys=True)
        if kind == "calls" and target != function and store.nodes[target]["name"] in called
    ]


def argument_callees(graph: CodeGraph, text: str) -> dict[str, tuple[float, str]]:
    """Node ids → (weight, reason) for the callees acting on keyword arguments and attributes the issue's code uses."""
    found: dict[str, tuple[float, str]] = {}

    def add(callees: list[str], reason: str) -> None:
        """Each of `callees` gets a share of the weight: the fewer they are, the more each says."""
        chosen = [callee for callee in dict.fromkeys(callees) if not is_test_path(nodes[callee]["path"])]
        for callee in chosen:
            found[callee] = (found.get(callee, (0.0, ""))[0] + 1.0 / math.sqrt(len(chosen)), reason)

    nodes = graph.graph.nodes
    for name, keyword in keyword_arguments(text):
        taking = [
            node
            for node in graph.resolver.by_name.get(name, ())
            if nodes[node]["kind"] in ("function", "method")
            and not is_test_path(nodes[node]["path"])
            and _takes(nodes[node].get("signature", ""), keyword)
        ]
        if not 0 < len(taking) <= MAX_FUNCTIONS:
            continue
        read = re.compile(rf"(?<![\w.]){keyword}\b(?!\s*=[^=])")
        callees = [callee for function in taking for callee in _followed(graph, function, read, None)]
        add(callees, f"acts on {keyword}=, which the issue passes to {name}")
    instances = instances_in(graph, text)
    for variable, attribute in dict.fromkeys(INSTANCE_ATTRIBUTE.findall(text)):
        owner = instances.get(variable)
        if owner is None or graph.resolver.member(owner, attribute) is not None:
            continue
        read = re.compile(rf"\bself\.{attribute}\b")
        stored = re.compile(rf"\s*self\.{attribute}\s*(?::[^=]+)?=[^=]")
        methods = [t for _, t, kind in graph.graph.out_edges(owner, keys=True) if kind == "contains"]
        callees = [callee for method in methods for callee in _followed(graph, method, read, stored)]
        add(callees, f"acts on {nodes[owner]['qualname']}.{attribute}, which the issue's code uses")
    return found
