"""`GraphStore`: the code graph's nodes and typed edges, in a layout that is cheap to hold, copy and pickle.

It answers the part of networkx's `MultiDiGraph` interface the code graph uses (`nodes[id]`, `edges(keys=True)`,
`in_edges`/`out_edges` with keys and data, `add_edge(u, v, key=kind)` keyed once per (u, v, kind)). An edge is one
`(line, exact)` tuple shared by both directions. A store restored from a snapshot answers from its numpy columns
(`edge_columns.py`) until its first change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from memory.codegraph.edge_columns import Edge, EdgeColumns, FrozenEdges

EdgeKey = tuple[str, str]
"""(the node at the other end, the edge kind)."""
Adjacency = dict[str, dict[EdgeKey, tuple[int, bool]]]


def _shaped(edge: Edge, keys: bool, data: bool) -> tuple[Any, ...]:
    """An edge as networkx gives it: (u, v), (u, v, kind), (u, v, data) or (u, v, kind, data)."""
    source, target, kind, line, exact = edge
    if data:
        details = {"kind": kind, "line": line, "exact": exact}
        return (source, target, kind, details) if keys else (source, target, details)
    return (source, target, kind) if keys else (source, target)


class NodeView:
    """`store.nodes`: node ids, their attribute dicts, and `nodes(data=True)` as networkx spells it."""

    def __init__(self, nodes: dict[str, dict[str, Any]]) -> None:
        self._nodes = nodes

    def __getitem__(self, node: str) -> dict[str, Any]:
        return self._nodes[node]

    def __contains__(self, node: object) -> bool:
        return node in self._nodes

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def get(self, node: str, default: Any = None) -> Any:
        return self._nodes.get(node, default)

    def __call__(self, data: bool = False) -> Iterable[Any]:
        return self._nodes.items() if data else self._nodes.keys()


class GraphStore:
    """Directed edges of a few kinds between string node ids, at most one edge per (source, target, kind)."""

    def __init__(self) -> None:
        self._nodes: dict[str, dict[str, Any]] = {}
        self._out: Adjacency = {}
        self._in: Adjacency = {}
        self._frozen: FrozenEdges | None = None
        """Edges straight from a snapshot, answering lookups until the first change unpacks them."""

    @classmethod
    def restored(cls, nodes: dict[str, dict[str, Any]], columns: EdgeColumns) -> GraphStore:
        store = cls()
        store._nodes = nodes
        store._frozen = FrozenEdges(columns)
        return store

    def _thaw(self) -> None:
        if self._frozen is None:
            return
        frozen, self._frozen = self._frozen, None
        out, into = self._out, self._in
        for source, target, kind, line, exact in frozen.columns.rows():
            value = (line, exact)
            targets = out.get(source)
            if targets is None:
                targets = out[source] = {}
            targets[(target, kind)] = value
            sources = into.get(target)
            if sources is None:
                sources = into[target] = {}
            sources[(source, kind)] = value

    @property
    def nodes(self) -> NodeView:
        return NodeView(self._nodes)

    def __contains__(self, node: object) -> bool:
        return node in self._nodes

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def node_table(self) -> dict[str, dict[str, Any]]:
        """Node id → attributes, as held (for a snapshot)."""
        return self._nodes

    def number_of_nodes(self) -> int:
        return len(self._nodes)

    def edge_kinds(self) -> Counter[str]:
        """How many edges of each kind."""
        if self._frozen is not None:
            import numpy as np

            columns = self._frozen.columns
            counted = np.bincount(columns.kind_numbers, minlength=len(columns.kinds)).tolist()
            return Counter({kind: count for kind, count in zip(columns.kinds, counted, strict=True) if count})
        return Counter(kind for targets in self._out.values() for _, kind in targets)

    def add_node(self, node: str, **attributes: Any) -> None:
        self._nodes.setdefault(node, {}).update(attributes)

    def add_edge(self, source: str, target: str, key: str, line: int = 0, exact: bool = True) -> None:
        """Add (or replace) the `key` edge from `source` to `target`; unknown ends become bare nodes."""
        if self._frozen is not None:
            self._thaw()
        nodes = self._nodes
        if source not in nodes:
            nodes[source] = {}
        if target not in nodes:
            nodes[target] = {}
        value = (line, exact)
        targets = self._out.get(source)
        if targets is None:
            targets = self._out[source] = {}
        targets[(target, key)] = value
        sources = self._in.get(target)
        if sources is None:
            sources = self._in[target] = {}
        sources[(source, key)] = value

    def remove_edges_from(self, edges: Iterable[tuple[str, str, str]]) -> None:
        self._thaw()
        for source, target, key in edges:
            self._out.get(source, {}).pop((target, key), None)
            self._in.get(target, {}).pop((source, key), None)

    def remove_nodes_from(self, nodes: Iterable[str]) -> None:
        self._thaw()
        for node in nodes:
            if self._nodes.pop(node, None) is None:
                continue
            for target, key in self._out.pop(node, {}):
                self._in.get(target, {}).pop((node, key), None)
            for source, key in self._in.pop(node, {}):
                self._out.get(source, {}).pop((node, key), None)

    def _adjacent(self, node: str, outgoing: bool) -> Iterator[Edge]:
        if self._frozen is not None:
            yield from self._frozen.outgoing(node) if outgoing else self._frozen.incoming(node)
        elif outgoing:
            for (target, kind), (line, exact) in self._out.get(node, {}).items():
                yield node, target, kind, line, exact
        else:
            for (source, kind), (line, exact) in self._in.get(node, {}).items():
                yield source, node, kind, line, exact

    def out_edges(self, node: str, keys: bool = False, data: bool = False) -> list[tuple[Any, ...]]:
        """`(node, target[, kind][, data])` for every edge leaving `node`."""
        return [_shaped(edge, keys, data) for edge in self._adjacent(node, outgoing=True)]

    def in_edges(self, node: str, keys: bool = False, data: bool = False) -> list[tuple[Any, ...]]:
        """`(source, node[, kind][, data])` for every edge entering `node`."""
        return [_shaped(edge, keys, data) for edge in self._adjacent(node, outgoing=False)]

    def all_edges(self) -> Iterator[Edge]:
        if self._frozen is not None:
            yield from self._frozen.columns.rows()
            return
        for source, targets in self._out.items():
            for (target, kind), (line, exact) in targets.items():
                yield source, target, kind, line, exact

    def edges(self, keys: bool = False, data: bool = False) -> Iterator[tuple[Any, ...]]:
        for edge in self.all_edges():
            yield _shaped(edge, keys, data)

    def edge_columns(self) -> EdgeColumns:
        """Every edge as numpy columns over the node ids, for a snapshot."""
        if self._frozen is not None and list(self._nodes) == self._frozen.columns.ids:
            return self._frozen.columns
        return EdgeColumns.of(list(self._nodes), list(self.all_edges()))
