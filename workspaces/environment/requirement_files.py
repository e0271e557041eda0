"""Requirements files and tox deps: which files declare what the tests need, and what they declare.

Lines are read as pip would, with two differences that matter outside the repository's own checkout: `-e .`
(or `.[extra]`) always means the repository itself, whatever directory the reader runs in, and what cannot be
installed from a package index (VCS and URL requirements, index options, local paths that are not packages of the
repository) is noted and left out instead of failing later. A folder of the repository with project files of its
own is a local package (`local_packages`).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement

from workspaces.environment.commit_files import CommitFiles
from workspaces.environment.local_packages import LocalPackage, local_target, read_local_package, tests_under

SKIPPED_WORDS = frozenset(
    ("doc", "docs", "typing", "mypy", "lint", "linting", "style", "min", "minimum", "pinned", "release", "build",
     "publish", "benchmark", "benchmarks", "freeze", "precommit", "pre-commit", "pre_commit", "examples", "example")
)
"""Words in a requirements file's path that mark it as not needed by the tests (docs, linters, minimum pins…)."""
TEST_WORDS = frozenset(("test", "tests", "testing"))
_IGNORED_OPTIONS = ("-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--pre", "--no-binary",
                    "--only-binary", "--prefer-binary", "--trusted-host", "--use-feature", "--require-hashes",
                    "--no-index")
_PROJECT_PATH = re.compile(r"^(?:file:)?\.?/?(?:\[(?P<extras>[^\]]*)\])?(?:#.*)?$")


@dataclass(frozen=True)
class Declared:
    """One requirement and where the repository declares it."""

    requirement: str
    origin: str


@dataclass
class Declarations:
    requirements: list[Declared] = field(default_factory=list)
    constraints: list[Declared] = field(default_factory=list)
    project_requested: bool = False
    """A file asks for the project itself (`-e .`): its dependencies join the resolution."""
    project_extras: set[str] = field(default_factory=set)
    local_packages: list[LocalPackage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def _words(path: str) -> set[str]:
    return {word for part in path.lower().split("/") for word in re.split(r"[-_.]", part) if word}


def requirement_files(files: CommitFiles) -> list[str]:
    """The requirements files the tests need: at the root or one folder down, named for requirements, not for
    docs, linters or minimum versions; a pip-compile `.txt` wins over its `.in`, and `dev` files only count
    when no file names tests."""
    found = []
    for path in files.paths:
        if path.count("/") > 1 or not path.endswith((".txt", ".in")):
            continue
        words = _words(path)
        if not ({"requirements", "requirement", "reqs"} & words) or words & SKIPPED_WORDS:
            continue
        if path.endswith(".in") and files.exists(path[:-3] + ".txt"):
            continue
        found.append(path)
    if any(_words(path) & TEST_WORDS for path in found):
        found = [path for path in found if "dev" not in _words(path) or _words(path) & TEST_WORDS]
    return sorted(found)


def _is_location(line: str) -> bool:
    """A path or URL rather than a requirement (`name @ url` is a requirement)."""
    head = line.split(";")[0].split("[")[0].strip()
    return head.startswith((".", "file:", "/")) or ("/" in head and "@" not in head and " " not in head)


def _logical_lines(text: str) -> list[str]:
    joined = re.sub(r"\\\r?\n", " ", text)
    out = []
    for raw in joined.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if line:
            out.append(line)
    return out


class RequirementReader:
    """Reads requirement lines into one `Declarations`, following `-r` and `-c` once per file."""

    def __init__(self, files: CommitFiles) -> None:
        self.files = files
        self.found = Declarations()
        self._seen: set[str] = set()

    def read_file(self, path: str, *, constraints: bool = False) -> None:
        if path in self._seen:
            return
        self._seen.add(path)
        text = self.files.read(path)
        if text is None:
            self.found.notes.append(f"{path} is referenced but not in the repository")
            return
        self.found.files.append(path)
        self.read_lines(_logical_lines(text), path, posixpath.dirname(path), constraints=constraints)

    def read_lines(self, lines: list[str], origin: str, base: str, *, constraints: bool = False) -> None:
        for line in lines:
            self._line(line, origin, base, constraints)

    def _line(self, line: str, origin: str, base: str, constraints: bool) -> None:
        option, _, rest = line.partition(" ")
        rest = rest.strip()
        if option in ("-r", "--requirement", "-c", "--constraint"):
            target = posixpath.normpath(posixpath.join(base, rest))
            self.read_file(target, constraints=constraints or option in ("-c", "--constraint"))
        elif option.startswith(("-r", "-c")) and len(option) > 2 and not option.startswith("--"):
            self._line(f"{option[:2]} {option[2:]}", origin, base, constraints)
        elif option in ("-e", "--editable"):
            self._local(rest, origin)
        elif option.split("=")[0] in _IGNORED_OPTIONS:
            self.found.notes.append(f"{origin}: option `{option.split('=')[0]}` ignored (the resolver's index is used)")
        elif _is_location(line):
            self._local(line, origin)
        else:
            self._requirement(line, origin, constraints)

    def _local(self, target: str, origin: str) -> None:
        match = _PROJECT_PATH.match(target.strip())
        if match:
            self.found.project_requested = True
            extras = match.group("extras") or ""
            self.found.project_extras.update(e.strip() for e in extras.split(",") if e.strip())
        else:
            self._local_package(target, origin)

    def _local_package(self, target: str, origin: str) -> None:
        located = local_target(target)
        package = read_local_package(self.files, *located, origin) if located else None
        if package is None:
            unusable = tests_under(self.files, located[0]) if located and located[0] else []
            tests = f"; {len(unusable)} test file(s) under it may fail to import what it provides" if unusable else ""
            self.found.notes.append(
                f"{origin}: `{target}` left out (not the project, not a package of the repository and not on a "
                f"package index){tests}"
            )
            return
        known = next((p for p in self.found.local_packages if p.folder == package.folder), None)
        if known is None:
            self.found.local_packages.append(package)
        else:
            known.extras = sorted(set(known.extras) | set(package.extras))

    def _requirement(self, line: str, origin: str, constraints: bool) -> None:
        text = re.sub(r"\s--hash[= ]\S+", "", line).strip()
        try:
            parsed = Requirement(text)
        except InvalidRequirement:
            self.found.notes.append(f"{origin}: `{line}` is not a requirement pip understands; left out")
            return
        if parsed.url:
            self.found.notes.append(f"{origin}: `{parsed.name} @ {parsed.url}` left out (a direct URL)")
            return
        target = self.found.constraints if constraints else self.found.requirements
        target.append(Declared(str(parsed), origin))
