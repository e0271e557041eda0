"""Attributes the issue's code names that the repository defines no function or class for: the functions using them.

`pytestmark` in an issue is no symbol of pytest, but `getattr(obj, "pytestmark", [])` and `obj.pytestmark = …` are
where marks are read and stored. A name used so in a few non-test files points at the functions using it; one used
all over (`.value`, `"name"`) points nowhere. The uses come from the lexical index's postings, not from the sources.
A setting the issue assigns (`autodoc_typehints = "description"`) is such a name too: the code reads it as
`config.autodoc_typehints`.
"""

from __future__ import annotations

import math
import re
import sys
from typing import TYPE_CHECKING

from core.python_names import BUILTIN_NAMES
from memory.codegraph.link import is_test_path
from memory.codegraph.text import DOTTED

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph
    from memory.codegraph.lexical import LexicalIndex

DEFINED_OR_QUOTED = re.compile(r"\bdef\s+(\w+)|[\"'](\w+)[\"']")
SETTING = re.compile(r"(?:^|`)[ \t#>]*([a-z][a-z0-9]*_\w+)\s*=(?!=)", re.MULTILINE)
"""A line setting a snake_case name (`autodoc_typehints = "description"`): in an issue, most often a setting of the
project's configuration."""
MIN_LENGTH = 6
"""Shorter names (`data`, `items`) are used everywhere and mean nothing in particular. Capitalised names are
classes of other projects (`Logger`, `TestCase`), not attributes."""
MAX_FILES = 4


def attribute_names(text: str) -> list[str]:
    """Names the issue uses as attributes: dotted names but their first part, a variable (`obj.pytestmark`; not
    `unittest.TestCase`, the standard library's), `def`s, quoted names."""
    dotted = [match.group().split(".") for match in DOTTED.finditer(text)]
    found = [part for parts in dotted if parts[0] not in sys.stdlib_module_names for part in parts[1:]]
    found += [match.group(1) or match.group(2) for match in DEFINED_OR_QUOTED.finditer(text)]
    found += [match.group(1) for match in SETTING.finditer(text)]
    return list(dict.fromkeys(found))


def attribute_users(graph: CodeGraph, index: LexicalIndex, text: str) -> dict[str, tuple[float, str]]:
    """Node ids → (weight, reason) for functions using an attribute the issue names and the repository never defines."""
    nodes = graph.graph.nodes
    hits: dict[str, tuple[float, str]] = {}
    for name in attribute_names(text):
        if len(name) < MIN_LENGTH or name[0].isupper() or name in BUILTIN_NAMES or graph.resolver.by_name.get(name):
            continue
        users = [
            node
            for node in index.symbols_with(name.lower())
            if node in nodes and not is_test_path(nodes[node]["path"]) and nodes[node]["kind"] != "class"
        ]
        files = {nodes[node]["path"] for node in users}
        if not files or len(files) > MAX_FILES:
            continue
        weight = 1.0 / math.sqrt(len(files))
        for node in users:
            previous = hits.get(node, (0.0, ""))[0]
            hits[node] = (previous + weight, f"uses {name}, which the issue names")
    return hits
