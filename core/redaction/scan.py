"""`Scan`: one text being searched, with what the rules share computed once (its case-folded copy, which
literals it contains, which lines name a keyword)."""

from __future__ import annotations

import re
import string

ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
AROUND = 400
"""Characters either side of a keyword that a rule reads (an assignment sits next to its name)."""


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
        """(offset, piece) of each line whose folded copy `pattern` (lower case) matches: the line around the
        match, at most `AROUND` characters either side (a minified file or a log of one long line is not read
        whole again for every keyword on it)."""
        if pattern not in self._lines:
            text = self.text
            spans: list[tuple[int, int]] = []
            for hit in pattern.finditer(self.folded):
                line_start = text.rfind("\n", 0, hit.start()) + 1
                line_end = text.find("\n", hit.end())
                start = max(line_start, hit.start() - AROUND)
                end = min(len(text) if line_end < 0 else line_end, hit.end() + AROUND)
                if spans and start <= spans[-1][1]:
                    spans[-1] = (spans[-1][0], max(spans[-1][1], end))
                else:
                    spans.append((start, end))
            self._lines[pattern] = [(start, text[start:end]) for start, end in spans]
        return self._lines[pattern]
