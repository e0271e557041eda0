"""One call of a function respelt for its new parameter list: each argument keeps its text and goes where its
parameter now is (by position while the parameters before it are passed by position, by keyword after that), a new
parameter gets its value, a removed one's argument goes. A call that unpacks `*args` or `**kwargs` where the change
could alter what they fill is refused with the reason."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from tools.actions.argument_lists import ItemList, Replacements, item_list, respelt
from tools.actions.parameters import Parameter


class CallRefused(Exception):
    """This call cannot be rewritten safely; the message says why."""


class CallMismatch(Exception):
    """The call's arguments do not fit the function's parameters, so it is not a call of this function as written."""


@dataclass
class _Binding:
    """Which argument of the call passes which parameter."""

    by_position: dict[str, str] = field(default_factory=dict)
    by_keyword: dict[str, str] = field(default_factory=dict)
    """parameter name → the keyword argument's value text"""
    surplus: list[str] = field(default_factory=list)
    """positional arguments beyond the named parameters (into *args)"""
    unpacked_tail: list[Parameter] = field(default_factory=list)
    """parameters a `*sequence` argument may fill"""


def call_items(replacements: Replacements, call: ast.Call) -> tuple[ItemList, list[str]]:
    """The call's argument list and each argument's text (with the edits already made inside it), in source order."""
    source, offsets = replacements.source, replacements.offsets
    func_end = offsets.at(call.func.end_lineno or call.func.lineno, call.func.end_col_offset or 0)
    items = item_list(source, source.index("(", func_end))
    nodes: list[ast.expr | ast.keyword] = sorted([*call.args, *call.keywords], key=lambda n: (n.lineno, n.col_offset))
    if len(nodes) != len(items.items):
        raise CallRefused("its argument list could not be read")
    texts = []
    for index, node in enumerate(nodes):
        text = replacements.text(*items.items[index])
        if isinstance(node, ast.GeneratorExp) and not text.startswith("("):
            text = f"({text})"
        texts.append(text)
    return items, texts


def _bind(call: ast.Call, texts: dict[int, str], old: list[Parameter], implicit: int) -> _Binding:
    binding = _Binding()
    positional = [p for p in old if p.positional]
    star = next((i for i, arg in enumerate(call.args) if isinstance(arg, ast.Starred)), len(call.args))
    for index, argument in enumerate(call.args[:star]):
        slot = implicit + index
        if slot < len(positional):
            binding.by_position[positional[slot].name] = texts[id(argument)]
        elif any(p.kind == "var_positional" for p in old):
            binding.surplus.append(texts[id(argument)])
        else:
            fitting = len(positional) - implicit
            raise CallMismatch(
                f"passes {len(call.args)} positional arguments where {fitting} fit{'s' * (fitting == 1)}"
            )
    if star < len(call.args):
        binding.unpacked_tail = positional[implicit + star :]
    keywords = {p.name for p in old if p.kind in ("positional", "keyword_only")}
    for keyword in call.keywords:
        if keyword.arg in keywords:
            binding.by_keyword[keyword.arg] = texts[id(keyword)].split("=", 1)[1].strip()
        elif keyword.arg is not None and not any(p.kind == "var_keyword" for p in old):
            raise CallMismatch(f"passes {keyword.arg}=, which the function does not take")
    return binding


def respell_call(
    replacements: Replacements, call: ast.Call, old: list[Parameter], new: list[Parameter], implicit: int
) -> bool:
    """Adds the edit of the inside of the call's parentheses to `replacements`; False when the call stays as is.
    Calls nested in its arguments must have been respelt first."""
    items, ordered = call_items(replacements, call)
    nodes: list[ast.expr | ast.keyword] = sorted([*call.args, *call.keywords], key=lambda n: (n.lineno, n.col_offset))
    texts = {id(node): text for node, text in zip(nodes, ordered, strict=True)}
    first_keyword = min((n.lineno, n.col_offset) for n in call.keywords) if call.keywords else None
    unpacked = [(a.lineno, a.col_offset) for a in call.args if isinstance(a, ast.Starred)]
    if first_keyword and any(position > first_keyword for position in unpacked):
        raise CallRefused("it unpacks *args after a keyword argument")
    binding = _bind(call, texts, old, implicit)
    unpacks_keywords = any(k.arg is None for k in call.keywords)
    _check_removals(old, new, binding, unpacks_keywords)
    star = next((i for i, arg in enumerate(call.args) if isinstance(arg, ast.Starred)), None)
    new_positional = [p for p in new if p.positional][implicit:]
    old_names = {p.name for p in old}
    if star is None:
        positional, keywords, moved = _without_unpacking(new_positional, binding, old_names)
    else:
        after_star = [texts[id(a)] for a in call.args[star:]]
        positional, keywords, moved = _around_unpacking(new_positional, binding, old_names, old, after_star)
    added_keyword_only = [p for p in new if p.kind == "keyword_only" and p.name not in old_names]
    keywords += [f"{p.name}={p.value}" for p in added_keyword_only if p.value is not None]
    new_names = {p.name for p in new}
    kept = [
        k
        for k in call.keywords
        if k.arg is None or k.arg not in old_names or (k.arg in new_names and k.arg not in moved)
    ]
    splat_at = next((i for i, k in enumerate(kept) if k.arg is None), len(kept))
    kept_texts = [texts[id(k)] for k in kept]
    new_texts = [*positional, *kept_texts[:splat_at], *keywords, *kept_texts[splat_at:]]
    if new_texts == ordered:
        return False
    replacements.add(items.open + 1, items.close, respelt(replacements.source, items, new_texts))
    return True


