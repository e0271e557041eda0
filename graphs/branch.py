"""Writes a job's patch as commits on a new branch of the user's repository without touching their checkout.

Uses a private index file and git plumbing: the working tree, the real index and the current branch stay as
they were.
"""

from __future__ import annotations

import os
import re
import tempfile
import textwrap
from pathlib import Path

from core.errors import RepositoryError
from core.git import git, git_output
from core.state import TeamState

FALLBACK_IDENTITY = {"GIT_AUTHOR_NAME": "swe-team", "GIT_AUTHOR_EMAIL": "swe-team@localhost"}
SUBJECT_LIMIT = 72
BODY_WIDTH = 72
CLAUSE_BREAKS = ("; ", " — ", " - ", ", so ", " so that ", " so ", " because ", ", which ", ", ")
"""Where an over-long first sentence may end early and still say the main thing, best first."""
MARKDOWN_NOISE = re.compile(r"^\s*(?:[-*+>#]+\s+|\d+[.)]\s+)|\*\*|__")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(\"'])")


def subject_line(text: str, limit: int = SUBJECT_LIMIT) -> str:
    """The first sentence of `text` as a commit subject: one line, capitalised (unless it starts with code such
    as `apply_discount` or `method = str(method)`), no final full stop, at most `limit` characters, never cut
    inside a word."""
    sentence = _first_sentence(text)
    first_word, _, rest = sentence.partition(" ")
    if first_word.isalpha() and first_word.islower() and (not rest or rest[0].isalnum()):
        sentence = sentence[0].upper() + sentence[1:]
    return sentence if len(sentence) <= limit else _shortened(sentence, limit)


def _first_sentence(text: str) -> str:
    lines = [MARKDOWN_NOISE.sub("", line).strip() for line in text.strip().splitlines()]
    first = next((line for line in lines if line), "")
    return SENTENCE_END.split(first, maxsplit=1)[0].rstrip(" .:;,")


def _shortened(sentence: str, limit: int) -> str:
    """`sentence` ended at its last clause that fits, or else at its last word that fits, with `…`."""
    for separator in CLAUSE_BREAKS:
        head = sentence[:limit].rsplit(separator, 1)[0].rstrip(" .:;,")
        if separator in sentence[:limit] and len(head) >= limit // 3:
            return head
    words = sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(" .:;,") if " " in sentence[: limit - 1] else ""
    return (words or sentence[: limit - 1]) + "…"


def _says_something(summary: str) -> bool:
    """A model's summary worth a subject: a few words, not `done` or `fixed the bug`."""
    return len(subject_line(summary).split()) >= 3


def _wrapped(*paragraphs: str) -> str:
    kept = [paragraph.strip() for paragraph in paragraphs if paragraph.strip()]
    return "\n\n".join(
        "\n".join(textwrap.fill(line, BODY_WIDTH) if len(line) > BODY_WIDTH else line for line in p.splitlines())
        for p in kept
    )


def fix_subject(state: TeamState) -> str:
    """What the change does, in one line: the coder's summary of its change, else the planner's summary, else the
    task's title, said as a fix for a bug; `swe-team change` when none of them says anything."""
    kind = state.plan.kind if state.plan else state.kind
    fix = state.patch.summary if state.patch else ""
    if _says_something(fix):
        return subject_line(fix)
    for described in (state.plan.summary if state.plan else "", state.task):
        if _says_something(described):
            return subject_line(f"Fix: {subject_line(described, 10_000)}" if kind == "bug" else described)
    return "swe-team change"


def commit_plan(state: TeamState, diff: str) -> list[tuple[list[str], str]]:
    """The commits of a job's branch, for `write_branch`: the reproduction tests first when the diff adds them,
    then the fix, each with a subject about what it does and a body with the why."""
    subject = fix_subject(state)
    task_title = subject_line(state.task, 10_000)
    tests = [p for p in (state.reproduction.test_files if state.reproduction else []) if f"b/{p}" in diff]
    root_cause = state.patch.root_cause if state.patch else ""
    body = _wrapped(
        state.patch.summary if state.patch else "",
        f"Root cause: {root_cause}" if root_cause else "",
        f"Task: {task_title}" if task_title else "",
        f"Job {state.job_id} by swe-team.",
    )
    test_subject = subject_line(f"Add tests: {task_title or subject}")
    steps = [(tests, f"{test_subject}\n\n{_wrapped(f'Job {state.job_id} by swe-team.')}")] if tests else []
    return [*steps, ([], f"{subject}\n\n{body}")]


def tidy_message(message: str) -> str:
    """`message` with a subject line git tools show whole: one line of at most `SUBJECT_LIMIT` characters."""
    subject, _, body = message.partition("\n")
    tidy = subject_line(subject) if len(subject) > SUBJECT_LIMIT else subject.strip()
    return f"{tidy or 'swe-team change'}\n{body}" if body else tidy or "swe-team change"


def _plumbing(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return git_output(repo, *args, error=RepositoryError, env=env).strip()


def _identity(repo: Path) -> dict[str, str]:
    if git(repo, "config", "user.email").returncode == 0:
        return {}
    return {**FALLBACK_IDENTITY, "GIT_COMMITTER_NAME": "swe-team", "GIT_COMMITTER_EMAIL": "swe-team@localhost"}


def _tree(repo: Path, commit: str) -> str:
    return _plumbing(repo, "rev-parse", f"{commit}^{{tree}}")


def write_branch(
    repo: Path, base_commit: str, branch: str, diff: str, commits: list[tuple[list[str], str]]
) -> list[str]:
    """Apply `diff` on `base_commit` in steps: each (paths, message) commits those paths; `[]` means the rest.

    Returns the new commit ids. An existing branch is left alone when it already holds this exact result.
    """
    with tempfile.TemporaryDirectory(prefix="swe-team-branch-") as tmp:
        patch_file = Path(tmp) / "patch.diff"
        patch_file.write_text(diff if diff.endswith("\n") else diff + "\n", encoding="utf-8")
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(tmp) / "index"), **_identity(repo)}
        _plumbing(repo, "read-tree", base_commit, env=env)
        parent = base_commit
        created: list[str] = []
        claimed: list[str] = []
        for paths, message in commits:
            selection = [f"--include={p}" for p in paths] or [f"--exclude={p}" for p in claimed]
            _plumbing(repo, "apply", "--cached", "--whitespace=nowarn", *selection, str(patch_file), env=env)
            claimed += paths
            tree = _plumbing(repo, "write-tree", env=env)
            if tree == _tree(repo, parent):
                continue
            parent = _plumbing(repo, "commit-tree", tree, "-p", parent, "-m", tidy_message(message), env=env)
            created.append(parent)
        existing = git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").stdout.strip()
        if existing and _tree(repo, existing) == _tree(repo, parent):
            return created
        if existing:
            raise RepositoryError(
                f"branch {branch} already exists in {repo} with other content",
                hint=f"delete it (git branch -D {branch}) and run `swe-team resume` again",
            )
        _plumbing(repo, "update-ref", f"refs/heads/{branch}", parent, "")
        return created
