"""Text analysis for the lexical index: tokens of experiences and queries, and the packed posting value."""

from __future__ import annotations

import re
from collections import Counter

from memory.experience.record import Experience

MAX_TF = 255
MAX_DOC_LEN = 4095
MAX_QUERY_TERMS = 32
_TF_SHIFT = 2**44
_LEN_SHIFT = 2**32

_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_STOPWORD_TEXT = (
    "a an and are as at be but by can do does for from has have how i if in into is it its not of on or so "
    "that the then there these this to was we were when where which while with without you your should "
    "would will it's also after before than"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def tokens(text: str) -> list[str]:
    """Lower-cased words; identifiers also yield their camelCase and snake_case parts (`getUserName` →
    getusername, get, user, name). Stopwords and one-letter tokens are dropped."""
    out: list[str] = []
    for chunk in re.split(r"[^A-Za-z0-9_]+", text):
        if not chunk:
            continue
        words = _WORD.findall(chunk)
        if len(words) > 1 or (words and _CAMEL.findall(words[0]) != [words[0]]):
            whole = "".join(words).lower()
            if len(whole) > 1 and whole not in STOPWORDS:
                out.append(whole)
        for word in words:
            parts = _CAMEL.findall(word) or [word]
            for part in parts:
                low = part.lower()
                if len(low) > 1 and low not in STOPWORDS:
                    out.append(low)
    return out


def query_terms(text: str) -> list[str]:
    """Distinct query terms in first-seen order, at most MAX_QUERY_TERMS."""
    return list(dict.fromkeys(tokens(text)))[:MAX_QUERY_TERMS]


def indexed_text(exp: Experience) -> str:
    """The fields searched: task, symbols, file names and the summaries of what changed and what was said."""
    files = " ".join(path.replace("/", " ").replace(".", " ") for path in exp.localized_files + exp.changed_files)
    return "\n".join(
        [
            exp.task,
            " ".join(exp.localized_symbols + exp.changed_symbols),
            files,
            exp.change_summary,
            " ".join(exp.review_objections),
            " ".join(d.comment for d in exp.decisions if d.comment),
        ]
    )


def term_frequencies(exp: Experience) -> tuple[Counter[str], int]:
    """(term → frequency capped at MAX_TF, document length capped at MAX_DOC_LEN)."""
    counts = Counter(tokens(indexed_text(exp)))
    capped = Counter({term: min(n, MAX_TF) for term, n in counts.items()})
    return capped, min(sum(counts.values()), MAX_DOC_LEN)


def pack_impact(tf: int, doc_len: int, docno: int) -> int:
    """One integer per posting that sorts by term frequency, then shorter document, then newer document —
    the order in which postings are cut when only the first few per term are read. Exact in a float64."""
    return tf * _TF_SHIFT + (MAX_DOC_LEN - doc_len) * _LEN_SHIFT + (docno % _LEN_SHIFT)


def unpack_impact(impact: int) -> tuple[int, int]:
    """(term frequency, document length) of a packed posting."""
    tf, rest = divmod(int(impact), _TF_SHIFT)
    return tf, MAX_DOC_LEN - rest // _LEN_SHIFT
