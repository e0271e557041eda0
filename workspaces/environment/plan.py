"""The environment a repository's tests need, inferred from its files at one commit: the plan a build follows
and `swe-team env show` prints, every choice with its reason, every `[environment]` override applied.

Nothing here touches the network or Docker; `cache_inputs` is everything a resolution depends on, so an
environment is built once per distinct set of inputs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from packaging.requirements import InvalidRequirement, Requirement

from core.errors import ConfigError
from core.settings import Settings
from workspaces.environment.commit_files import CommitFiles
from workspaces.environment.local_packages import LocalPackage
from workspaces.environment.project_metadata import TEST_EXTRAS, ProjectMetadata, read_project, requirement_name
from workspaces.environment.python_choice import PythonChoice, choose_python
from workspaces.environment.requirement_files import Declared, RequirementReader, requirement_files
from workspaces.environment.test_network import TestNetwork, choose_network
from workspaces.environment.test_runner import RunnerChoice, choose_runner
from workspaces.environment.tox_config import ToxConfig, read_tox

PLAN_VERSION = 2
"""Bumped whenever the way a plan becomes an image changes, so old environments are not reused."""
BUILD_TOOLS = ("setuptools", "wheel")
OLD_PIP = frozenset(("3.9",))
"""Interpreters whose image has a pip older than 21.3, which cannot install pyproject projects editable."""
ProjectMode = Literal["editable", "path", "none"]


@dataclass
class ProjectInstall:
    mode: ProjectMode
    reason: str
    name: str = ""
    scm_version: str = ""
    """The version setuptools-scm is told (`SETUPTOOLS_SCM_PRETEND_VERSION`): the tree arrives without .git."""
    resolve_from_source: bool = False
    """The project's dependencies could not be read without running its setup: the resolver builds its metadata."""


@dataclass
class EnvironmentPlan:
    python: str
    python_reasons: list[str]
    as_of: str
    """Cut-off date of the resolution (ISO), '' for none."""
    as_of_reason: str
    requirements: list[Declared]
    constraints: list[Declared]
    build_requirements: list[str]
    runner: RunnerChoice
    project: ProjectInstall
    extras: list[str]
    compiles: list[str]
    """Why the image needs the build layer before anything is resolved (empty: only if a source package does)."""
    build_tools: str
    pre_install: list[str]
    declaration_files: dict[str, str]
    """Every file read, by path, with the hash of its content."""
    notes: list[str] = field(default_factory=list)
    network: TestNetwork = field(default_factory=TestNetwork)
    """The network and servers the workspace gets when it opens (no part of the image)."""
    local_packages: list[LocalPackage] = field(default_factory=list)
    """Folders of the repository installed as packages after the project (their dependencies are resolved)."""

    def cache_inputs(self) -> dict[str, Any]:
        """Everything the resolution and the dependency layer depend on (not the project's own files)."""
        local = {"local_packages": [p.folder for p in self.local_packages]} if self.local_packages else {}
        return {
            **local,
            "plan": PLAN_VERSION,
            "python": self.python,
            "as_of": self.as_of,
            "requirements": sorted(d.requirement for d in self.requirements),
            "constraints": sorted(d.requirement for d in self.constraints),
            "build": sorted(self.build_requirements),
            "runner": [self.runner.requirement, self.runner.as_of, sorted(self.runner.family)],
            "from_source": self.project.resolve_from_source,
            "files": self.declaration_files if self.project.resolve_from_source else {},
            "compiles": bool(self.compiles),
            "build_tools": self.build_tools,
        }


def _as_of(settings: Settings, files: CommitFiles) -> tuple[str, str]:
    wanted = settings.environment.as_of
    if wanted == "now":
        return "", "no cut-off ([environment] as_of = \"now\"): today's releases"
    if wanted:
        return wanted, "set in [environment] as_of"
    day = files.date.date().isoformat()
    return day, f"the base commit's date: dependencies resolve to the releases of {day}"


def _project_requirements(meta: ProjectMetadata, extras: list[str]) -> list[Declared]:
    origin = " + ".join(meta.sources)
    found = [Declared(r, origin) for r in meta.dependencies]
    for extra in extras:
        found += [Declared(r, f"{origin} extra [{extra}]") for r in meta.extras.get(extra, [])]
    found += [Declared(r, f"{origin} tests_require") for r in meta.tests_require]
    return found


def _valid(requirements: list[Declared], notes: list[str]) -> list[Declared]:
    out = []
    for declared in requirements:
        try:
            Requirement(declared.requirement)
        except InvalidRequirement:
            notes.append(f"{declared.origin}: `{declared.requirement}` is not a valid requirement; left out")
            continue
        out.append(declared)
    return out


