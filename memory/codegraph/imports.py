"""Reading import statements into `ImportRecord`s, one reader per language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from memory.codegraph.records import ImportRecord

if TYPE_CHECKING:
    from tree_sitter import Node


def _text(node: Node | None) -> str:
    return (node.text or b"").decode("utf-8", "replace") if node is not None else ""


def _python(node: Node) -> list[ImportRecord]:
    line = node.start_point[0] + 1
    out: list[ImportRecord] = []
    if node.type == "import_statement":
        for child in node.named_children:
            if child.type == "aliased_import":
                module = _text(child.child_by_field_name("name"))
                out.append(ImportRecord(module, alias=_text(child.child_by_field_name("alias")), line=line))
            elif child.type == "dotted_name":
                out.append(ImportRecord(_text(child), line=line))
        return out
    module_node = node.child_by_field_name("module_name")
    level = 0
    module = _text(module_node)
    if module_node is not None and module_node.type == "relative_import":
        prefix = _text(module_node.named_children[0]) if module_node.named_children else ""
        level = prefix.count(".")
        dotted = [c for c in module_node.named_children if c.type == "dotted_name"]
        module = _text(dotted[0]) if dotted else ""
    for child in node.named_children:
        if child is module_node:
            continue
        if child.type == "wildcard_import":
            out.append(ImportRecord(module, name="*", level=level, line=line))
        elif child.type == "aliased_import":
            name = _text(child.child_by_field_name("name"))
            alias = _text(child.child_by_field_name("alias"))
            out.append(ImportRecord(module, name=name, alias=alias, level=level, line=line))
        elif child.type == "dotted_name":
            out.append(ImportRecord(module, name=_text(child), level=level, line=line))
    return out


def _javascript(node: Node, source: str) -> list[ImportRecord]:
    line = node.start_point[0] + 1
    out: list[ImportRecord] = []
    clause = next((c for c in node.named_children if c.type == "import_clause"), None)
    if clause is None:
        return [ImportRecord(source, line=line)]
    for child in clause.named_children:
        if child.type == "identifier":
            out.append(ImportRecord(source, name="default", alias=_text(child), line=line))
        elif child.type == "namespace_import":
            alias = next((_text(c) for c in child.named_children if c.type == "identifier"), "")
            out.append(ImportRecord(source, alias=alias, line=line))
        elif child.type == "named_imports":
            for spec in child.named_children:
                if spec.type == "import_specifier":
                    name = _text(spec.child_by_field_name("name"))
                    alias = _text(spec.child_by_field_name("alias"))
                    out.append(ImportRecord(source, name=name, alias=alias, line=line))
    return out


def parse_import(language: str, captures: dict[str, list[Node]]) -> list[ImportRecord]:
    node = captures["import"][0]
    source = _text(captures["import.source"][0]) if "import.source" in captures else ""
    if language == "python":
        return _python(node)
    if language in ("javascript", "typescript", "tsx"):
        return _javascript(node, source)
    line = node.start_point[0] + 1
    if language == "java":
        if any(child.type == "asterisk" for child in node.children):
            return [ImportRecord(source, name="*", line=line)]
        module, _, name = source.rpartition(".")
        return [ImportRecord(module, name=name, line=line)]
    if language == "go":
        alias = _text(captures["import.alias"][0]) if "import.alias" in captures else ""
        return [ImportRecord(source.strip('"`'), alias=alias, line=line)]
    return []
