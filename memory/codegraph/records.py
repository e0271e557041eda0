"""What one parsed file contributes to the graph. Records are path-independent so they can be cached by blob SHA."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SymbolRecord:
    """A class, function or method defined in a file."""

    name: str
    qualname: str
    kind: str
    """`class`, `function` or `method`."""
    start_line: int
    end_line: int
    signature: str = ""
    doc: str = ""
    bases: list[str] = field(default_factory=list)
    """Base class expressions as written (`Base`, `mod.Base`)."""
    terms: list[str] = field(default_factory=list)
    """Identifier and word tokens of the body, for lexical search."""


@dataclass
class CallRecord:
    """A call (or instantiation) written inside `caller` (a qualname; empty for module level)."""

    caller: str
    callee: str
    """The called expression as written: `helper`, `self.run`, `mod.Klass`."""
    line: int


@dataclass
class ImportRecord:
    """One imported name. `import a.b as c` → module `a.b`, alias `c`; `from .x import y` → level 1."""

    module: str
    name: str = ""
    alias: str = ""
    level: int = 0
    line: int = 0

    @property
    def local_name(self) -> str:
        if self.alias:
            return self.alias
        if self.name:
            return self.name
        return self.module.split(".")[0].split("/")[-1]


@dataclass
class FileRecord:
    """Everything extracted from one file's content."""

    language: str
    symbols: list[SymbolRecord] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    imports: list[ImportRecord] = field(default_factory=list)
    syntax_errors: list[int] = field(default_factory=list)
    """Lines where the parser found errors; the file is indexed as far as it parses."""
    module_terms: list[str] = field(default_factory=list)
    """Tokens of module-level code outside any definition."""
    line_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data, sharing its lists (`dataclasses.asdict` is 30 times slower)."""
        return {
            "language": self.language,
            "symbols": [dict(vars(symbol)) for symbol in self.symbols],
            "calls": [dict(vars(call)) for call in self.calls],
            "imports": [dict(vars(entry)) for entry in self.imports],
            "syntax_errors": list(self.syntax_errors),
            "module_terms": list(self.module_terms),
            "line_count": self.line_count,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileRecord:
        return cls(
            language=data["language"],
            symbols=[SymbolRecord(**item) for item in data["symbols"]],
            calls=[CallRecord(**item) for item in data["calls"]],
            imports=[ImportRecord(**item) for item in data["imports"]],
            syntax_errors=list(data["syntax_errors"]),
            module_terms=list(data["module_terms"]),
            line_count=int(data["line_count"]),
        )
