"""The versioned `Experience` record a finished job leaves, and per-repository facts learned on the way."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from core.git import git
from memory.experience.action_preferences import ActionPreference

log = logging.getLogger("swe_team.memory")

SCHEMA_VERSION = 1
"""Version written by this code; records with a higher version are skipped (written by a newer swe-team)."""

Status = Literal["resolved", "unresolved", "rejected", "failed", "cancelled"]
GateAction = Literal["approve", "reject", "retry", "edit", "comment"]
"""`retry`: sent back to the role with a comment (the gate asked again). `comment` is only in older records."""


def new_experience_id(created_at: float | None = None) -> str:
    """Time-ordered id: 12 hex digits of milliseconds, then 8 random hex digits."""
    millis = int((created_at if created_at is not None else time.time()) * 1000)
    return f"{millis:012x}{os.urandom(4).hex()}"


class HumanDecision(BaseModel):
    """What the human said at one gate: `proposal` is what the team showed, `accepted` what went on."""

    gate: str
    """Gate name: plan, locations, patch."""
    action: GateAction
    comment: str = ""
    proposal: str = ""
    """The text shown for approval (plan text, location list, short patch summary or diff)."""
    accepted: str = ""
    """For `edit`: the human's version. For `approve`: empty (the proposal itself was accepted)."""
    at: float = Field(default_factory=time.time)


class Cost(BaseModel):
    tokens: int = 0
    seconds: float = 0.0


class Experience(BaseModel):
    """One lesson: what was asked, where the fault was, what changed, what tests and humans said, outcome."""

    schema_version: int = SCHEMA_VERSION
    id: str = Field(default_factory=new_experience_id)
    job_id: str = ""
    repo: str
    """Repository identity (see `repo_identity`): the same string for every checkout of one project."""
    task: str
    kind: str = "auto"
    """bug | feature | refactor | auto, as asked or classified."""
    classification: dict[str, str] = Field(default_factory=dict)
    """Intake's classification, e.g. {"kind": "bug", "priority": "high", "area": "checkout"}."""
    localized_files: list[str] = Field(default_factory=list)
    localized_symbols: list[str] = Field(default_factory=list)
    changed_files: list[str] = Field(default_factory=list)
    changed_symbols: list[str] = Field(default_factory=list)
    change_summary: str = ""
    """A few sentences on what the fix changed and why; never the whole patch."""
    test_outcome: str = ""
    """passed | failed | not_run, optionally followed by a short note."""
    review_objections: list[str] = Field(default_factory=list)
    decisions: list[HumanDecision] = Field(default_factory=list)
    action_preferences: list[ActionPreference] = Field(default_factory=list)
    """The person's answers at the patch gate, action by action (`export-preferences --format actionrl|dpo`)."""
    status: Status = "unresolved"
    reasons: list[str] = Field(default_factory=list)
    """Why the job ended as it did, as finalize said (empty for a clean resolve)."""
    title: str = ""
    """One line: the task and how it ended. Empty in older records (`headline` derives one)."""
    advice: str = ""
    """The do/avoid summary written from the job's outcome. Empty in older records (`lesson_advice` derives one)."""
    cost: Cost = Field(default_factory=Cost)
    created_at: float = Field(default_factory=time.time)
    finished_at: float = Field(default_factory=time.time)

    @property
    def human_approved(self) -> bool:
        """True when the last decision at the patch gate (or, failing that, any gate) accepted the work."""
        patch = [d for d in self.decisions if d.gate == "patch" and d.action != "comment"]
        final = patch or [d for d in self.decisions if d.action != "comment"]
        return bool(final) and final[-1].action in ("approve", "edit")

    def to_json(self) -> str:
        return self.model_dump_json()


class RepoFacts(BaseModel):
    """What the team learned about running a repository, reused by every later job there."""

    schema_version: int = SCHEMA_VERSION
    repo: str
    test_command: str = ""
    setup_recipe: list[str] = Field(default_factory=list)
    """Shell commands that prepare a fresh workspace, in order."""
    slow_tests: list[str] = Field(default_factory=list)
    flaky_tests: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    updated_at: float = Field(default_factory=time.time)

    def merged(self, newer: RepoFacts) -> RepoFacts:
        """Newer scalar values win; lists are unioned, keeping first-seen order."""

        def union(old: list[str], new: list[str]) -> list[str]:
            return list(dict.fromkeys([*old, *new]))

        return RepoFacts(
            repo=self.repo,
            test_command=newer.test_command or self.test_command,
            setup_recipe=newer.setup_recipe or self.setup_recipe,
            slow_tests=union(self.slow_tests, newer.slow_tests),
            flaky_tests=union(self.flaky_tests, newer.flaky_tests),
            notes=union(self.notes, newer.notes),
            updated_at=max(self.updated_at, newer.updated_at),
        )


def load_experience(raw: str | bytes, where: str) -> Experience | None:
    """Parse a stored record; a corrupt or future-version record is skipped with a warning naming `where`."""
    try:
        data: Any = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        version = data.get("schema_version", 0)
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            log.warning("skipping %s: schema version %r is not supported (max %d)", where, version, SCHEMA_VERSION)
            return None
        return Experience.model_validate(data)
    except (ValueError, ValidationError) as exc:
        log.warning("skipping corrupt experience %s: %s", where, str(exc).splitlines()[0])
        return None


def load_facts(raw: str | bytes, where: str) -> RepoFacts | None:
    try:
        return RepoFacts.model_validate_json(raw)
    except ValidationError as exc:
        log.warning("skipping corrupt repository facts %s: %s", where, str(exc).splitlines()[0])
        return None


def repo_key(repo: str) -> str:
    """Short, key-safe digest of a repository identity."""
    return hashlib.sha1(repo.encode()).hexdigest()[:16]


def normalize_remote(url: str) -> str:
    """`git@github.com:a/b.git`, `https://user@github.com/a/b` → `github.com/a/b`."""
    text = url.strip().removesuffix("/").removesuffix(".git")
    if "://" in text:
        text = text.split("://", 1)[1]
    elif ":" in text and "@" in text.split(":", 1)[0]:
        host, path = text.split(":", 1)
        text = f"{host}/{path}"
    if "@" in text.split("/", 1)[0]:
        text = text.split("@", 1)[1]
    return text.lower()


def repo_identity(repo: str | Path) -> str:
    """The identity lessons are filed under: the origin remote when there is one, else the absolute path."""
    path = Path(repo).expanduser()
    if not path.is_dir():
        return str(repo)
    remote = git(path, "config", "--get", "remote.origin.url").stdout.strip()
    return normalize_remote(remote) if remote else str(path.resolve())
