"""Snapshot, rollback and diff of a workspace, done entirely with git commands run through a shell runner.

The runner executes one bash script at the repository root and returns its full, untruncated output; the
local backend runs it as a subprocess, the Docker backend inside the container, so both share this code.

A snapshot stages every non-ignored file into a private index (`GIT_INDEX_FILE`, never the real one), writes
a tree, and keeps it alive as a commit under `refs/swe-team/snapshots/<namespace>/<n>[-label]`. HEAD, the
branch and the real index are never touched. The private index persists in the git directory so that later
calls only re-hash files whose stat data changed, which keeps each call fast on large repositories.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Protocol

from core.errors import WorkspaceError
from workspaces.base import ExecResult

SNAPSHOT_REF_ROOT = "refs/swe-team/snapshots"

JUNK_PATHSPECS = (
    ":(exclude,glob)**/__pycache__/**",
    ":(exclude,glob)**/*.pyc",
    ":(exclude,glob)**/.pytest_cache/**",
    ":(exclude,glob)**/.mypy_cache/**",
    ":(exclude,glob)**/.ruff_cache/**",
    ":(exclude,glob).swe-team/**",
)
"""Tool droppings never recorded in snapshots or diffs, even in repositories without a .gitignore."""

_IDENTITY = (
    "GIT_AUTHOR_NAME=swe-team GIT_AUTHOR_EMAIL=swe-team@localhost "
    "GIT_COMMITTER_NAME=swe-team GIT_COMMITTER_EMAIL=swe-team@localhost"
)
_DIFF_FLAGS = "--binary --no-color --no-ext-diff --no-textconv --no-renames"
_PLAIN_DIFF_CONFIG = "-c diff.noprefix=false -c diff.mnemonicPrefix=false -c core.quotePath=true"


class ScriptRunner(Protocol):
    """Runs `bash -c script` at the repository root and returns the complete (untruncated) output."""

    def __call__(self, script: str, /) -> ExecResult: ...


@dataclass(frozen=True)
class SnapshotRef:
    name: str
    commit: str


def _ref_component(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip(".-")
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    return cleaned.removesuffix(".lock")[:80]


class GitSnapshots:
    """Snapshots, rollback and diff against `base_commit` for one workspace; `namespace` is the job id."""

    def __init__(self, run: ScriptRunner, base_commit: str, namespace: str) -> None:
        self._run = run
        self.base_commit = base_commit
        self.namespace = _ref_component(namespace) or "default"

    @property
    def ref_prefix(self) -> str:
        return f"{SNAPSHOT_REF_ROOT}/{self.namespace}"

    def _stage_everything(self) -> str:
        """Script lines that point GIT_INDEX_FILE at the private index and stage the whole working tree."""
        junk = " ".join(shlex.quote(spec) for spec in JUNK_PATHSPECS)
        return (
            "set -e\n"
            "gd=$(git rev-parse --absolute-git-dir)\n"
            'export GIT_INDEX_FILE="$gd/swe-team.index"\n'
            'if [ ! -f "$GIT_INDEX_FILE" ] && [ -f "$gd/index" ]; then cp "$gd/index" "$GIT_INDEX_FILE"; fi\n'
            f"git add -A -- . {junk}\n"
        )

    def _check(self, result: ExecResult, action: str) -> str:
        if not result.ok:
            detail = (result.stderr or result.stdout).strip()[-2000:]
            raise WorkspaceError(
                f"{action} failed (exit code {result.exit_code}): {detail}",
                hint="check that the workspace is still a git checkout (`git status` in it)",
            )
        return result.stdout

    def snapshot(self, label: str = "") -> str:
        """Record every non-ignored file; return the snapshot commit id."""
        suffix = f"-{_ref_component(label)}" if _ref_component(label) else ""
        message = shlex.quote(f"swe-team snapshot {label}".strip())
        prefix = shlex.quote(self.ref_prefix + "/")
        script = self._stage_everything() + (
            "tree=$(git write-tree)\n"
            f"n=$(git for-each-ref --format=x {prefix} | wc -l)\n"
            "n=$((n + 1))\n"
            f"commit=$({_IDENTITY} git commit-tree --no-gpg-sign -p {shlex.quote(self.base_commit)} "
            f'-m {message} "$tree")\n'
            f'git update-ref {shlex.quote(self.ref_prefix)}/"$n"{shlex.quote(suffix)} "$commit"\n'
            'echo "$commit"\n'
        )
        return self._check(self._run(script), "snapshot").strip().splitlines()[-1]

    def rollback(self, snapshot_id: str) -> None:
        """Make every non-ignored file match the snapshot byte for byte, mode too; remove newer files. The cached
        bytecode of each Python file that changes is removed: Python trusts a cache whose source has the same size
        and modification second, which two versions of a file written within a second can share."""
        target = shlex.quote(self._resolve(snapshot_id))
        script = self._stage_everything() + (
            f"git -c core.quotePath=false diff --cached --name-only --no-renames {target} -- '*.py' |\n"
            "while IFS= read -r path; do\n"
            '  folder="${path%/*}"; [ "$folder" = "$path" ] && folder=.; name="${path##*/}"\n'
            '  rm -f "$folder/__pycache__/${name%.py}".*.pyc\n'
            "done\n"
            f"git read-tree --reset -u {target}\n"
        )
        self._check(self._run(script), f"rollback to {snapshot_id}")

    def diff(self) -> str:
        """Unified git diff of the working files (new non-ignored ones included) against the base."""
        script = self._stage_everything() + (
            f"git {_PLAIN_DIFF_CONFIG} diff --cached {_DIFF_FLAGS} {shlex.quote(self.base_commit)} --\n"
        )
        return self._check(self._run(script), "diff")

    def list(self) -> list[SnapshotRef]:
        """This namespace's snapshots, oldest first."""
        script = f"git for-each-ref --format='%(objectname) %(refname)' {shlex.quote(self.ref_prefix + '/')}"
        refs = []
        for line in self._check(self._run(script), "listing snapshots").splitlines():
            commit, _, name = line.partition(" ")
            refs.append(SnapshotRef(name=name, commit=commit))
        return sorted(refs, key=lambda ref: _sequence_number(ref.name))

    def delete_all(self) -> None:
        """Remove this namespace's snapshot refs (their objects become garbage for `git gc`)."""
        script = (
            f"git for-each-ref --format='delete %(refname)' {shlex.quote(self.ref_prefix + '/')}"
            " | git update-ref --stdin"
        )
        self._check(self._run(script), "deleting snapshot refs")

    def _resolve(self, snapshot_id: str) -> str:
        candidates = [snapshot_id, f"{self.ref_prefix}/{snapshot_id}"]
        script = (
            "; ".join(
                f"git rev-parse --verify --quiet {shlex.quote(name + '^{commit}')} && exit 0"
                for name in candidates
            )
            + "; exit 1"
        )
        result = self._run(script)
        if not result.ok:
            known = ", ".join(ref.name.rsplit("/", 1)[-1] for ref in self.list()) or "none"
            raise WorkspaceError(
                f"unknown snapshot {snapshot_id!r}",
                hint=f"use an id returned by snapshot(); snapshots: {known}",
            )
        return result.stdout.strip().splitlines()[-1]


def _sequence_number(ref_name: str) -> int:
    leaf = ref_name.rsplit("/", 1)[-1]
    digits = re.match(r"\d+", leaf)
    return int(digits.group()) if digits else 0
