"""A Python signature change as a `Proposal`: the definition's new parameter list and every call respelt for it.

The calls are those rope's occurrence finder links to the function (in a file rope cannot read, the calls of the
name on the lines the code graph links to it). Each call is rewritten by `call_sites`, innermost first, so calls
nested in another call's arguments are kept; any call that cannot be rewritten safely makes the whole change refused.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.errors import ToolError
from tools.actions.apply import Proposal
from tools.actions.argument_lists import Replacements
from tools.actions.call_sites import CallMismatch, CallRefused, respell_call
from tools.actions.parameters import (
    Definition,
    FunctionNode,
    NewParameterSpec,
    Parameter,
    definition_text,
    new_parameters,
    read_definition,
)
from tools.actions.python_rope import called_at
from tools.actions.source_tree import graph_of, host_root
from tools.actions.targets import Target
from tools.base import ToolContext

MAX_REASONS_SHOWN = 5


def _receiver_passed(call: ast.Call, definition: Definition, class_name: str) -> int:
    """1 when the call passes the method's first parameter implicitly (`obj.method(...)`, `cls.method(...)`), 0 when
    explicitly (`Class.method(obj, ...)`, a function, a staticmethod)."""
    if not definition.bound_first or not isinstance(call.func, ast.Attribute):
        return 0
    receiver = call.func.value
    named = receiver.id if isinstance(receiver, ast.Name) else getattr(receiver, "attr", None)
    return 1 if definition.is_classmethod or named != class_name else 0


@dataclass
class _Rewrite:
    target: Target
    definition: Definition
    new: list[Parameter]
    refused: list[str] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)

    def calls_in(self, path: str, source: str, name_offsets: set[int], lines: set[int]) -> Replacements:
        """The file's edits: each call whose name starts at one of `name_offsets` or, in a file rope could not
        read, each call of the name on one of `lines`."""
        replacements = Replacements(source)
        offsets = replacements.offsets
        calls = []
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == self.target.name:
                name_at = offsets.at(func.end_lineno or func.lineno, func.end_col_offset or 0) - len(func.attr)
            elif isinstance(func, ast.Name) and func.id == self.target.name:
                name_at = offsets.at(func.lineno, func.col_offset)
            else:
                continue
            if name_at in name_offsets or node.lineno in lines:
                calls.append(node)
        innermost_first = sorted(calls, key=lambda n: (-n.lineno, -n.col_offset))
        class_name = self.target.qualname.split(".")[-2] if "." in self.target.qualname else ""
        for call in innermost_first:
            implicit = _receiver_passed(call, self.definition, class_name)
            try:
                respell_call(replacements, call, self.definition.parameters, self.new, implicit)
            except CallRefused as exc:
                self.refused.append(f"{path}:{call.lineno}: {exc}")
            except CallMismatch as exc:
                self.left_alone.append(f"{path}:{call.lineno} ({exc})")
            except (SyntaxError, ValueError):
                self.refused.append(f"{path}:{call.lineno}: its argument list could not be read")
        return replacements


def _linked_call_lines(ctx: ToolContext, target: Target) -> dict[str, set[int]]:
    graph = graph_of(ctx)
    lines: dict[str, set[int]] = {}
    if graph is not None:
        for reference in graph.references(f"{target.path}:{target.qualname}"):
            if reference.kind == "calls":
                lines.setdefault(reference.source.path, set()).add(reference.line)
    return lines


def signature_proposal(
    ctx: ToolContext,
    target: Target,
    function: FunctionNode,
    change: tuple[list[NewParameterSpec], list[str], list[str]],
    proposal: Proposal,
    overloads: Sequence[FunctionNode] = (),
) -> Proposal:
    """`change`: (parameters to add, names to remove, new order); `overloads`: the function's `typing.overload`
    stubs, whose parameter lists change alike."""
    root = host_root(ctx)
    source = (root / target.path).read_text(encoding="utf-8")
    definition = read_definition(source, function, in_class=target.kind == "method")
    used = {node.id for node in ast.walk(function) if isinstance(node, ast.Name)}
    rewrite = _Rewrite(target, definition, new_parameters(definition, *change, used=used))
    called, unread = called_at(ctx, target)
    linked = _linked_call_lines(ctx, target)
    for path in sorted({*called, *unread, target.path}):
        before = source if path == target.path else (root / path).read_text(encoding="utf-8")
        lines = linked.get(path, set()) if path in unread else set()
        replacements = rewrite.calls_in(path, before, set(called.get(path, [])), lines)
        if path == target.path:
            items = definition.items
            replacements.add(items.open + 1, items.close, definition_text(source, definition, rewrite.new))
            for stub in overloads:
                signature = read_definition(source, stub, in_class=target.kind == "method")
                respelt = definition_text(source, signature, new_parameters(signature, *change, used=set()))
                replacements.add(signature.items.open + 1, signature.items.close, respelt)
        proposal.change(path, before, replacements.result())
    if rewrite.refused:
        more = len(rewrite.refused) - MAX_REASONS_SHOWN
        shown = "; ".join(rewrite.refused[:MAX_REASONS_SHOWN]) + (f" and {more} more" if more > 0 else "")
        raise ToolError(
            f"cannot change the signature of {target.qualname} safely: {shown}; nothing was changed",
            hint="pass those arguments explicitly at those calls first, or edit with search_replace",
        )
    proposal.notes.extend(f"left alone, its arguments do not fit the old signature: {c}" for c in rewrite.left_alone)
    return proposal
