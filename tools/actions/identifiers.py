"""Renaming in JavaScript, TypeScript, Java and Go: the definition's file and every file the code graph says refers
to it, changing the identifiers that spell the name, except where a local variable or parameter of the same name
shadows it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.errors import ToolError
from tools.actions.apply import TREE_SITTER_GRAMMARS, Proposal
from tools.actions.source_tree import graph_of, host_root
from tools.actions.targets import Target
from tools.base import ToolContext

NAME_TYPES = ("identifier", "type_identifier", "shorthand_property_identifier")
MEMBER_TYPES = ("property_identifier", "field_identifier")
SCOPE_TYPES = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "generator_function_declaration",
        "arrow_function",
        "method_definition",
        "method_declaration",
        "constructor_declaration",
        "lambda_expression",
        "func_literal",
    }
)
LOCAL_DECLARATIONS = frozenset(
    {
        "variable_declarator",
        "formal_parameters",
        "required_parameter",
        "optional_parameter",
        "formal_parameter",
        "catch_formal_parameter",
        "inferred_parameters",
        "parameter_declaration",
        "var_spec",
        "const_spec",
        "arrow_function",
        "catch_clause",
    }
)
JAVA_METHOD_NAME_PARENTS = frozenset({"method_invocation", "method_declaration", "method_reference"})
STRING_TYPES = frozenset(
    {"string", "string_literal", "interpreted_string_literal", "raw_string_literal", "template_string"}
)


def _walk(node: Any) -> list[Any]:
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(current.children)
    return found


def _is_local_declaration(node: Any) -> bool:
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "expression_list" and parent.parent is not None:
        return parent.parent.type in ("short_var_declaration", "range_clause") and parent == parent.parent.children[0]
    return parent.type in LOCAL_DECLARATIONS and _scope_of(node) is not None


def _scope_of(node: Any) -> Any:
    current = node.parent
    while current is not None and current.type not in SCOPE_TYPES:
        current = current.parent
    return current


def _go_packages(tree: Any) -> set[str]:
    """The names a Go file's imports bind: the alias, else the path's last element."""
    names = set()
    for node in _walk(tree.root_node):
        if node.type == "import_spec":
            alias = node.child_by_field_name("name")
            path = node.child_by_field_name("path")
            if alias is not None:
                names.add(alias.text.decode())
            elif path is not None:
                names.add(path.text.decode().strip('"`').rsplit("/", 1)[-1])
    return names


def _wanted(node: Any, language: str, is_method: bool, packages: set[str]) -> bool:
    parent = node.parent
    parent_type = parent.type if parent is not None else ""
    if language == "java":
        method_position = parent_type in JAVA_METHOD_NAME_PARENTS and (
            parent.child_by_field_name("name") == node or parent_type == "method_reference"
        )
        return bool(method_position if is_method else node.type in NAME_TYPES and not method_position)
    if is_method:
        return node.type in MEMBER_TYPES
    if node.type in NAME_TYPES:
        return True
    if language == "go" and node.type == "field_identifier" and parent_type == "selector_expression":
        operand = parent.child_by_field_name("operand")
        return operand is not None and operand.text.decode() in packages
    return False


def _string_mentions(tree: Any, name: bytes) -> list[int]:
    """Lines of string literals that spell exactly the name (obj["name"], getMethod("name"), reflect lookups)."""
    return [
        node.start_point[0] + 1
        for node in _walk(tree.root_node)
        if node.type in STRING_TYPES and node.text.strip(b"\"'`") == name
    ]


def renamed_text(text: str, language: str, target: Target, new_name: str) -> tuple[str, list[int], list[int]]:
    """The file with the target's name replaced where it refers to the target, the lines of clashes with
    `new_name` (an identifier already spelling it) and the lines of strings spelling the old name."""
    from tree_sitter_language_pack import get_parser

    source = text.encode("utf-8")
    tree = get_parser(language).parse(source)  # type: ignore[arg-type]
    old, new = target.name.encode(), new_name.encode()
    is_method = target.kind == "method"
    packages = _go_packages(tree) if language == "go" else set()
    nodes = [n for n in _walk(tree.root_node) if n.type in NAME_TYPES + MEMBER_TYPES]
    clashes = [n.start_point[0] + 1 for n in nodes if n.text == new]
    named = [n for n in nodes if n.text == old]
    shadows = [_scope_of(n) for n in named if n.type == "identifier" and _is_local_declaration(n)]
    spans = []
    for node in named:
        if not _wanted(node, language, is_method, packages):
            continue
        shadowable = node.type == "identifier" and not (language == "java" and is_method)
        if shadowable and any(s.start_byte <= node.start_byte < s.end_byte for s in shadows):
            continue
        spans.append((node.start_byte, node.end_byte))
    for start, end in sorted(spans, reverse=True):
        source = source[:start] + new + source[end:]
    return source.decode("utf-8"), clashes, _string_mentions(tree, old)


DEFINITION_TYPES = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "class_declaration",
        "method_definition",
        "method_declaration",
        "interface_declaration",
        "type_spec",
    }
)


def definitions_beside(text: str, language: str, target: Target) -> list[int]:
    """Lines of the definitions named like the target in the same class or file (Go: the same receiver type)."""
    from tree_sitter_language_pack import get_parser

    tree = get_parser(language).parse(text.encode("utf-8"))  # type: ignore[arg-type]
    named = [
        node
        for node in _walk(tree.root_node)
        if node.type in DEFINITION_TYPES
        and (name := node.child_by_field_name("name")) is not None
        and name.text == target.name.encode()
    ]
    home = next((n for n in named if n.start_point[0] + 1 <= target.start_line <= n.end_point[0] + 1), None)
    if home is None:
        return []
    container = _container(home)
    return sorted(n.start_point[0] + 1 for n in named if _container(n) == container and _receiver(n) == _receiver(home))


def _container(node: Any) -> tuple[int, int]:
    current = node.parent
    while current is not None and current.type not in ("class_body", "interface_body", "program", "source_file"):
        current = current.parent
    return (current.start_byte, current.end_byte) if current is not None else (0, 0)


def _receiver(node: Any) -> bytes:
    receiver = node.child_by_field_name("receiver")
    return receiver.text.replace(b"*", b"").split()[-1] if receiver is not None else b""


def rename_with_identifiers(ctx: ToolContext, target: Target, new_name: str, proposal: Proposal) -> Proposal:
    graph = graph_of(ctx)
    if graph is None:
        raise ToolError(
            f"renaming outside Python needs the code graph to find {target.name}'s references; nothing was changed",
            hint="edit with search_replace",
        )
    symbol = f"{target.path}:{target.qualname}"
    files = dict.fromkeys([target.path] + [ref.source.path for ref in graph.references(symbol)])
    root = host_root(ctx)
    home_language = TREE_SITTER_GRAMMARS[Path(target.path).suffix.lower()]
    twice = definitions_beside((root / target.path).read_text(encoding="utf-8"), home_language, target)
    if len(twice) > 1:
        raise ToolError(
            f"{target.name} is defined {len(twice)} times in {target.path} (lines {', '.join(map(str, twice))}); "
            "callers may mean either, so nothing was changed",
            hint="remove the duplicate first, or edit with search_replace",
        )
    for path in files:
        language = TREE_SITTER_GRAMMARS.get(Path(path).suffix.lower())
        if language is None:
            continue
        before = (root / path).read_text(encoding="utf-8")
        after, clashes, strings = renamed_text(before, language, target, new_name)
        if strings:
            raise ToolError(
                f"{target.name} is spelt as a string in {path} (line {strings[0]}), which may reach it by name "
                '(obj["name"], reflection); a rename would break that, so nothing was changed',
                hint="edit those places by hand with search_replace if the rename is still wanted",
            )
        if clashes:
            raise ToolError(
                f"{new_name} is already used in {path} (line {clashes[0]}); renaming would make the two one name, "
                "so nothing was changed"
            )
        proposal.change(path, before, after)
    return proposal
