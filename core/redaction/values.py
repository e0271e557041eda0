"""Whether a value found by a rule is a secret: random-looking, not a placeholder, not a hash; where a key ends."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

BASE64_CANDIDATE = re.compile(r"(?<![A-Za-z0-9+/_.-])([A-Za-z0-9+/_-]{24,}={0,2})(?![A-Za-z0-9+/_=-]|\.\w)")
HEX_CANDIDATE = re.compile(r"(?<![0-9A-Za-z_-])([0-9a-fA-F]{32,})(?![0-9A-Za-z_-])")
SECRET_WORDS_FOLDED = r"key|token|secret|passw|credential|auth|bearer"
"""Words that make a hex string on their line a secret (searched in lower case)."""
SECRET_WORDS = re.compile(SECRET_WORDS_FOLDED, re.IGNORECASE)
HASH_WORDS = re.compile(r"(?i)sha\d*|hash|digest|checksum|integrity|commit|etag|revision|\brev\b|uuid|md5|fingerprint")
HASH_PREFIX = re.compile(r"(?i)(?:sha\d+|md5|blake2\w*)[-:=]\s*$")
HASH_NAMED = re.compile(r"(?i)(?:sha\d+|md5|blake2\w*)[-:]")
PLACEHOLDER = re.compile(
    r"(?i)^(?:[*x.#?-]+|<[^>]*>|\$\{?[\w.-]+\}?|\{\{.*\}\}|\{[\w.]*\}|%\(?\w*\)?s|\[REDACTED:[\w-]+\]"
    r"|none|null|nil|true|false|undefined|changeme|password|secret|example\w*|your[\w-]*|dummy\w*|\w*placeholder)$"
)
NOT_A_VALUE = re.compile(r"[\s()\[\]{}<>$;]")
IDENTIFIER_PATH = re.compile(r"[A-Za-z_][\w-]*(?:[.:][A-Za-z_][\w-]*)*")
PRIVATE_KEY_END = re.compile(r"-----END[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----")
KEY_BODY = re.compile(r"(?:[A-Za-z0-9+/=:, \t\r\n]|\\n|\\r){0,12000}")
WORD_RUNS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
MIN_ENTROPY = 4.3
MIN_LENGTH = 24
"""Shorter random-looking strings without a known format are mostly names (`SmolLM2-135M-Instruct`)."""


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def is_sequence(value: str) -> bool:
    """An alphabet or a counting run (`abcdef…`, `0123…`) rather than random characters."""
    steps = sum(1 for a, b in itertools.pairwise(value) if ord(b) - ord(a) in (1, -1))
    return steps >= len(value) // 3


def is_identifier(value: str) -> bool:
    """Words run together (`PytestRemovedIn10Warning`, `test_HTTP_302_TOO_MANY`): runs of letters average 3.5
    characters or more, where random characters switch case or class every two or three."""
    runs = WORD_RUNS.findall(value)
    return bool(runs) and sum(map(len, runs)) / len(runs) >= 3.5


def is_random_base64(value: str, text: str, start: int) -> bool:
    """Long, mixed letters and digits, near the entropy of random characters of its length, not a hash or path."""
    body = value.rstrip("=")
    if len(body) < MIN_LENGTH or HASH_PREFIX.search(text, max(0, start - 12), start) or HASH_NAMED.match(body):
        return False
    if not (any(c.isdigit() for c in body) and any(c.isupper() for c in body) and any(c.islower() for c in body)):
        return False
    if "__" in body or is_identifier(body):
        return False
    limit = min(MIN_ENTROPY, math.log2(len(body)) - 0.9)
    return shannon_entropy(body) > limit and not is_sequence(body)


def hex_context(value: str, text: str, start: int) -> bool:
    """A hex string is a secret only on a line naming a key, token or secret and no hash (git SHAs, lock files),
    and not as the version after an `@`."""
    if text[start - 1 : start] == "@":
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    if not SECRET_WORDS.search(line) or HASH_WORDS.search(line):
        return False
    has_letters = any(c.isalpha() for c in value)
    return has_letters and any(c.isdigit() for c in value) and shannon_entropy(value.lower()) > 3.0


def looks_like_secret_value(value: str, quoted: bool) -> bool:
    """A value assigned to a secret-sounding name: not a placeholder, an expression, a name or a sentence."""
    if len(value) < (6 if quoted else 8) or PLACEHOLDER.match(value):
        return False
    if NOT_A_VALUE.search(value):
        return False
    if IDENTIFIER_PATH.fullmatch(value) and not _mixed(value, need_case=not quoted):
        return False
    return not (value.isdigit() or (value.isalpha() and value.lower() == value and not quoted))


def _mixed(value: str, need_case: bool) -> bool:
    """A generated value rather than a name: digits among letters (and, with `need_case`, both cases), or,
    letters switching case more often than words do (`VQzfBPpHgpY`, not `myPasswordField`)."""
    upper, lower = any(c.isupper() for c in value), any(c.islower() for c in value)
    if not any(c.isdigit() for c in value):
        switches = sum(1 for a, b in itertools.pairwise(value) if a.isupper() != b.isupper())
        return upper and lower and switches >= len(value) / 3 and not is_identifier(value)
    return not need_case or (upper and lower)


def is_password(value: str) -> bool:
    """A password in a URL: not a template's placeholder (`{}`, `%s`, `${PASS}`), longer than a letter or two."""
    return len(value) >= 3 and not PLACEHOLDER.match(value) and not (value.isalpha() and value.isupper())


def jwt_is_valid(token: str) -> bool:
    from detect_secrets.plugins.jwt import JwtTokenDetector

    return bool(JwtTokenDetector.is_formally_valid(token)) and token.count(".") >= 2


def private_key_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole key whose header is at `start:end`: from its dashes to its END line, or, when the text was cut
    short, to the end of its base64 body."""
    while start > 0 and text[start - 1] == "-":
        start -= 1
    found = PRIVATE_KEY_END.search(text, end, end + 20_000)
    if found is not None:
        return start, found.end()
    dashes = text.find("-----", end, end + 64)
    body = KEY_BODY.match(text, dashes + 5 if dashes >= 0 else end)
    return start, body.end() if body is not None else end
