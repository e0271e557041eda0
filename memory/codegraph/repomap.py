"""A repository map ranked for the task: personalized PageRank from what the task mentions, fitted to a budget."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph

CHARS_PER_TOKEN = 4
EDGE_WEIGHTS = {"calls": 1.0, "inherits": 1.5, "imports": 0.5, "contains": 0.7, "tests": 0.2}
DAMPING = 0.85
MAX_ITERATIONS = 60
TOLERANCE = 1e-5


@dataclass
class Transitions:
    """The graph's edges (both ways, weighted by kind) as a transition matrix in coordinate form, per version."""

    version: int
    nodes: list[str]
    sources: Any
    targets: Any
    shares: Any
    """The share of its source's rank each entry carries to its target."""
    dangling: Any
    """Nodes without edges: their rank flows back to the seeds."""


def transitions(graph: CodeGraph) -> Transitions:
    cached: Transitions | None = getattr(graph, "_transitions", None)
    if cached is not None and cached.version == graph.version:
        return cached
    import numpy as np

    nodes = list(graph.graph.nodes)
    number = {node: index for index, node in enumerate(nodes)}
    edges = list(graph.graph.edges(keys=True))
    ends = np.array([(number[source], number[target]) for source, target, _ in edges], dtype=np.int64).reshape(-1, 2)
    weight = np.array([EDGE_WEIGHTS.get(kind, 0.5) for _, _, kind in edges])
    sources = np.concatenate([ends[:, 0], ends[:, 1]])
    targets = np.concatenate([ends[:, 1], ends[:, 0]])
    weights = np.concatenate([weight, weight])
    out_weight = np.bincount(sources, weights=weights, minlength=len(nodes))
    shares = weights / np.where(out_weight[sources] > 0, out_weight[sources], 1.0)
    cached = Transitions(graph.version, nodes, sources, targets, shares, out_weight == 0)
    graph._transitions = cached  # type: ignore[attr-defined]
    return cached


def rank_nodes(graph: CodeGraph, seeds: dict[str, float]) -> dict[str, float]:
    """PageRank over the symbol graph (edges both ways), personalized on `seeds` when any are in the graph."""
    import numpy as np

    chain = transitions(graph)
    size = len(chain.nodes)
    if not size:
        return {}
    number = {node: index for index, node in enumerate(chain.nodes)}
    teleport = np.zeros(size)
    for node, value in seeds.items():
        if node in number and value > 0:
            teleport[number[node]] += value
    teleport = teleport / teleport.sum() if teleport.sum() > 0 else np.full(size, 1.0 / size)
    rank = teleport.copy()
    for _ in range(MAX_ITERATIONS):
        previous = rank
        flow = np.bincount(chain.targets, weights=chain.shares * previous[chain.sources], minlength=size)
        rank = DAMPING * (flow + previous[chain.dangling].sum() * teleport) + (1 - DAMPING) * teleport
        if np.abs(rank - previous).sum() < size * TOLERANCE:
            break
    return dict(zip(chain.nodes, rank.tolist(), strict=True))


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