def _project_install(settings: Settings, meta: ProjectMetadata, files: CommitFiles) -> ProjectInstall:
    wanted = settings.environment.project_install
    scm = files.scm_version() if meta.uses_scm else ""
    from_source = bool(meta.unreadable) and meta.declared
    if wanted == "editable" and not meta.declared:
        raise ConfigError(
            '[environment] project_install = "editable", but the repository has no pyproject.toml, setup.py or '
            "setup.cfg to install",
            hint='use "path" (put /workspace on the module path) or "none"',
        )
    if wanted != "auto":
        return ProjectInstall(wanted, "set in [environment] project_install", meta.name, scm, from_source)
    if meta.declared:
        why = f"installable from {', '.join(meta.sources)}: tests import the code in /workspace"
        return ProjectInstall("editable", why, meta.name, scm, from_source)
    return ProjectInstall("path", "no project files: /workspace is put on the module path", "", "", False)


def _python(settings: Settings, files: CommitFiles, meta: ProjectMetadata, tox: ToxConfig | None) -> PythonChoice:
    if settings.environment.python:
        return PythonChoice(settings.environment.python, ["set in [environment] python"])
    return choose_python(files, files.date.date(), meta.requires_python, meta.requires_python_source,
                         meta.classifier_versions, tox.python_versions if tox else [])


def _build_requirements(python: str, meta: ProjectMetadata, overrides: list[str]) -> list[str]:
    tools = [*BUILD_TOOLS, *(["pip"] if python in OLD_PIP else [])]
    names = {requirement_name(r) for r in meta.build_requires} | set(tools)
    return [*tools, *meta.build_requires, *(p for p in overrides if requirement_name(p) in names)]


def plan_environment(files: CommitFiles, settings: Settings) -> EnvironmentPlan:
    """The environment for `files`' commit under `settings` (its `[environment]` overrides win)."""
    overrides = settings.environment
    meta, tox, reader = read_project(files), read_tox(files), RequirementReader(files)
    for path in requirement_files(files):
        reader.read_file(path)
    if tox is not None:
        reader.read_lines(tox.deps, "tox.ini [testenv] deps", "")
    found = reader.found
    notes = [*found.notes, *meta.unreadable]
    if tox is not None and tox.skipped:
        notes.append(f"tox.ini deps for some envs only, left out: {', '.join(tox.skipped)}")
    python = _python(settings, files, meta, tox)
    as_of, as_of_reason = _as_of(settings, files)
    project = _project_install(settings, meta, files)
    extras = sorted({e for e in meta.extras if e in TEST_EXTRAS} | (found.project_extras & set(meta.extras)))
    requirements = _valid(found.requirements, notes)
    if project.mode != "none" and meta.declared:
        requirements = _valid(_project_requirements(meta, extras), notes) + requirements
    for package in found.local_packages:
        requirements += _valid(_project_requirements(package.metadata, package.extras), notes)
        notes += package.metadata.unreadable
    installed_here = {meta.name, *(p.metadata.name for p in found.local_packages)} - {""}
    requirements = [d for d in requirements if requirement_name(d.requirement) not in installed_here]
    tools = [Declared(tool, "docker.test_tools") for tool in settings.docker.test_tools]
    runner, requirements = choose_runner(
        requirements + tools, python.version, date.fromisoformat(as_of) if as_of else None, meta.name
    )
    replaced = {requirement_name(p) for p in overrides.packages}
    requirements = [d for d in requirements if requirement_name(d.requirement) not in replaced]
    constraints = [d for d in _valid(found.constraints, notes) if requirement_name(d.requirement) not in replaced]
    requirements += _valid([Declared(p, "[environment] packages") for p in overrides.packages], notes)
    if runner.requirement and requirement_name(runner.requirement) not in replaced:
        requirements.append(Declared(runner.requirement, "test runner"))
    local_sources = [source for package in found.local_packages for source in package.metadata.sources]
    read = [*meta.sources, *found.files, *(["tox.ini"] if tox is not None else []), *local_sources]
    return EnvironmentPlan(
        python=python.version,
        python_reasons=python.reasons,
        as_of=as_of,
        as_of_reason=as_of_reason,
        requirements=requirements,
        constraints=constraints,
        build_requirements=_build_requirements(python.version, meta, overrides.packages),
        runner=runner,
        project=project,
        extras=extras,
        compiles=list(meta.compiles),
        build_tools=overrides.build_tools,
        pre_install=list(overrides.pre_install),
        declaration_files={p: hashlib.sha256((files.read(p) or "").encode()).hexdigest()[:16] for p in read},
        notes=notes,
        network=choose_network(files, overrides),
        local_packages=found.local_packages,
    )
