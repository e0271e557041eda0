"""Local packages: folders of the repository with project files of their own that a requirements file or tox's
deps ask for by path (`examples/app[test]`, `-e ./plugins/x`). Their dependencies join the one resolution and
they are installed after the project, from the tree.

Their metadata is read as the project's is (`project_metadata.read_project`) through a view of the commit rooted
at the folder.
"""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass

from workspaces.environment.commit_files import CommitFiles
from workspaces.environment.project_metadata import ProjectMetadata, read_project

PROJECT_FILES = ("pyproject.toml", "setup.cfg", "setup.py")
_PATH_REQUIREMENT = re.compile(r"^(?:file:)?(?P<path>[^\[#;]+?)/?\s*(?:\[(?P<extras>[^\]]*)\])?\s*(?:[#;].*)?$")


@dataclass
class LocalPackage:
    """A folder of the repository installed as a package of its own, and why."""

    folder: str
    extras: list[str]
    origin: str
    metadata: ProjectMetadata

    @property
    def reason(self) -> str:
        extras = f"[{','.join(self.extras)}]" if self.extras else ""
        name = self.metadata.name or self.folder
        return (f"{self.folder} ({name}{extras}): asked for by {self.origin}; its dependencies are resolved with "
                "the project's, and it is installed editable after the project")


class FolderFiles(CommitFiles):
    """The commit's files seen from `folder`, as if it were the repository's root."""

    def __init__(self, whole: CommitFiles, folder: str) -> None:
        super().__init__(whole.repo, whole.commit)
        self.whole = whole
        self.prefix = folder.rstrip("/") + "/"

    @functools.cached_property
    def paths(self) -> list[str]:
        return [path[len(self.prefix):] for path in self.whole.paths if path.startswith(self.prefix)]

    @functools.cache  # noqa: B019 - as CommitFiles.read: one instance per plan, dropped with it
    def read(self, path: str) -> str | None:
        return self.whole.read(self.prefix + path)


def local_target(target: str) -> tuple[str, list[str]] | None:
    """The repository-relative folder and the extras a path requirement names, or None when it names a path
    outside the repository or a URL. Relative paths are taken from the repository's root, where pip and tox run."""
    match = _PATH_REQUIREMENT.match(target.strip())
    if match is None or "://" in target:
        return None
    path = match.group("path").strip()
    if path.startswith("/"):
        return None
    folder = posixpath.normpath(path)
    if folder == ".." or folder.startswith("../"):
        return None
    extras = [e.strip() for e in (match.group("extras") or "").split(",") if e.strip()]
    return ("" if folder == "." else folder), extras


def read_local_package(files: CommitFiles, folder: str, extras: list[str], origin: str) -> LocalPackage | None:
    """The package in `folder` when the folder has project files that declare one, else None."""
    if not folder or not any(files.exists(f"{folder}/{name}") for name in PROJECT_FILES):
        return None
    metadata = read_project(FolderFiles(files, folder))
    if not metadata.declared:
        return None
    metadata.sources = [f"{folder}/{source}" for source in metadata.sources]
    metadata.unreadable = [f"{folder}: {what}" for what in metadata.unreadable]
    return LocalPackage(folder, extras, origin, metadata)


def tests_under(files: CommitFiles, folder: str) -> list[str]:
    """Test files and conftest.py files under `folder` (empty when it is not a folder of the tree)."""
    prefix = folder.rstrip("/") + "/"
    named = re.compile(r"(^|/)(conftest\.py|test_[^/]*\.py|[^/]*_test\.py)$")
    return [path for path in files.paths if path.startswith(prefix) and named.search(path)]
