"""Read queries over the graph: symbols, definitions, references, callers/callees, tests, enclosing function."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from memory.codegraph.resolve import Resolver
    from memory.codegraph.store import GraphStore

REFERENCE_KINDS = ("calls", "imports", "inherits")


@dataclass(frozen=True)
class SymbolInfo:
    """One node, as the tools and the localizer report it."""

    id: str
    """`path` for a file, `path:Qual.name` for a class or function (the LocAgent entity format)."""
    kind: str
    path: str
    qualname: str
    start_line: int
    end_line: int
    signature: str = ""
    doc: str = ""

    def describe(self) -> str:
        where = f"{self.path}:{self.start_line}-{self.end_line}"
        text = f"{self.kind} {self.qualname or self.path} ({where})"
        return f"{text} {self.signature}" if self.signature and self.kind != "file" else text


@dataclass(frozen=True)
class Reference:
    source: SymbolInfo
    kind: str
    line: int


class GraphQueries:
    graph: GraphStore
    resolver: Resolver

    def info(self, node: str) -> SymbolInfo:
        data: dict[str, Any] = self.graph.nodes[node]
        return SymbolInfo(
            id=node,
            kind=data["kind"],
            path=data["path"],
            qualname=data.get("qualname", ""),
            start_line=data.get("start", 1),
            end_line=data.get("end", 1),
            signature=data.get("signature", ""),
            doc=data.get("doc", ""),
        )

    def search_symbols(self, query: str, kinds: tuple[str, ...] = (), limit: int = 20) -> list[SymbolInfo]:
        """Symbols whose name or qualified name matches: exact names first, then prefixes, then substrings."""
        needle = query.strip().lower()
        if not needle:
            return []
        ranked: list[tuple[int, int, str]] = []
        for node, data in self.graph.nodes(data=True):
            kind = data.get("kind")
            if kind == "file" or (kinds and kind not in kinds):
                continue
            name, qualname = data["name"].lower(), data["qualname"].lower()
            if needle in (name, qualname) or node.lower().endswith(":" + needle):
                rank = 0
            elif name.startswith(needle) or qualname.startswith(needle):
                rank = 1
            elif needle in qualname or needle in node.lower():
                rank = 2
            else:
                continue
            ranked.append((rank, len(node), node))
        return [self.info(node) for _, _, node in sorted(ranked)[:limit]]

    def resolve_symbol(self, symbol: str) -> list[str]:
        """Node ids for `path:Qual`, a file path, a dotted `pkg.mod.Class.method`, `Class.method` or a name."""
        symbol = symbol.strip()
        if symbol in self.graph:
            return [symbol]
        if ":" not in symbol:
            dotted = self.resolver.resolve_dotted(symbol)
            if dotted:
                return [dotted]
        return [info.id for info in self.search_symbols(symbol, limit=50) if self._exact(info, symbol)]

    @staticmethod
    def _exact(info: SymbolInfo, symbol: str) -> bool:
        return symbol in (info.qualname, info.qualname.rsplit(".", 1)[-1]) or info.id.endswith(symbol)

    def definition(self, symbol: str) -> list[SymbolInfo]:
        return [self.info(node) for node in self.resolve_symbol(symbol)]

    def references(self, symbol: str) -> list[Reference]:
        """Where a symbol is called, imported or subclassed."""
        found: list[Reference] = []
        for node in self.resolve_symbol(symbol):
            for source, _, kind, data in self.graph.in_edges(node, keys=True, data=True):
                if kind in REFERENCE_KINDS:
                    found.append(Reference(self.info(source), kind, int(data.get("line", 0))))
        return sorted(found, key=lambda r: (r.source.path, r.line))

    def _walk(self, symbol: str, hops: int, incoming: bool) -> list[tuple[SymbolInfo, int]]:
        starts = self.resolve_symbol(symbol)
        seen = {node: 0 for node in starts}
        queue = deque(starts)
        while queue:
            node = queue.popleft()
            if seen[node] >= hops:
                continue
            edges = self.graph.in_edges(node, keys=True) if incoming else self.graph.out_edges(node, keys=True)
            for source, target, kind in edges:
                other = source if incoming else target
                if kind == "calls" and other not in seen:
                    seen[other] = seen[node] + 1
                    queue.append(other)
        return sorted(((self.info(n), d) for n, d in seen.items() if d > 0), key=lambda pair: (pair[1], pair[0].id))

    def callers(self, symbol: str, hops: int = 1) -> list[tuple[SymbolInfo, int]]:
        """Functions calling `symbol`, up to `hops` calls away, with their distance."""
        return self._walk(symbol, hops, incoming=True)

    def callees(self, symbol: str, hops: int = 1) -> list[tuple[SymbolInfo, int]]:
        return self._walk(symbol, hops, incoming=False)

    def tests_for(self, symbol: str) -> list[SymbolInfo]:
        """Test functions that exercise `symbol` (or, for a class or file, anything it contains)."""
        targets: list[str] = []
        for node in self.resolve_symbol(symbol):
            targets.append(node)
            targets.extend(t for _, t, k in self.graph.out_edges(node, keys=True) if k == "contains")
        tests = {s for t in targets for s, _, k in self.graph.in_edges(t, keys=True) if k == "tests"}
        if any(self.graph.nodes[t]["kind"] == "file" for t in targets):
            tests |= {
                f"{source}"
                for t in targets
                for source, _, k in self.graph.in_edges(t, keys=True)
                if k == "imports" and self.graph.nodes[source].get("test")
            }
        return sorted((self.info(node) for node in tests), key=lambda info: info.id)

    def enclosing(self, path: str, line: int) -> SymbolInfo | None:
        """The innermost class or function of `path` spanning `line`."""
        record = self.resolver.records.get(path)
        if record is None:
            return None
        best = None
        for symbol in record.symbols:
            if symbol.start_line <= line <= symbol.end_line and (best is None or symbol.start_line >= best.start_line):
                best = symbol
        return self.info(f"{path}:{best.qualname}") if best else None
