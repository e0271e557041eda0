"""Secrets on the lines a change adds, and text with its secrets replaced before the model reads it:
detect-secrets' plugins (a maintained rule set), read line by line.

The one place the review asks about secrets, so the project's shared detector can take over here alone.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

MIN_RANDOM_LENGTH = 20
"""A high-entropy string shorter than this is a word or a number, not a key."""


@dataclass(frozen=True)
class SecretOnLine:
    line: int
    kind: str


def _quoted_random(value: str, text: str, already: dict[str, str]) -> bool:
    """A random-looking string counts as a secret only as a quoted literal of key length with digits and letters
    (not an identifier such as `cryptography_version` that detect-secrets' eager search also reports)."""
    quoted = any(f"{quote}{value}{quote}" in text for quote in ('"', "'", "`"))
    mixed = any(char.isdigit() for char in value) and any(char.isalpha() for char in value)
    return quoted and mixed and len(value) >= MIN_RANDOM_LENGTH and value not in already


@functools.lru_cache(maxsize=8192)
def _secrets_in(text: str) -> dict[str, str]:
    """Secret value → its kind, in one line of text (call inside detect-secrets' `default_settings()`); a line
    is read once however often it is asked about (the checks and the model's prompt share the diff's lines)."""
    from detect_secrets.core.scan import scan_line

    values: dict[str, str] = {}
    for secret in scan_line(text):
        value = secret.secret_value or ""
        random_looking = "High Entropy" in secret.type
        if not value or (random_looking and not _quoted_random(value, text, values)):
            continue
        values[value] = secret.type
    return values


def secrets_on_lines(lines: dict[int, str]) -> list[SecretOnLine]:
    """One entry per line holding a secret (line number → text in, the kinds found out); a specific kind (an AWS
    key, a GitHub token) wins over "a random-looking string" on the same line."""
    from detect_secrets.settings import default_settings

    found: list[SecretOnLine] = []
    with default_settings():
        for number, text in sorted(lines.items()):
            kinds = sorted(set(_secrets_in(text).values()), key=lambda kind: ("High Entropy" in kind, kind))
            if kinds:
                found.append(SecretOnLine(number, kinds[0]))
    return found


def lines_without_secrets(lines: list[str]) -> list[str]:
    """Each line with every secret in it replaced by `[REDACTED:<kind>]`, before the model reads it."""
    from detect_secrets.settings import default_settings

    hidden = []
    with default_settings():
        for line in lines:
            for value, kind in sorted(_secrets_in(line).items(), key=lambda item: -len(item[0])):
                line = line.replace(value, f"[REDACTED:{kind.lower().replace(' ', '-')}]")
            hidden.append(line)
    return hidden


def without_secrets(text: str) -> str:
    return "\n".join(lines_without_secrets(text.split("\n")))
