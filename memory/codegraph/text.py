"""Turning code and issue text into search terms, and spotting identifiers, paths and traceback frames."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain

DOTTED_PARTS = 12
"""Parts of a dotted name read at most: `a.b.c` is a name, a thousand of them in a row is data."""
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CAMEL_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
DOTTED = re.compile(rf"(?<![A-Za-z0-9_])[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*){{1,{DOTTED_PARTS}}}")
PATH = re.compile(r"(?<![\w./-])/*(?:[\w.-]+/)*[\w.-]+\.(?:py|pyi|js|jsx|ts|tsx|java|go|cfg|toml|ini|txt|rst|md)\b")
TRACEBACK_FRAME = re.compile(r'File "([^"]+)", line (\d+), in ([\w<>]+)')
ALT_TRACEBACK_FRAME = re.compile(r"(?<![\w./\\-])([\w./\\-]+\.py):(\d+):? in ([\w<>]+)")
ARROW_FRAME = re.compile(r"(?<![\w./\\~-])([\w./\\~-]+\.py) in ([\w<>]+)\(")
LINKED_LINE = re.compile(r"(?<![\w./-])https?://(?:[\w.-]++/){3}blob/[\w.-]++/((?:[\w.-]++/)*+[\w.-]+\.py)#L(\d+)")
"""`https://github.com/owner/repo/blob/<ref>/pkg/str.py#L713`: a link to a line of a file."""
LOCATED_LINE = re.compile(r"(?<![\w./\\-])([\w./\\-]+\.py):(\d+)\b(?!:? in )")
"""`astroid/raw_building.py:470: FutureWarning`: where a warning, a log line or a failure points, with no function."""

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "not",
        "no",
        "self",
        "cls",
        "def",
        "class",
        "return",
        "none",
        "true",
        "false",
        "import",
        "pass",
        "else",
        "elif",
        "while",
        "try",
        "except",
        "finally",
        "raise",
        "yield",
        "lambda",
        "global",
        "nonlocal",
        "del",
        "assert",
        "async",
        "await",
        "we",
        "you",
        "i",
        "my",
        "me",
        "our",
        "your",
        "there",
        "then",
        "than",
        "when",
        "which",
        "what",
        "how",
        "can",
        "could",
        "should",
        "would",
        "do",
        "does",
        "did",
        "been",
        "being",
        "so",
        "also",
        "just",
        "like",
        "get",
        "set",
        "use",
        "used",
        "using",
    ]
)


def split_identifier(word: str) -> list[str]:
    parts: list[str] = []
    for chunk in word.split("_"):
        parts.extend(part.lower() for part in CAMEL_PART.findall(chunk))
    return parts


WORD_CACHE_LIMIT = 500_000
"""Distinct identifiers whose terms are remembered; a large repository has about 100k."""


class _WordTerms(dict[str, tuple[str, ...]]):
    """Identifier → its search terms, computed on first use (tokenizing is most of what indexing does in Python)."""

    def __missing__(self, word: str) -> tuple[str, ...]:
        out: list[str] = []
        lowered = word.lower()
        if len(lowered) > 1 and lowered not in STOPWORDS:
            out.append(lowered)
        parts = split_identifier(word)
        if len(parts) > 1:
            out.extend(part for part in parts if len(part) > 2 and part not in STOPWORDS)
        if len(self) >= WORD_CACHE_LIMIT:
            self.clear()
        found = self[word] = tuple(out)
        return found


_word_terms = _WordTerms()


class _Stems(dict[str, str]):
    """A term's singular, so that "marks" finds `get_unpacked_marks` and "classes" a `class`: only plurals, as
    stripping more (`-ing`, `-ed`) turns too many identifiers into other words (`string`, `embed`)."""

    def __missing__(self, term: str) -> str:
        stem = term
        if len(term) > 4 and term.endswith("ies"):
            stem = term[:-3] + "y"
        elif len(term) > 4 and term.endswith(("sses", "shes", "ches", "xes", "zes")):
            stem = term[:-2]
        elif len(term) > 3 and term.endswith("s") and not term.endswith(("ss", "us", "is")):
            stem = term[:-1]
        if len(self) >= WORD_CACHE_LIMIT:
            self.clear()
        self[term] = stem
        return stem


stem = _Stems().__getitem__


def terms(text: str, limit: int = 0) -> list[str]:
    """Search terms: each identifier lowercased, plus its snake/camel parts when it has several; the first `limit`."""
    words = IDENTIFIER.findall(text)
    if limit:
        words = words[:limit]
    out = list(chain.from_iterable(map(_word_terms.__getitem__, words)))
    return out[:limit] if limit else out


HYPHENATED = re.compile(r"(?<![\w-])-{0,2}([a-z][a-z0-9]*(?:-[a-z0-9]+)+)")


def query_terms(text: str, limit: int = 0) -> list[str]:
    """Search terms of an issue: `terms` plus `option-name` spelt as `option_name` and `optionname` (`re-writer`)."""
    out = terms(text, limit)
    for match in HYPHENATED.finditer(text):
        out.extend((match.group(1).replace("-", "_"), match.group(1).replace("-", "")))
    return out


TITLE_WEIGHT = 3.0
"""An issue's first line says what is wrong; the rest often pastes logs and environment listings."""


