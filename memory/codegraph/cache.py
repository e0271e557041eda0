"""Finding a repository's source files, hashing them like git, and caching parsed records by blob SHA."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from core.git import git_bytes
from memory.codegraph.records import FileRecord

CACHE_FORMAT = "v4"
"""Bumped whenever extraction changes, so stale records are never reused."""
MAX_FILE_BYTES = 1_000_000
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "build",
        "dist",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
        ".eggs",
    }
)


def blob_sha(content: bytes) -> str:
    """The SHA git gives this content as a blob (`git hash-object`)."""
    digest = hashlib.sha1(b"blob %d\0" % len(content))
    digest.update(content)
    return digest.hexdigest()


def default_cache_dir() -> Path:
    from core.settings import Settings

    return Settings().home / "cache" / "codegraph"


def list_source_files(root: Path) -> list[str]:
    """Repository-relative POSIX paths: git's view (tracked + untracked, not ignored) or a directory walk."""
    if (root / ".git").exists():
        listed = git_bytes(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        if listed.returncode == 0:
            paths = listed.stdout.decode("utf-8", "replace").split("\0")
            return sorted({path for path in paths if path and os.path.isfile(os.path.join(root, path))})
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        relative = Path(folder).relative_to(root)
        found.extend((relative / name).as_posix() for name in files)
    return sorted(found)


class RecordCache:
    """Parsed records on disk, one JSON file per blob SHA, shared by every repository."""

    def __init__(self, directory: Path | None) -> None:
        self.root = directory
        """The folder given, shared by every cache format; None keeps nothing."""
        self.directory = directory / CACHE_FORMAT if directory is not None else None

    def _path(self, sha: str, language: str) -> Path:
        assert self.directory is not None
        return self.directory / sha[:2] / f"{sha}.{language}.json"

    def get(self, sha: str, language: str) -> FileRecord | None:
        if self.directory is None:
            return None
        try:
            return FileRecord.from_dict(json.loads(self._path(sha, language).read_bytes()))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, sha: str, record: FileRecord) -> None:
        if self.directory is None:
            return
        path = self._path(sha, record.language)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(record.to_dict(), separators=(",", ":")), encoding="utf-8")
            temporary.replace(path)
        except OSError:
            pass
