"""Keeping every path a tool or agent names inside the repository root.

`normalize_relative` is the pure string check (usable where the files live elsewhere, as in a container);
`confine` adds the filesystem check that no symlink along the way leads out of the root.
"""

from __future__ import annotations

import posixpath
from pathlib import Path, PurePosixPath

from core.errors import WorkspaceError

_HINT = "use a path relative to the repository root, such as src/app.py"
MAX_PATH_BYTES = 4096
MAX_NAME_BYTES = 255
"""Linux's limits on a whole path and on one of its names: longer ones are refused before any file system call."""


def normalize_relative(path: str, root: str | None = None) -> str:
    """The repository-relative POSIX form of `path` ("." for the root itself), decided on the string alone.

    An absolute path is accepted only when `root` is given and the path lies under it. `..` components are
    resolved lexically; one that climbs above the root is refused.
    """
    if "\x00" in path:
        raise WorkspaceError(f"refused path {path!r}: it contains a NUL byte", hint=_HINT)
    _check_length(path)
    text = path.strip() or "."
    if text.startswith("/"):
        clean_root = posixpath.normpath(root) if root else None
        normalized = posixpath.normpath(text)
        if clean_root is None or not (
            normalized == clean_root or normalized.startswith(clean_root.rstrip("/") + "/")
        ):
            raise WorkspaceError(
                f"refused path {path!r}: absolute paths outside the repository are not allowed", hint=_HINT
            )
        text = posixpath.relpath(normalized, clean_root)
    parts: list[str] = []
    for part in PurePosixPath(text).parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise WorkspaceError(
                    f"refused path {path!r}: it climbs out of the repository with '..'", hint=_HINT
                )
            parts.pop()
            continue
        parts.append(part)
    return "/".join(parts) if parts else "."


def _check_length(path: str) -> None:
    try:
        encoded = path.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise WorkspaceError(f"refused path {path[:80]!r}: it is not valid Unicode ({exc.reason})", hint=_HINT) from exc
    if len(encoded) > MAX_PATH_BYTES:
        raise WorkspaceError(
            f"refused path {path[:80]!r}…: it is {len(encoded):,} bytes long, more than {MAX_PATH_BYTES}", hint=_HINT
        )
    longest = max(path.split("/"), key=lambda name: len(name.encode("utf-8")))
    if len(longest.encode("utf-8")) > MAX_NAME_BYTES:
        raise WorkspaceError(
            f"refused path {path[:80]!r}: the name {longest[:40]!r}… is longer than {MAX_NAME_BYTES} bytes", hint=_HINT
        )


def confine(root: Path, path: str) -> Path:
    """The absolute path of `path` inside `root`, refusing `..` escapes, outside absolute paths and symlinks
    (at any component, followed to the end of any chain) that lead out of the root."""
    real_root = root.resolve()
    relative = _relative_to_either(path, real_root, root)
    candidate = real_root if relative == "." else real_root / relative
    try:
        resolved = candidate.resolve(strict=False)
    except (OSError, RuntimeError) as exc:
        raise WorkspaceError(f"refused path {path!r}: it cannot be resolved ({exc})", hint=_HINT) from exc
    if not _under(resolved, real_root):
        raise WorkspaceError(
            f"refused path {path!r}: a symlink in it leads outside the repository (to {resolved})", hint=_HINT
        )
    return candidate


def _relative_to_either(path: str, real_root: Path, given_root: Path) -> str:
    if not path.startswith("/"):
        return normalize_relative(path)
    try:
        return normalize_relative(path, str(real_root))
    except WorkspaceError:
        return normalize_relative(path, str(given_root.absolute()))


def _under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
