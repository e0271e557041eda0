"""Which Python a repository's tests run on, with the reasons: its declarations first, its age second.

The candidates are the interpreters the workspace images have. `requires-python` rules candidates out; a pin
(`.python-version`, `runtime.txt`) picks the nearest; versions the repository says it supports (classifiers,
tox envs, nox sessions, CI matrices) pick the newest of them that was established at the commit's date; with no
declaration the date alone decides, since a Python newer than the code often cannot run it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from workspaces.environment.commit_files import CommitFiles

CANDIDATES = {"3.9": "3.9.2", "3.11": "3.11.2", "3.13": "3.13.5"}
"""The interpreters of the workspace images (Debian bullseye, bookworm, trixie) and their exact versions."""
ESTABLISHED = {"3.9": date(2021, 1, 1), "3.11": date(2023, 1, 24), "3.13": date(2025, 1, 7)}
"""When each became a safe default: about three months after its release, once the ecosystem had wheels for it."""
CI_FILES = (".github/workflows/*.yml", ".github/workflows/*.yaml", ".travis.yml")
_CI_KEY = re.compile(r"^(\s*)(?:-\s*)?[\w-]*python[\w-]*\s*:\s*(.*)$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^(\s*)-\s*(.*)$")
_VERSION = re.compile(r"(?<![\w.])([23]\.\d{1,2})(?![\d])")


@dataclass
class PythonChoice:
    version: str
    reasons: list[str] = field(default_factory=list)


def _key(version: str) -> tuple[int, int]:
    major, _, minor = version.partition(".")
    return int(major), int(minor or 0)


def _distance(version: str, other: str) -> int:
    (major, minor), (other_major, other_minor) = _key(version), _key(other)
    return abs((major - other_major) * 100 + minor - other_minor)


def ci_versions(text: str) -> list[str]:
    """Python versions a CI file's `python…:` keys name, inline or as the list under them."""
    found: list[str] = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = _CI_KEY.match(line)
        if not match:
            continue
        found += _VERSION.findall(match.group(2).split("#")[0])
        indent = len(match.group(1))
        for following in lines[index + 1 :]:
            item = _LIST_ITEM.match(following)
            if not item or len(item.group(1)) < indent or ":" in item.group(2):
                break
            found += _VERSION.findall(item.group(2))
    return found


def declared_versions(files: CommitFiles, classifiers: list[str], tox: list[str]) -> dict[str, list[str]]:
    """Supported versions by source: classifiers, tox.ini, noxfile.py and each CI file."""
    sources: dict[str, list[str]] = {}
    if classifiers:
        sources["classifiers"] = classifiers
    if tox:
        sources["tox.ini"] = tox
    if (nox := files.read("noxfile.py")) is not None:
        sources["noxfile.py"] = re.findall(r"""['"]([23]\.\d{1,2})['"]""", nox)
    for path in files.matching(*CI_FILES):
        sources[path] = ci_versions(files.read(path) or "")
    return {source: sorted(set(versions), key=_key) for source, versions in sources.items() if versions}


def pinned_version(files: CommitFiles) -> tuple[str, str]:
    """(version, file) from `.python-version` or `runtime.txt`, or ('', '')."""
    for path in (".python-version", "runtime.txt"):
        text = files.read(path) or ""
        match = _VERSION.search(text.split("\n", 1)[0])
        if match:
            return match.group(1), path
    return "", ""


def _allowed(requires_python: str, source: str, reasons: list[str]) -> list[str]:
    if not requires_python:
        return list(CANDIDATES)
    try:
        spec = SpecifierSet(requires_python)
    except InvalidSpecifier:
        reasons.append(f"{source} `{requires_python}` is not a version specifier; ignored")
        return list(CANDIDATES)
    allowed = [version for version, exact in CANDIDATES.items() if spec.contains(exact, prereleases=True)]
    if allowed:
        if len(allowed) < len(CANDIDATES):
            reasons.append(f"{source} `{requires_python}` admits only {', '.join(allowed)}")
        return allowed
    newer = any(spec.contains(f"3.{minor}.0") for minor in range(14, 30))
    closest = max(CANDIDATES, key=_key) if newer else min(CANDIDATES, key=_key)
    reasons.append(f"{source} `{requires_python}` admits none of {', '.join(CANDIDATES)}; {closest} is the closest")
    return [closest]


def choose_python(
    files: CommitFiles, commit_date: date, requires_python: str, requires_source: str,
    classifiers: list[str], tox: list[str],
) -> PythonChoice:
    """The interpreter for the repository at this commit, and why."""
    reasons: list[str] = []
    allowed = _allowed(requires_python, requires_source, reasons)
    pinned, pin_file = pinned_version(files)
    if pinned:
        best = min(allowed, key=lambda v: (_distance(v, pinned), -_key(v)[1]))
        return PythonChoice(best, [*reasons, f"{pin_file} pins {pinned}; {best} is the nearest available"])
    established = [v for v in allowed if ESTABLISHED[v] <= commit_date] or allowed[:1]
    era = established[-1]
    era_reason = f"{era} was the newest established Python at the commit date {commit_date.isoformat()}"
    declared = declared_versions(files, classifiers, tox)
    named = sorted({v for versions in declared.values() for v in versions}, key=_key)
    if not named:
        return PythonChoice(era, [*reasons, f"no supported versions declared; {era_reason}"])
    listing = "; ".join(f"{source}: {', '.join(versions)}" for source, versions in declared.items())
    usable = [v for v in allowed if v in named]
    if usable:
        in_era = [v for v in usable if _key(v) <= _key(era)]
        best = in_era[-1] if in_era else usable[0]
        why = f"the newest declared one not newer than {era} ({era_reason})" if in_era else "the oldest declared one"
        return PythonChoice(best, [*reasons, f"declared: {listing}", f"{best} is {why}"])
    newest = max(named, key=_key)
    above = [v for v in allowed if _key(v) >= _key(newest)]
    best = above[0] if above else allowed[-1]
    return PythonChoice(
        best, [*reasons, f"declared: {listing}", f"no image has these; {best} is the closest to {newest}"]
    )
