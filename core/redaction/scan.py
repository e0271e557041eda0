"""`Scan`: one text being searched, with what the rules share computed once (its case-folded copy, which
literals it contains, which lines name a keyword)."""

from __future__ import annotations

import re
import string

ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def folded(text: str) -> str:
    """`text` in lower case, character for character (so offsets agree with `text`)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.translate(ASCII_LOWER)


class Scan:
    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = folded(text)
        self._present: dict[tuple[str, bool], bool] = {}
        self._lines: dict[re.Pattern[str], list[tuple[int, str]]] = {}

    def contains_any(self, needles: tuple[str, ...], fold: bool) -> bool:
        """Whether any of the literal `needles` is in the text (in its folded copy with `fold`)."""
        haystack = self.folded if fold else self.text
        for needle in needles:
            key = (needle, fold)
            if key not in self._present:
                self._present[key] = needle in haystack
            if self._present[key]:
                return True
        return False

    def lines(self, pattern: re.Pattern[str]) -> list[tuple[int, str]]:
        """(offset, line) of each line whose folded copy `pattern` (lower case) matches."""
        if pattern not in self._lines:
            text, found, seen = self.text, [], set()
            for hit in pattern.finditer(self.folded):
                line_start = text.rfind("\n", 0, hit.start()) + 1
                if line_start in seen:
                    continue
                seen.add(line_start)
                line_end = text.find("\n", hit.end())
                found.append((line_start, text[line_start : len(text) if line_end < 0 else line_end]))
            self._lines[pattern] = found
        return self._lines[pattern]
