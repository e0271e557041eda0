"""Export and import as JSON lines: `{"type": "experience", ...}` and `{"type": "repo_facts", ...}`."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from pydantic import ValidationError

from memory.experience.record import SCHEMA_VERSION, Experience, RepoFacts
from memory.experience.store import ExperienceStore

log = logging.getLogger("swe_team.memory")


@dataclass
class ImportResult:
    experiences: int = 0
    facts: int = 0
    skipped: int = 0


def export_store(store: ExperienceStore, out: TextIO, *, repo: str | None = None) -> int:
    """Write every experience (of `repo`, or all) and their repositories' facts; returns lines written."""
    written = 0
    repos: set[str] = set()
    for exp in store.iter_all(repo=repo):
        out.write(json.dumps({"type": "experience", **exp.model_dump(mode="json")}, ensure_ascii=False) + "\n")
        repos.add(exp.repo)
        written += 1
    for name in sorted(repos):
        facts = store.get_facts(name)
        if facts is not None:
            out.write(json.dumps({"type": "repo_facts", **facts.model_dump(mode="json")}, ensure_ascii=False) + "\n")
            written += 1
    return written


def import_lines(store: ExperienceStore, lines: Iterable[str], source: str) -> ImportResult:
    """Add what `export_store` wrote (same ids replace); bad or newer lines are skipped with a warning."""
    result = ImportResult()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            kind = data.pop("type", "experience")
            if int(data.get("schema_version", 0)) > SCHEMA_VERSION:
                raise ValueError(f"schema version {data['schema_version']} is newer than this swe-team")
            if kind == "experience":
                store.add(Experience.model_validate(data))
                result.experiences += 1
            elif kind == "repo_facts":
                store.put_facts(RepoFacts.model_validate(data))
                result.facts += 1
            else:
                raise ValueError(f"unknown record type {kind!r}")
        except (ValueError, ValidationError, AttributeError) as exc:
            log.warning("skipping %s line %d: %s", source, number, str(exc).splitlines()[0])
            result.skipped += 1
    return result
