"""The code knowledge graph and the model-free localizer. See memory/README.md."""

from memory.codegraph.graph import CodeGraph, IndexStats
from memory.codegraph.localize import Localization, localize
from memory.codegraph.queries import Reference, SymbolInfo

__all__ = ["CodeGraph", "IndexStats", "Localization", "Reference", "SymbolInfo", "localize"]
