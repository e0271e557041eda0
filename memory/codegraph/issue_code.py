"""The repository's functions an issue's code uses, found as Python would: through its imports and assignments.

`import seaborn as sns` makes `sns.PairGrid(...)` the `PairGrid` that `seaborn` exports (wherever it is defined),
and `g = sns.PairGrid(...)` makes `g.map(...)` that class's `map` (or the one it inherits); `str(e)` calls the
`__str__` of a class the issue names; `xr.concat(...)` with no import is the package whose conventional short name
`xr` is. A function found so is surer than one `mentions.py` matches by name alone; names no import explains are
left to it.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph

PROMPT = r"^[ \t]*(?:>>>[ \t]*|In \[\d+\]:[ \t]*)?"
IMPORT = re.compile(PROMPT + r"import[ \t]+([\w.]+)(?:[ \t]+as[ \t]+(\w+))?", re.MULTILINE)
FROM_IMPORT = re.compile(PROMPT + r"from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([\w \t,]+)", re.MULTILINE)
ASSIGNMENT = re.compile(PROMPT + r"(\w+)[ \t]*=[ \t]*([\w.]+)[ \t]*\(", re.MULTILINE)
ATTRIBUTE = re.compile(r"(?<![\w.])([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)+)")
CODE_USE_WEIGHT = 1.2
"""As much as a dotted name written out (`pkg.mod.Class`)."""


def imported_names(text: str) -> dict[str, str]:
    """Local name → the dotted name it stands for, from the import lines of the issue's code."""
    names: dict[str, str] = {}
    for match in IMPORT.finditer(text):
        module, alias = match.group(1), match.group(2)
        names[alias or module.split(".")[0]] = module if alias else module.split(".")[0]
    for match in FROM_IMPORT.finditer(text):
        for item in match.group(2).split(","):
            words = item.split()
            if len(words) == 1:
                names[words[0]] = f"{match.group(1)}.{words[0]}"
            elif len(words) == 3 and words[1] == "as":
                names[words[2]] = f"{match.group(1)}.{words[0]}"
    return names


def _expanded(dotted: str, names: dict[str, str]) -> str | None:
    head, _, rest = dotted.partition(".")
    if head not in names:
        return None
    return f"{names[head]}.{rest}" if rest else names[head]


def _abbreviates(short: str, package: str) -> bool:
    """`xr` for xarray, `np` for numpy: two or three letters, the package's first, then others of it in order."""
    rest = iter(package[1:])
    return 2 <= len(short) <= 3 and short[0] == package[0] and all(letter in rest for letter in short[1:])


def _top_packages(graph: CodeGraph) -> list[str]:
    packages = (path.split("/") for path in graph.resolver.records if path.endswith("/__init__.py"))
    return sorted({parts[-2] for parts in packages if len(parts) == 2 or (len(parts) == 3 and parts[0] == "src")})


def _known_names(graph: CodeGraph, text: str) -> dict[str, str]:
    """Local name → dotted name: the issue's imports, the repository's own top-level packages as if imported
    (`requests.Session()` without `import requests`), and the conventional short name of one of them when the
    issue never imports it (`xr.concat(...)` in an xarray issue)."""
    heads = {match.group(1) for match in ATTRIBUTE.finditer(text)}
    names = {
        head: head
        for head in heads
        if (module := graph.resolver.find_module(head)) is not None and module.count("/") <= 1
    }
    packages = _top_packages(graph)
    for head in heads - names.keys() - sys.stdlib_module_names:
        meant = [package for package in packages if _abbreviates(head, package)]
        if len(meant) == 1:
            names[head] = meant[0]
    names.update(imported_names(text))
    return names


def _instances(graph: CodeGraph, text: str, names: dict[str, str]) -> dict[str, str]:
    """Variable → the repository class it was made from: `s = requests.Session()`."""
    instances: dict[str, str] = {}
    for match in ASSIGNMENT.finditer(text):
        target = _expanded(match.group(2), names)
        node = graph.resolver.resolve_dotted(target) if target else None
        if node is not None and graph.graph.nodes[node].get("kind") == "class":
            instances[match.group(1)] = node
    return instances


def instances_in(graph: CodeGraph, text: str) -> dict[str, str]:
    """Variables of the issue's code → the repository class each is an instance of."""
    names = _known_names(graph, text)
    return _instances(graph, text, names) if names else {}


def code_uses(graph: CodeGraph, text: str) -> dict[str, tuple[float, str]]:
    """Node ids → (weight, reason) for what the issue's code calls or reads through its imports and variables."""
    resolver = graph.resolver
    names = _known_names(graph, text)
    if not names:
        return {}
    instances = _instances(graph, text, names)
    found: dict[str, tuple[float, str]] = {}
    for match in ATTRIBUTE.finditer(text):
        head, rest = match.group(1), match.group(2)
        written = head + rest
        if head in instances:
            node = resolver.member(instances[head], rest.split(".")[1])
        else:
            target = _expanded(written, names)
            node = resolver.resolve_dotted(target) if target else None
        if node is not None and graph.graph.nodes[node].get("kind") != "file":
            found[node] = (CODE_USE_WEIGHT, f"used by the issue's code: {written}")
    return found


BUILTIN_CALL = re.compile(r"(?<![\w.])(str|repr|len|hash|bool|iter|format|bytes|int|float)\(\s*[A-Za-z_]")
DUNDER_WEIGHT = 0.8


def implied_methods(graph: CodeGraph, text: str, named: dict[str, float]) -> dict[str, tuple[float, str]]:
    """`str(e)` in the issue's code calls `__str__`: the one of a class the issue names (or names a member of)."""
    dunders = {f"__{match.group(1)}__" for match in BUILTIN_CALL.finditer(text)}
    if not dunders:
        return {}
    classes: dict[str, float] = {}
    for node, weight in named.items():
        data = graph.graph.nodes[node] if node in graph.graph else {}
        owner = node if data.get("kind") == "class" else node.rpartition(".")[0] if data.get("kind") == "method" else ""
        if owner in graph.graph and graph.graph.nodes[owner].get("kind") == "class":
            classes[owner] = max(classes.get(owner, 0.0), weight)
    found: dict[str, tuple[float, str]] = {}
    for owner, weight in classes.items():
        for dunder in dunders:
            method = graph.resolver.member(owner, dunder)
            if method is not None:
                reason = f"{dunder.strip('_')}() of {owner.partition(':')[2]} in the issue"
                found[method] = (DUNDER_WEIGHT * weight, reason)
    return found
