"""Snapshots of a Docker workspace kept outside the container: one patch per snapshot in the job folder.

Replaying them in order on a fresh checkout of the base recreates the same snapshot commits (swe-team's git
commands use a fixed identity and date), so ids stored in graph state before a crash still roll back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from core.errors import WorkspaceError

EXPORT_DIR_NAME = "workspace-snapshots"
INDEX_NAME = "index.jsonl"


class Replayable(Protocol):
    def reset_to_base(self) -> None: ...

    def apply_patch_file(self, patch: str) -> None: ...

    def snapshot(self, label: str = "") -> str: ...


@dataclass(frozen=True)
class ExportedSnapshot:
    snapshot_id: str
    label: str
    patch_file: str


class SnapshotExport:
    """The job folder's record of every snapshot taken, oldest first."""

    def __init__(self, job_dir: Path) -> None:
        self.directory = job_dir / EXPORT_DIR_NAME
        self._replaying = False

    def entries(self) -> list[ExportedSnapshot]:
        index = self.directory / INDEX_NAME
        if not index.is_file():
            return []
        rows = [json.loads(line) for line in index.read_text().splitlines() if line.strip()]
        return [ExportedSnapshot(row["id"], row.get("label", ""), row["patch"]) for row in rows]

    def record(self, snapshot_id: str, label: str, patch: str) -> None:
        if self._replaying:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        patch_name = f"{len(self.entries()) + 1:04d}.patch"
        (self.directory / patch_name).write_text(patch)
        with (self.directory / INDEX_NAME).open("a") as index:
            index.write(json.dumps({"id": snapshot_id, "label": label, "patch": patch_name}) + "\n")

    def replay(self, workspace: Replayable) -> list[str]:
        """Re-create every exported snapshot in `workspace` (fresh at the base); end at the last one."""
        entries = self.entries()
        self._replaying = True
        try:
            for entry in entries:
                workspace.reset_to_base()
                patch = (self.directory / entry.patch_file).read_text()
                if patch.strip():
                    workspace.apply_patch_file(patch)
                rebuilt = workspace.snapshot(entry.label)
                if rebuilt != entry.snapshot_id:
                    raise WorkspaceError(
                        f"snapshot {entry.snapshot_id} was rebuilt as {rebuilt}: the exported patches in "
                        f"{self.directory} do not match the base commit",
                        hint="start the job again, or inspect the patches in the job folder",
                    )
        finally:
            self._replaying = False
        return [entry.snapshot_id for entry in entries]
