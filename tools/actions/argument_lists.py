"""The items of a parenthesised list in Python source (a call's arguments, a definition's parameters) as character
spans, and the list respelt with other items in the same layout (one line, or one item per line)."""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass

_OPENING, _CLOSING = "([{", ")]}"


class Offsets:
    """Character offsets of `ast` positions (whose columns count UTF-8 bytes)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = source.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def at(self, line: int, column: int) -> int:
        text = self.lines[line - 1] if line - 1 < len(self.lines) else ""
        if not text.isascii():
            column = len(text.encode("utf-8")[:column].decode("utf-8", errors="ignore"))
        return self.starts[line - 1] + column


@dataclass(frozen=True)
class ItemList:
    """A parenthesised list: where its brackets are and the span of each top-level item (commas and comments
    excluded)."""

    open: int
    close: int
    items: list[tuple[int, int]]

    def text(self, source: str, index: int) -> str:
        start, end = self.items[index]
        return source[start:end]


def item_list(source: str, open_index: int) -> ItemList:
    """The list whose opening bracket is at `open_index`; raises SyntaxError when its brackets do not balance."""
    fragment = source[open_index:]
    starts = [0]
    for line in fragment.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    depth, items = 0, []
    item_start: int | None = None
    item_end = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(fragment).readline):
            start = open_index + starts[token.start[0] - 1] + token.start[1]
            end = open_index + starts[token.end[0] - 1] + token.end[1]
            if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE):
                continue
            if token.type == tokenize.OP and token.string in _CLOSING:
                depth -= 1
                if depth == 0:
                    if item_start is not None:
                        items.append((item_start, item_end))
                    return ItemList(open_index, start, items)
            if depth == 1 and token.type == tokenize.OP and token.string == ",":
                if item_start is not None:
                    items.append((item_start, item_end))
                item_start = None
            elif depth >= 1:
                item_start = start if item_start is None else item_start
                item_end = end
            if token.type == tokenize.OP and token.string in _OPENING:
                depth += 1
    except tokenize.TokenError as exc:
        raise SyntaxError(f"unbalanced brackets at offset {open_index}") from exc
    raise SyntaxError(f"unbalanced brackets at offset {open_index}")


def _line_indent(source: str, offset: int) -> str:
    line_start = source.rfind("\n", 0, offset) + 1
    line = source[line_start:offset]
    return line[: len(line) - len(line.lstrip())]


def respelt(source: str, items: ItemList, texts: list[str]) -> str:
    """The list's inside (between its brackets) with `texts` as its items. Existing separators, comments and the
    trailing comma stay where they were; items beyond the old count take the layout of the last separator."""
    inside = source[items.open + 1 : items.close]
    spans = items.items
    if not texts:
        return ""
    if not spans:
        return ", ".join(texts)
    between = [source[spans[i][1] : spans[i + 1][0]] for i in range(len(spans) - 1)]
    one_per_line = "\n" in inside[: spans[0][0] - items.open - 1] or (bool(between) and "\n" in between[-1])
    separator = ",\n" + _line_indent(source, spans[-1][0]) if one_per_line else ", "
    parts = [source[items.open + 1 : spans[0][0]], texts[0]]
    for index in range(1, len(texts)):
        parts.append(between[index - 1] if index - 1 < len(between) else separator)
        parts.append(texts[index])
    parts.append(source[spans[-1][1] : items.close])
    return "".join(parts)


class Replacements:
    """Edits to one source text, made from the innermost out: an edit that spans earlier ones already holds them
    (its text was built from `text`), so they are dropped when it is added."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.offsets = Offsets(source)
        self.edits: list[tuple[int, int, str]] = []

    def add(self, start: int, end: int, text: str) -> None:
        inside = [edit for edit in self.edits if start <= edit[0] and edit[1] <= end]
        if any(edit[0] < end and start < edit[1] for edit in self.edits if edit not in inside):
            raise ValueError(f"overlapping edits at offset {start}")
        self.edits = [edit for edit in self.edits if edit not in inside] + [(start, end, text)]

    def text(self, start: int, end: int) -> str:
        """The source between the offsets with the edits inside that span made."""
        pieces: list[str] = []
        last = start
        for edit_start, edit_end, text in sorted(e for e in self.edits if start <= e[0] and e[1] <= end):
            pieces.extend((self.source[last:edit_start], text))
            last = edit_end
        pieces.append(self.source[last:end])
        return "".join(pieces)

    def result(self) -> str:
        return self.text(0, len(self.source))
