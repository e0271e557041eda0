"""The test runner of an environment: pytest at a version the repository and the interpreter both accept.

A repository's own pin wins while the chosen Python can run it; an older pin (pytest 2.x on Python 3.9) is
replaced by the release line of the interpreter's floor (4.6.x), and pins of the runner's companions and plugins
are loosened with it; they resolve as of the floor's release, since a later plugin may need a later pytest. When
the commit predates the floor, the runner and its dependencies are resolved as of the floor's release instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from workspaces.environment.requirement_files import Declared

RUNNER = "pytest"
FLOORS = {
    "3.9": ("4.6.11", date(2020, 6, 5)),
    "3.11": ("7.2.0", date(2022, 10, 24)),
    "3.13": ("8.2.1", date(2024, 5, 20)),
}
"""Per interpreter: the oldest pytest that supports it, and the day after its release."""
RELEASES = ("4.6.11", "5.4.3", "6.2.5", "7.0.1", "7.1.3", "7.2.2", "7.3.2", "7.4.4", "8.0.2", "8.1.2", "8.2.2",
            "8.3.5", "8.4.2", "9.0.0")
"""The last release of each pytest line, to test whether a repository's specifier admits a usable pytest."""
COMPANIONS = frozenset(("py", "pluggy", "coverage", "importlib-metadata"))
"""Pinned with an old runner, and as unable to run on a newer Python (coverage 4 reads opcodes 3.8 removed;
importlib-metadata before 0.23 breaks on the finder Python 3.8's importlib.metadata installs)."""


@dataclass
class RunnerChoice:
    requirement: str = ""
    """What joins the resolution for the runner ('' when the project is the runner itself)."""
    reasons: list[str] = field(default_factory=list)
    as_of: str = ""
    """The cut-off for the runner and its dependencies when it is not the environment's ('' when it is)."""
    family: set[str] = field(default_factory=set)
    """Names resolved with the runner's cut-off: the runner, its companions and the plugins the repository asks for."""


def _name(declared: Declared) -> str:
    try:
        return canonicalize_name(Requirement(declared.requirement).name)
    except InvalidRequirement:
        return ""


def _admits_floor(declared: Declared, floor: str) -> bool:
    """Whether the requirement admits some pytest at or above `floor` (its own versions and known releases)."""
    specifier = Requirement(declared.requirement).specifier
    named = {spec.version for spec in specifier if "*" not in spec.version}
    candidates = {Version(v) for v in (*RELEASES, *named) if _is_version(v)}
    return any(v >= Version(floor) and specifier.contains(v, prereleases=True) for v in candidates)


def _is_version(text: str) -> bool:
    try:
        Version(text)
    except InvalidVersion:
        return False
    return True


def _loosened(declared: Declared) -> Declared:
    parsed = Requirement(declared.requirement)
    parsed.specifier = Requirement(parsed.name).specifier
    return Declared(str(parsed), declared.origin)


def choose_runner(
    requirements: list[Declared], python: str, as_of: date | None, project_name: str
) -> tuple[RunnerChoice, list[Declared]]:
    """The runner for `python` when the test tools or the repository ask for pytest, and `requirements` with the
    pins that cannot run on it loosened."""
    floor, released = FLOORS[python]
    if project_name == RUNNER:
        itself = RunnerChoice(reasons=["the project is pytest itself: its tests run with the workspace's pytest"])
        if as_of is not None and as_of < released:
            itself.as_of, itself.family = released.isoformat(), set(COMPANIONS)
            itself.reasons.append(f"the commit predates pytest {floor}, the first on Python {python}: its companions "
                                  f"({', '.join(sorted(COMPANIONS))}) resolve as of {itself.as_of}")
        return itself, [d for d in requirements if _name(d) != RUNNER]
    pinned = [d for d in requirements if _name(d) == RUNNER]
    if not pinned:
        none = RunnerChoice(reasons=["neither docker.test_tools nor the repository asks for pytest"])
        return none, requirements
    choice = RunnerChoice(requirement=f"{RUNNER}>={floor}")
    choice.reasons.append(f"Python {python} needs pytest ≥ {floor}")
    too_old = [d for d in pinned if not _admits_floor(d, floor)]
    plugins = {_name(d) for d in requirements if _name(d).startswith(f"{RUNNER}-")}
    out = requirements
    if too_old:
        pins = ", ".join(f"{d.requirement} ({d.origin})" for d in too_old)
        line = Version(floor).major
        choice.requirement = f"{RUNNER}>={floor},<{line + 1}"
        choice.reasons.append(f"{pins} cannot run on Python {python}: replaced by the {line}.x line, the closest "
                              "that can (a later one drops what old tests use, such as pytest.raises with a string), "
                              "and pins of py, pluggy, coverage and plugins loosened")
        loose = COMPANIONS | plugins
        out = [_loosened(d) if _name(d) in loose else d for d in requirements if d not in too_old]
    elif any(Requirement(d.requirement).specifier for d in pinned):
        choice.reasons.append("the repository's own pytest requirement is kept: " +
                              ", ".join(d.requirement for d in pinned))
    if as_of is not None and as_of < released:
        choice.reasons.append(f"the commit predates pytest {floor}: the runner and its plugins resolve as of "
                              f"{released.isoformat()}")
    elif too_old:
        choice.reasons.append(f"the runner, its companions and plugins resolve as of {released.isoformat()}, when "
                              f"pytest {floor} was new (a later plugin may need a later pytest)")
    if too_old or (as_of is not None and as_of < released):
        choice.as_of = released.isoformat()
        choice.family = {RUNNER, *COMPANIONS, *plugins}
    return choice, out
