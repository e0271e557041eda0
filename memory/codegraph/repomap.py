"""A repository map ranked for the task: personalized PageRank from what the task mentions, fitted to a budget."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph

CHARS_PER_TOKEN = 4
EDGE_WEIGHTS = {"calls": 1.0, "inherits": 1.5, "imports": 0.5, "contains": 0.7, "tests": 0.2}


def rank_nodes(graph: CodeGraph, seeds: dict[str, float]) -> dict[str, float]:
    """PageRank over the symbol graph (edges both ways), personalized on `seeds` when any are in the graph."""
    import networkx as nx

    weighted: nx.DiGraph[str] = nx.DiGraph()
    weighted.add_nodes_from(graph.graph.nodes)
    for source, target, kind in graph.graph.edges(keys=True):
        weight = EDGE_WEIGHTS.get(kind, 0.5)
        for u, v in ((source, target), (target, source)):
            previous = weighted.get_edge_data(u, v, {}).get("weight", 0.0)
            weighted.add_edge(u, v, weight=previous + weight)
    personalization = {node: value for node, value in seeds.items() if node in weighted and value > 0}
    if not weighted.number_of_nodes():
        return {}
    try:
        return dict(nx.pagerank(weighted, alpha=0.85, personalization=personalization or None, max_iter=60, tol=1e-5))
    except nx.PowerIterationFailedConvergence:
        return {node: 1.0 / weighted.number_of_nodes() for node in weighted}


def seeds_from_mentions(graph: CodeGraph, mentions: list[str]) -> dict[str, float]:
    seeds: dict[str, float] = {}
    for mention in mentions:
        for node in graph.resolve_symbol(mention)[:5]:
            seeds[node] = seeds.get(node, 0.0) + 1.0
        if mention in graph.graph:
            seeds[mention] = seeds.get(mention, 0.0) + 1.0
    return seeds


def render(graph: CodeGraph, ranked: list[str], count: int) -> str:
    by_file: dict[str, list[str]] = defaultdict(list)
    order: list[str] = []
    for node in ranked[:count]:
        path = graph.graph.nodes[node]["path"]
        if path not in by_file:
            order.append(path)
        if node != path:
            by_file[path].append(node)
    lines: list[str] = []
    for path in order:
        lines.append(f"{path}:")
        for node in sorted(by_file[path], key=lambda n: graph.graph.nodes[n]["start"]):
            data = graph.graph.nodes[node]
            depth = data["qualname"].count(".")
            signature = data.get("signature") or data["qualname"]
            lines.append(f"{'  ' * (depth + 1)}{data['start']}: {signature}")
    return "\n".join(lines)


def repo_map(graph: CodeGraph, mentions: list[str], token_budget: int = 1024) -> str:
    """The highest-ranked definitions, grouped by file, as many as fit in `token_budget` tokens."""
    scores = rank_nodes(graph, seeds_from_mentions(graph, mentions))
    ranked = sorted(
        (n for n in scores if graph.graph.nodes[n].get("kind") != "file" or n in mentions),
        key=lambda n: -scores[n],
    )
    budget_chars = token_budget * CHARS_PER_TOKEN
    low, high, best = 1, len(ranked), ""
    while low <= high:
        middle = (low + high) // 2
        text = render(graph, ranked, middle)
        if len(text) <= budget_chars:
            best, low = text, middle + 1
        else:
            high = middle - 1
    return best
