"""What one parsed file contributes to the graph. Records are path-independent so they can be cached by blob SHA.

Calls and imports are named tuples and search terms are one space-separated string per symbol: a large repository
has hundreds of thousands of calls and millions of terms, and tuples and strings are what pickles and loads fast.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, NamedTuple


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
    terms: str = ""
    """Identifier and word tokens of the body, space-separated, for lexical search."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its constructor's arguments, which loads twice as fast as a dataclass's state dict."""
        fields = (self.name, self.qualname, self.kind, self.start_line, self.end_line, self.signature, self.doc)
        return (SymbolRecord, (*fields, self.bases, self.terms))


class CallRecord(NamedTuple):
    """A call (or instantiation) written inside `caller` (a qualname; empty for module level)."""

    caller: str
    callee: str
    """The called expression as written: `helper`, `self.run`, `mod.Klass`."""
    line: int


class ImportRecord(NamedTuple):
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
    module_terms: str = ""
    """Tokens of module-level code outside any definition, space-separated."""
    line_count: int = 0
    strings: list[tuple[int, str]] = field(default_factory=list)
    """(line, text) of one-line string literals with a space, cut at format placeholders (`%s`, `{}`): messages
    an issue may quote."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its calls and imports as plain tuples, which pickle twice as fast as named tuples (a parsing
        worker sends hundreds of thousands of calls)."""
        calls, imports = list(map(tuple, self.calls)), list(map(tuple, self.imports))
        fields = (self.syntax_errors, self.module_terms, self.line_count, self.strings)
        return (unpickled_record, (self.language, self.symbols, calls, imports, *fields))

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data, sharing its lists (`dataclasses.asdict` is 30 times slower)."""
        return {
            "language": self.language,
            "symbols": [dict(vars(symbol)) for symbol in self.symbols],
            "calls": [list(call) for call in self.calls],
            "imports": [list(entry) for entry in self.imports],
            "syntax_errors": list(self.syntax_errors),
            "module_terms": self.module_terms,
            "line_count": self.line_count,
            "strings": [list(entry) for entry in self.strings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileRecord:
        return cls(
            language=data["language"],
            symbols=[SymbolRecord(**item) for item in data["symbols"]],
            calls=[CallRecord(*item) for item in data["calls"]],
            imports=[ImportRecord(*item) for item in data["imports"]],
            syntax_errors=list(data["syntax_errors"]),
            module_terms=str(data["module_terms"]),
            line_count=int(data["line_count"]),
            strings=[(int(line), str(text)) for line, text in data["strings"]],
        )


def unpickled_record(
    language: str,
    symbols: list[SymbolRecord],
    calls: list[tuple[str, str, int]],
    imports: list[tuple[str, str, str, int, int]],
    syntax_errors: list[int],
    module_terms: str,
    line_count: int,
    strings: list[tuple[int, str]],
) -> FileRecord:
    return FileRecord(
        language=language,
        symbols=symbols,
        calls=list(map(_as_call, calls)),
        imports=list(map(_as_import, imports)),
        syntax_errors=syntax_errors,
        module_terms=module_terms,
        line_count=line_count,
        strings=strings,
    )


_as_call = functools.partial(tuple.__new__, CallRecord)
_as_import = functools.partial(tuple.__new__, ImportRecord)