def _check_removals(old: list[Parameter], new: list[Parameter], binding: _Binding, unpacks_keywords: bool) -> None:
    remaining = {p.name for p in new}
    for parameter in old:
        if parameter.name in remaining or parameter.kind in ("var_positional", "var_keyword"):
            continue
        if parameter.name in binding.by_position or parameter.name in binding.by_keyword:
            continue
        if parameter in binding.unpacked_tail:
            raise CallRefused(f"its *args argument may fill {parameter.name}, which is removed")
        if unpacks_keywords and parameter.kind != "positional_only":
            raise CallRefused(f"its **kwargs argument may hold {parameter.name}, which is removed")


def _source(parameter: Parameter, binding: _Binding, old_names: set[str]) -> tuple[str, str] | None:
    if parameter.name in binding.by_position:
        return "position", binding.by_position[parameter.name]
    if parameter.name in binding.by_keyword:
        return "keyword", binding.by_keyword[parameter.name]
    if parameter.name not in old_names and parameter.value is not None:
        return "new", parameter.value
    return None


def _as_keyword(parameter: Parameter, text: str) -> str:
    if parameter.kind == "positional_only":
        raise CallRefused(f"{parameter.name} is positional-only but would have to follow a parameter left out")
    return f"{parameter.name}={text}"


def _without_unpacking(
    parameters: list[Parameter], binding: _Binding, old_names: set[str]
) -> tuple[list[str], list[str], set[str]]:
    """(positional texts, new keyword texts, parameters whose keyword argument moved) for a call without *args."""
    positional: list[str] = []
    keywords: list[str] = []
    by_position = True
    for parameter in parameters:
        source = _source(parameter, binding, old_names)
        if by_position and source is not None and source[0] != "keyword":
            positional.append(source[1])
            continue
        by_position = False
        if source is not None and source[0] != "keyword":
            keywords.append(_as_keyword(parameter, source[1]))
    if binding.surplus:
        if not by_position:
            raise CallRefused("it passes extra positional arguments to *args, which a parameter left out would shift")
        positional.extend(binding.surplus)
    return positional, keywords, set()


def _around_unpacking(
    parameters: list[Parameter], binding: _Binding, old_names: set[str], old: list[Parameter], after_star: list[str]
) -> tuple[list[str], list[str], set[str]]:
    """The same for a call with `*sequence`: the parameters it fills must stay where they are."""
    tail = [p.name for p in binding.unpacked_tail]
    names = [p.name for p in parameters]
    start = names.index(tail[0]) if tail and tail[0] in names else len(names)
    if names[start : start + len(tail)] != tail:
        raise CallRefused(f"its *args argument fills {', '.join(tail)} by position, which the change moves")
    positional: list[str] = []
    moved: set[str] = set()
    for parameter in parameters[:start]:
        source = _source(parameter, binding, old_names)
        if source is None:
            raise CallRefused(f"its *args argument would shift into {parameter.name}, which the call leaves out")
        positional.append(source[1])
        if source[0] == "keyword":
            moved.add(parameter.name)
    after = parameters[start + len(tail) :]
    if tail and after and any(p.kind == "var_positional" for p in old):
        raise CallRefused(f"its *args argument may now fill {after[0].name}")
    keywords = []
    for parameter in after:
        source = _source(parameter, binding, old_names)
        if source is not None and source[0] != "keyword":
            keywords.append(_as_keyword(parameter, source[1]))
    return positional + after_star, keywords, moved
