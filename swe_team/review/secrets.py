"""Secrets on the lines a change adds, and the change's lines with their secrets replaced before the model reads
them: the project's redaction rules (`core/redaction`: detect-secrets' maintained plugins plus the formats it
lacks, and the user's `[redaction]` patterns and allowlist)."""

from __future__ import annotations

from dataclasses import dataclass

from core.redaction import Redactor


@dataclass(frozen=True)
class SecretOnLine:
    line: int
    kind: str


def secrets_on_lines(lines: dict[int, str], redactor: Redactor) -> list[SecretOnLine]:
    """One entry per line holding a secret (line number → text in), with the kind of its first secret."""
    numbers = sorted(lines)
    starts, text, offset = [], [], 0
    for number in numbers:
        starts.append(offset)
        text.append(lines[number])
        offset += len(lines[number]) + 1
    found: dict[int, str] = {}
    for hit in redactor.find("\n".join(text)):
        index = max(position for position, start in enumerate(starts) if start <= hit.start)
        found.setdefault(numbers[index], hit.kind)
    return [SecretOnLine(number, kind) for number, kind in sorted(found.items())]


def lines_without_secrets(lines: list[str], redactor: Redactor) -> list[str]:
    """The lines with every secret replaced by `[REDACTED:<kind>]` (read together: a key split over two lines
    is still found)."""
    hidden = redactor.redact("\n".join(lines)).text.split("\n")
    return hidden if len(hidden) == len(lines) else [redactor.redact(line).text for line in lines]
