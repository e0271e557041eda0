"""What a source distribution needs to build: the `[build-system] requires` of its pyproject.toml (pip's
defaults when it has none). The workspace builds source packages offline, so these must be in its wheelhouse."""

from __future__ import annotations

import tarfile
import tomllib
import zipfile
from pathlib import Path

LEGACY_REQUIRES = ["setuptools>=40.8.0", "wheel"]
"""What pip installs to build a source package that declares nothing."""


def _pyproject_text(archive: Path) -> str | None:
    """The text of the pyproject.toml at the top folder of an sdist (.tar.gz, .tar.bz2 or .zip), if any."""
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as bundle:
            names = [n for n in bundle.namelist() if n.count("/") == 1 and n.endswith("/pyproject.toml")]
            return bundle.read(names[0]).decode("utf-8", "replace") if names else None
    with tarfile.open(archive) as bundle:
        for member in bundle:
            if member.isfile() and member.name.lstrip("./").count("/") == 1 and member.name.endswith("/pyproject.toml"):
                handle = bundle.extractfile(member)
                return handle.read().decode("utf-8", "replace") if handle else None
    return None


def build_requirements(archive: Path) -> list[str]:
    text = _pyproject_text(archive)
    if text is None:
        return list(LEGACY_REQUIRES)
    try:
        system = tomllib.loads(text).get("build-system", {})
    except tomllib.TOMLDecodeError:
        return list(LEGACY_REQUIRES)
    requires = system.get("requires") if isinstance(system, dict) else None
    return [str(r) for r in requires] if isinstance(requires, list) else list(LEGACY_REQUIRES)
