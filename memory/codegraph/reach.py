"""What the graph knows and BM25 does not: functions reached through calls from the ones an issue names.

An issue names the entry point it used (`iter_content(decode_unicode=True)`, `Expression.compile("False")`); the
fault is often a few calls further down, in a function whose words match the issue only weakly. Such a function
earns a share of the named one's weight in proportion to its own lexical match, fading with each call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph

REACH_HOPS = 2
REACH_WEIGHT = 1.0
MAX_REACHED = 200
"""Functions visited per named function: a dispatcher can call hundreds."""
CALLER_WEIGHT = 1.0
"""A caller of a named function, relative to a callee one call away: where the named function is used wrongly."""


def _callees(graph: CodeGraph, node: str) -> list[str]:
    """Functions `node` calls; for a class, its methods and what they call."""
    store = graph.graph
    if store.nodes[node].get("kind") == "class":
        return [target for _, target, kind in store.out_edges(node, keys=True) if kind in ("contains", "calls")]
    return [target for _, target, kind in store.out_edges(node, keys=True) if kind == "calls"]


def store_kind(graph: CodeGraph, node: str) -> str:
    return str(graph.graph.nodes[node].get("kind", ""))


def _callers(graph: CodeGraph, node: str) -> list[str]:
    callers = [source for source, _, kind in graph.graph.in_edges(node, keys=True) if kind == "calls"]
    return callers[:MAX_REACHED]


def reached(graph: CodeGraph, named: dict[str, float], lexical: dict[str, float]) -> dict[str, tuple[float, str]]:
    """Node → (weight, reason) for functions within `REACH_HOPS` calls of a named one that match the issue's words."""
    found: dict[str, tuple[float, str]] = {}
    for start, weight in named.items():
        if start not in graph.graph:
            continue
        seen = {start}
        frontier = [start]
        start_name = graph.graph.nodes[start].get("qualname") or start
        for hop in range(1, REACH_HOPS + 1):
            following: list[str] = []
            for node in frontier:
                for callee in _callees(graph, node):
                    if callee in seen or len(seen) >= MAX_REACHED:
                        continue
                    seen.add(callee)
                    following.append(callee)
                    share = REACH_WEIGHT * weight * lexical.get(callee, 0.0) / hop
                    if share > found.get(callee, (0.0, ""))[0]:
                        found[callee] = (share, f"reached from {start_name} in {hop} call{'s' if hop > 1 else ''}")
            frontier = following
        if store_kind(graph, start) != "class":
            for caller in _callers(graph, start):
                share = CALLER_WEIGHT * weight * lexical.get(caller, 0.0)
                if share > found.get(caller, (0.0, ""))[0]:
                    found[caller] = (share, f"calls {start_name}")
    return found

