"""Edges as numpy columns: how a snapshot stores them, and how a graph fresh from one answers without unpacking.

A large repository has about 240k edges. Unpacking them into per-node dicts takes half a second; a query needs the
edges of a handful of nodes, which two sorted index arrays give at once. `FrozenEdges` answers those lookups until
the graph first changes, when `GraphStore` unpacks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Edge = tuple[str, str, str, int, bool]
"""(source, target, kind, line, exact)."""


@dataclass
class EdgeColumns:
    """Parallel columns: source and target numbers into `ids`, kind numbers into `kinds`, line, exact."""

    ids: list[str]
    kinds: list[str]
    sources: Any
    targets: Any
    kind_numbers: Any
    lines: Any
    exact: Any

    @classmethod
    def of(cls, ids: list[str], edges: list[Edge]) -> EdgeColumns:
        import numpy as np

        number = {node: index for index, node in enumerate(ids)}
        kinds = sorted({edge[2] for edge in edges})
        kind_number = {kind: index for index, kind in enumerate(kinds)}
        count = len(edges)
        return cls(
            ids,
            kinds,
            np.fromiter((number[edge[0]] for edge in edges), dtype=np.int32, count=count),
            np.fromiter((number[edge[1]] for edge in edges), dtype=np.int32, count=count),
            np.fromiter((kind_number[edge[2]] for edge in edges), dtype=np.int8, count=count),
            np.fromiter((edge[3] for edge in edges), dtype=np.int32, count=count),
            np.fromiter((edge[4] for edge in edges), dtype=np.bool_, count=count),
        )

    def __len__(self) -> int:
        return len(self.sources)

    def rows(self) -> Iterator[Edge]:
        ids, kinds = self.ids, self.kinds
        for source, target, kind, line, exact in zip(
            self.sources.tolist(),
            self.targets.tolist(),
            self.kind_numbers.tolist(),
            self.lines.tolist(),
            self.exact.tolist(),
            strict=True,
        ):
            yield ids[source], ids[target], kinds[kind], line, exact


class FrozenEdges:
    """Read-only lookups of one node's outgoing or incoming edges over `EdgeColumns`."""

    def __init__(self, columns: EdgeColumns) -> None:
        import numpy as np

        self.columns = columns
        self.number = {node: index for index, node in enumerate(columns.ids)}
        size = len(columns.ids)
        self._out_order = np.argsort(columns.sources, kind="stable")
        self._out_start = np.searchsorted(columns.sources[self._out_order], np.arange(size + 1))
        self._in_order = np.argsort(columns.targets, kind="stable")
        self._in_start = np.searchsorted(columns.targets[self._in_order], np.arange(size + 1))

    def _edges(self, node: str, outgoing: bool) -> list[Edge]:
        number = self.number.get(node)
        if number is None:
            return []
        order, start = (self._out_order, self._out_start) if outgoing else (self._in_order, self._in_start)
        chosen = order[start[number] : start[number + 1]]
        columns = self.columns
        ids, kinds = columns.ids, columns.kinds
        return [
            (ids[source], ids[target], kinds[kind], line, exact)
            for source, target, kind, line, exact in zip(
                columns.sources[chosen].tolist(),
                columns.targets[chosen].tolist(),
                columns.kind_numbers[chosen].tolist(),
                columns.lines[chosen].tolist(),
                columns.exact[chosen].tolist(),
                strict=True,
            )
        ]

    def outgoing(self, node: str) -> list[Edge]:
        return self._edges(node, outgoing=True)

    def incoming(self, node: str) -> list[Edge]:
        return self._edges(node, outgoing=False)