def weighted_query(text: str, limit: int = 4000) -> dict[str, float]:
    """Query terms weighted by 1 + log(count), the title's (the first line's) times TITLE_WEIGHT."""
    counts = Counter(query_terms(text, limit))
    title = set(query_terms(text.strip().split("\n", 1)[0]))
    return {term: (1.0 + math.log(count)) * (TITLE_WEIGHT if term in title else 1.0) for term, count in counts.items()}


@dataclass
class Mentions:
    """What an issue text names explicitly."""

    identifiers: list[str] = field(default_factory=list)
    dotted: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    frames: list[tuple[str, int, str]] = field(default_factory=list)
    """(path as written, line, function) of traceback frames, outermost first."""
    located: list[tuple[str, int]] = field(default_factory=list)
    """(path as written, line) a warning, a log line or a test failure points at."""
    linked: list[tuple[str, int]] = field(default_factory=list)
    """(path from the repository's root, line) of links to a line of a file, maybe of another repository."""
    phrases: dict[str, str] = field(default_factory=dict)
    """Runs of two or three prose words joined (`assertionrewriter`) → as written (`assertion re-writer`)."""
    used_as_code: set[str] = field(default_factory=set)
    """Names the issue calls, defines or reads as an attribute (`xfail(`, `def name`, `.node`): used as code, not as
    the English word."""


CODE_SPAN = re.compile(r"```.*?```|`[^`\n]+`|^(?:    |\t|>>> ).*$", re.DOTALL | re.MULTILINE)


def is_distinctive(word: str) -> bool:
    """Identifiers unlikely to be plain English: snake_case, camelCase or dunder."""
    if len(word) < 3 or word.lower() in STOPWORDS:
        return False
    return "_" in word or any(c.isupper() for c in word[1:])


USED_AS_CODE = re.compile(r"(?:\.|\bdef\s+)([A-Za-z_]\w*)|(?<!\w)([A-Za-z_]\w*)\(")


def find_mentions(text: str) -> Mentions:
    mentions = Mentions()
    for regex in (TRACEBACK_FRAME, ALT_TRACEBACK_FRAME):
        for match in regex.finditer(text):
            mentions.frames.append((match.group(1).replace("\\", "/"), int(match.group(2)), match.group(3)))
    for match in ARROW_FRAME.finditer(text):
        mentions.frames.append((match.group(1).replace("\\", "/"), 0, match.group(2)))
    located = ((match.group(1).replace("\\", "/"), int(match.group(2))) for match in LOCATED_LINE.finditer(text))
    mentions.located = list(dict.fromkeys(located))
    mentions.linked = list(dict.fromkeys((match.group(1), int(match.group(2))) for match in LINKED_LINE.finditer(text)))
    mentions.paths = list(dict.fromkeys(m.group().strip("./") for m in PATH.finditer(text)))
    mentions.dotted = list(dict.fromkeys(m.group() for m in DOTTED.finditer(text) if not PATH.fullmatch(m.group())))
    seen: dict[str, None] = {}
    for match in IDENTIFIER.finditer(text):
        word = match.group()
        if is_distinctive(word):
            seen.setdefault(word, None)
    for span in CODE_SPAN.finditer(text):
        for match in IDENTIFIER.finditer(span.group()):
            word = match.group()
            if len(word) > 3 and word.lower() not in STOPWORDS:
                seen.setdefault(word, None)
    for dotted in mentions.dotted:
        for part in dotted.split("."):
            if len(part) > 2 and part.lower() not in STOPWORDS:
                seen.setdefault(part, None)
    for match in HYPHENATED.finditer(text):
        seen.setdefault(match.group(1).replace("-", "_"), None)
    mentions.identifiers = list(seen)
    mentions.used_as_code = {match.group(1) or match.group(2) for match in USED_AS_CODE.finditer(text)}
    mentions.phrases = prose_phrases(text)
    return mentions


PLAIN_WORD = re.compile(r"[A-Za-z][a-z0-9]*(?:-[a-z0-9]+)*")
PHRASE_BREAK = re.compile(r"[^\w\s-]|\n\s*\n")


def prose_phrases(text: str, longest: int = 3) -> dict[str, str]:
    """Runs of plain prose words, joined: how an issue names `AssertionRewriter` or `expand_modules` in English.

    Identifiers written as such (`PairGrid`, `expand_modules`) break a run: `find_mentions` already has them.
    """
    prose = CODE_SPAN.sub("\n\n", text)
    phrases: dict[str, str] = {}
    for run in PHRASE_BREAK.split(prose):
        words: list[str] = []
        for token in [*run.split(), ""]:
            if PLAIN_WORD.fullmatch(token):
                words.append(token)
                continue
            _add_phrases(words, longest, phrases)
            words = []
    return phrases


def _add_phrases(words: list[str], longest: int, phrases: dict[str, str]) -> None:
    for start in range(len(words)):
        for size in range(2, min(longest, len(words) - start) + 1):
            chosen = words[start : start + size]
            if chosen[0].lower() not in STOPWORDS and chosen[-1].lower() not in STOPWORDS:
                phrases.setdefault("".join(chosen).replace("-", "").lower(), " ".join(chosen))
