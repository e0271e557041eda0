"""Parse one file's bytes into a `FileRecord` with the language's tag query."""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

from memory.codegraph.imports import parse_import
from memory.codegraph.languages import parser_for, query_for
from memory.codegraph.records import CallRecord, FileRecord, SymbolRecord
from memory.codegraph.text import terms

if TYPE_CHECKING:
    from tree_sitter import Node

SIMPLE_CALLEE = re.compile(r"[\w.]+")
PLACEHOLDER = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]|%\(\w+\)[a-zA-Z]|\{[^{}]*\}|\\[ntr]")
"""`%s`, `%(name)s`, `{}`, `{name!r}` and escapes: where a message's text varies."""
MIN_STRING_PIECE = 12
TERMS_PER_SYMBOL = 400
DEFINITION_TYPES = {"class_definition", "function_definition", "decorated_definition"}


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


class _Definition:
    __slots__ = ("bases", "kind", "name", "node", "qualname", "receiver")

    def __init__(self, node: Node, kind: str, name: str) -> None:
        self.node = node
        self.kind = kind
        self.name = name
        self.bases: list[str] = []
        self.receiver = ""
        self.qualname = name


def _signature(node: Node, source: bytes) -> str:
    body = node.child_by_field_name("body")
    end = body.start_byte if body is not None else node.end_byte
    head = source[node.start_byte : min(end, node.start_byte + 400)].decode("utf-8", "replace")
    lines = [line for line in head.splitlines() if not line.strip().startswith(("#", "//"))]
    return " ".join(" ".join(lines).split()).rstrip(":{ ")[:240]


def _docstring(node: Node) -> str:
    body = node.child_by_field_name("body")
    if body is not None and body.named_child_count:
        first = body.named_children[0]
        if first.type == "expression_statement" and first.named_child_count:
            first = first.named_children[0]
        if first.type == "string":
            return " ".join(_text(first).strip("\"' \n").split())[:300]
    previous = node.prev_named_sibling
    if previous is not None and previous.type == "comment" and previous.end_point[0] + 1 >= node.start_point[0]:
        return " ".join(_text(previous).strip("/*# \n").split())[:300]
    return ""


def _callee_text(call: Node, callee: Node) -> str:
    text = _text(callee)
    if call.type == "method_invocation":
        target = call.child_by_field_name("object")
        text = f"{_text(target)}.{text}" if target is not None else text
    if SIMPLE_CALLEE.fullmatch(text):
        return text
    tail = text.rsplit(".", 1)[-1]
    return "?." + tail if SIMPLE_CALLEE.fullmatch(tail) else ""


def _string_pieces(literal: str) -> list[str]:
    """The fixed parts of a string literal's text: quotes and prefixes off, cut at format placeholders."""
    body = literal.lstrip("bBrRuUfF").strip("'\"")
    pieces = (" ".join(piece.split()).strip(" .,:;-") for piece in PLACEHOLDER.split(body))
    return [piece for piece in pieces if len(piece) >= MIN_STRING_PIECE and " " in piece]


def _error_lines(root: Node) -> list[int]:
    lines: list[int] = []
    stack = [root]
    while stack and len(lines) < 20:
        node = stack.pop()
        if node.is_error or node.is_missing:
            lines.append(node.start_point[0] + 1)
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return sorted(set(lines))


def _class_body_terms(node: Node, source: bytes) -> str:
    body = node.child_by_field_name("body")
    pieces = [_signature(node, source)]
    if body is not None:
        pieces.extend(_text(child) for child in body.named_children if child.type not in DEFINITION_TYPES)
    return " ".join(terms(" ".join(pieces), TERMS_PER_SYMBOL))


def _role(captures: dict[str, list[Node]]) -> str:
    """What a query pattern finds, from the captures of one of its matches (every match of a pattern has them)."""
    definition = next((key for key in captures if key.startswith("definition.")), "")
    return definition or next((key for key in ("reference.call", "import", "string") if key in captures), "")


def extract(source: bytes, language: str) -> FileRecord:
    tree = parser_for(language).parse(source)
    root = tree.root_node
    record = FileRecord(language=language, line_count=source.count(b"\n") + 1)
    if root.has_error:
        record.syntax_errors = _error_lines(root)

    from tree_sitter import QueryCursor

    definitions: dict[tuple[int, int], _Definition] = {}
    raw_calls: list[tuple[int, str, int]] = []
    roles: dict[int, str] = {}
    for pattern, captures in QueryCursor(query_for(language)).matches(root):
        role = roles.get(pattern)
        if role is None:
            role = roles[pattern] = _role(captures)
        if role.startswith("definition."):
            kind = role[len("definition.") :]
            node = captures[role][0]
            key = (node.start_byte, node.end_byte)
            found = definitions.get(key)
            if found is None:
                found = definitions[key] = _Definition(node, kind, _text(captures["name"][0]))
            found.bases.extend(_text(base) for base in captures.get("base", []) if _text(base) not in found.bases)
            if "receiver" in captures:
                found.receiver = _text(captures["receiver"][0])
        elif role == "reference.call":
            call = captures["reference.call"][0]
            callee = _callee_text(call, captures["callee"][0])
            if callee:
                raw_calls.append((call.start_byte, callee, call.start_point[0] + 1))
        elif role == "import":
            record.imports.extend(parse_import(language, captures))
        elif role == "string":
            node = captures["string"][0]
            if node.start_point[0] == node.end_point[0] and b" " in (node.text or b""):
                record.strings.extend((node.start_point[0] + 1, piece) for piece in _string_pieces(_text(node)))

    ordered = sorted(definitions.values(), key=lambda d: (d.node.start_byte, -d.node.end_byte))
    stack: list[_Definition] = []
    for definition in ordered:
        while stack and stack[-1].node.end_byte <= definition.node.start_byte:
            stack.pop()
        parent = stack[-1] if stack else None
        if definition.receiver:
            definition.qualname = f"{definition.receiver}.{definition.name}"
        elif parent is not None:
            definition.qualname = f"{parent.qualname}.{definition.name}"
            if definition.kind == "function" and parent.kind == "class":
                definition.kind = "method"
        elif definition.kind == "method":
            definition.kind = "function"
        stack.append(definition)
        node = definition.node
        body_terms = (
            _class_body_terms(node, source)
            if definition.kind == "class"
            else " ".join(terms(_text(node), TERMS_PER_SYMBOL))
        )
        record.symbols.append(
            SymbolRecord(
                name=definition.name,
                qualname=definition.qualname,
                kind=definition.kind,
                start_line=node.start_point[0] + 1,
                end_line=node.end_point[0] + 1,
                signature=_signature(node, source),
                doc=_docstring(node),
                bases=definition.bases,
                terms=body_terms,
            )
        )

    starts = [d.node.start_byte for d in ordered]
    for position, callee, line in raw_calls:
        caller = ""
        index = bisect.bisect_right(starts, position) - 1
        while index >= 0:
            candidate = ordered[index]
            if candidate.node.end_byte > position:
                caller = candidate.qualname
                break
            index -= 1
        record.calls.append(CallRecord(caller=caller, callee=callee, line=line))

    module_text = " ".join(_text(child) for child in root.named_children if child.type not in DEFINITION_TYPES)
    record.module_terms = " ".join(terms(module_text, 2 * TERMS_PER_SYMBOL))
    return record
