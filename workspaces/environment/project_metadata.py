"""What a repository's project files declare: its name, the Pythons it supports, its dependencies and extras,
and what its build needs (a backend, a compiler, a version from git).

pyproject.toml and setup.cfg are read as data and setup.py through its syntax tree (`setup_py`); nothing runs.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from packaging.utils import canonicalize_name

from workspaces.environment.commit_files import CommitFiles
from workspaces.environment.setup_py import read_setup_py

TEST_EXTRAS = ("test", "tests", "testing", "dev")
"""Extras whose packages the tests need, installed with the project when it declares them."""
COMPILING_BUILD_REQUIREMENTS = frozenset(
    canonicalize_name(name)
    for name in ("cython", "pybind11", "scikit-build", "scikit-build-core", "meson-python", "setuptools-rust",
                 "maturin", "cffi", "oldest-supported-numpy", "numpy", "extension-helpers")
)
SCM_BUILD_REQUIREMENTS = frozenset(("setuptools-scm", "hatch-vcs", "setuptools-scm-git-archive"))
_CLASSIFIER = re.compile(r"Programming Language :: Python :: (\d+\.\d+)\s*$")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass
class ProjectMetadata:
    """The project's own declarations; each list keeps the repository's requirement strings as written."""

    name: str = ""
    requires_python: str = ""
    requires_python_source: str = ""
    dependencies: list[str] = field(default_factory=list)
    extras: dict[str, list[str]] = field(default_factory=dict)
    tests_require: list[str] = field(default_factory=list)
    classifier_versions: list[str] = field(default_factory=list)
    build_requires: list[str] = field(default_factory=list)
    compiles: list[str] = field(default_factory=list)
    """Why the project's own build needs a compiler (empty: it does not seem to)."""
    uses_scm: bool = False
    unreadable: list[str] = field(default_factory=list)
    """What could not be read without running code; the resolver then builds the project's metadata."""
    sources: list[str] = field(default_factory=list)

    @property
    def declared(self) -> bool:
        """True when the repository is an installable project (it has project files)."""
        return bool(self.sources)


def requirement_name(text: str) -> str:
    """The canonical distribution name a requirement string starts with ('' when it names none)."""
    match = _NAME.match(text)
    return canonicalize_name(match.group(1)) if match else ""


def _lines(value: str) -> list[str]:
    stripped = (line.split(" #")[0].strip() for line in value.splitlines())
    return [line for line in stripped if line and not line.startswith("#")]


def _cfg_list(files: CommitFiles, value: str) -> list[str]:
    if value.strip().startswith("file:"):
        out: list[str] = []
        for name in value.strip().removeprefix("file:").replace(",", " ").split():
            out += [line for line in _lines(files.read(name) or "") if not line.startswith("-")]
        return out
    return _lines(value)


def _read_pyproject(files: CommitFiles, found: ProjectMetadata) -> None:
    text = files.read("pyproject.toml")
    if text is None:
        return
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found.unreadable.append(f"pyproject.toml is not valid TOML ({exc})")
        return
    build = data.get("build-system", {})
    project: dict[str, Any] = data.get("project", {})
    tool: dict[str, Any] = data.get("tool", {})
    if build or project:
        found.sources.append("pyproject.toml")
    found.build_requires = [str(r) for r in build.get("requires", [])]
    found.name = str(project.get("name", ""))
    if requires := project.get("requires-python"):
        found.requires_python, found.requires_python_source = str(requires), "pyproject.toml requires-python"
    found.dependencies = [str(r) for r in project.get("dependencies", [])]
    found.extras = {str(k): [str(r) for r in v] for k, v in project.get("optional-dependencies", {}).items()}
    found.classifier_versions = _classifier_versions(project.get("classifiers", []))
    dynamic = tool.get("setuptools", {}).get("dynamic", {})
    if "dependencies" in project.get("dynamic", []) and isinstance(dynamic.get("dependencies"), dict):
        found.dependencies = _cfg_list(files, "file: " + " ".join(dynamic["dependencies"].get("file", [])))
    found.uses_scm = "setuptools_scm" in tool or ("hatch" in tool and "vcs" in str(tool["hatch"]))
    if "poetry" in tool:
        found.unreadable.append("Poetry's [tool.poetry] dependencies are not read")


def _classifier_versions(classifiers: list[str]) -> list[str]:
    return [match.group(1) for text in classifiers if (match := _CLASSIFIER.search(str(text)))]


def _read_setup_cfg(files: CommitFiles, found: ProjectMetadata) -> None:
    text = files.read("setup.cfg")
    if text is None:
        return
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        found.unreadable.append(f"setup.cfg does not parse ({exc.message})")
        return
    if not (parser.has_section("metadata") or parser.has_section("options")):
        return
    found.sources.append("setup.cfg")
    metadata, options = parser["metadata"] if parser.has_section("metadata") else {}, (
        parser["options"] if parser.has_section("options") else {}
    )
    found.name = found.name or metadata.get("name", "")
    found.classifier_versions = found.classifier_versions or _classifier_versions(
        _cfg_list(files, metadata.get("classifiers", ""))
    )
    if (requires := options.get("python_requires")) and not found.requires_python:
        found.requires_python, found.requires_python_source = requires.strip(), "setup.cfg python_requires"
    found.dependencies = found.dependencies or _cfg_list(files, options.get("install_requires", ""))
    found.tests_require = _cfg_list(files, options.get("tests_require", ""))
    if "setuptools_scm" in options.get("setup_requires", "").replace("-", "_"):
        found.uses_scm = True
    if parser.has_section("options.extras_require") and not found.extras:
        found.extras = {k: _cfg_list(files, v) for k, v in parser["options.extras_require"].items()}


def _read_setup_py(files: CommitFiles, found: ProjectMetadata) -> None:
    text = files.read("setup.py")
    if text is None:
        return
    found.sources.append("setup.py")
    call = read_setup_py(text)
    found.unreadable += call.unreadable
    found.uses_scm = found.uses_scm or call.uses_scm
    if call.compiles:
        found.compiles.append("setup.py builds extension modules")
    given = call.arguments
    found.name = str(given.get("name", "") or found.name)
    if requires := given.get("python_requires"):
        found.requires_python, found.requires_python_source = str(requires), "setup.py python_requires"
    found.dependencies = [str(r) for r in given.get("install_requires", found.dependencies)]
    found.tests_require = [str(r) for r in given.get("tests_require", found.tests_require)]
    if isinstance(extras := given.get("extras_require"), dict):
        found.extras = {str(k): [str(r) for r in ([v] if isinstance(v, str) else v)] for k, v in extras.items()}
    found.classifier_versions = _classifier_versions(given.get("classifiers", [])) or found.classifier_versions
    if any("scm" in str(r) for r in given.get("setup_requires", [])):
        found.uses_scm = True


def read_project(files: CommitFiles) -> ProjectMetadata:
    """The project's declarations at the repository root (setup.py wins over setup.cfg, as in setuptools)."""
    found = ProjectMetadata()
    _read_pyproject(files, found)
    _read_setup_cfg(files, found)
    _read_setup_py(files, found)
    build_names = {requirement_name(r) for r in found.build_requires}
    found.uses_scm = found.uses_scm or bool(build_names & SCM_BUILD_REQUIREMENTS)
    found.compiles += [f"its build requires {n}" for n in sorted(build_names & COMPILING_BUILD_REQUIREMENTS)]
    found.name = canonicalize_name(found.name) if found.name else ""
    return found
