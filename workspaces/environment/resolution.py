"""Resolving a plan on the host: every requirement together, once, for the chosen interpreter and as of the
cut-off date (`uv pip compile --exclude-newer`, written as a PEP 751 lock), then fetching exactly the locked
files into a wheelhouse, each checked against its hash.

The build tools (pip, setuptools, wheel, the project's build backend) resolve apart and without the cut-off:
an old tree still builds with a current backend, and they install only in isolated build environments.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from core.errors import WorkspaceError
from workspaces.environment import sdist_build
from workspaces.environment.plan import EnvironmentPlan
from workspaces.environment.project_metadata import requirement_name
from workspaces.environment.python_choice import CANDIDATES

GLIBC_MINOR = {"3.9": 31, "3.11": 36, "3.13": 40}
"""glibc of each interpreter's Debian suite (trixie has 2.41; uv knows up to 2.40), for manylinux wheels."""
DEFAULT_BUILD_TOOLS = ("pip", "setuptools", "wheel")
MAX_REPAIRS = 5
BUILD_CONSTRAINT = "setuptools<81"
"""For source packages built on the host: setuptools 81 dropped pkg_resources, which old build plugins import."""
SETUPTOOLS_WITH_2TO3 = "setuptools<58"
"""For source packages whose setup uses `use_2to3`, which setuptools 58 removed: their build fails on later ones."""
_USES_2TO3 = re.compile(r"Failed to build `([\w.-]+)==[^`]*`.*?use_2to3 is invalid", re.DOTALL)
_NOT_ON_INDEX = re.compile(r"Because ([\w.-]+) was not found in the package registry and you require \1")
BACKENDS = ("setuptools", "wheel")
"""Build backends the host needs current to build old source packages' metadata; at run time they keep their era."""
_ONLY_LATER = re.compile(
    r"`([\w.-]+)` was filtered by `exclude-newer`.*?The latest version satisfying the requirement is \S+, "
    r"published at (\S+?)\.?(?:\s|$)", re.DOTALL,
)
RESOLVE_TIMEOUT_S = 900
DOWNLOAD_TIMEOUT_S = 300
SHARED_FILE_MODE = 0o644
"""Fetched files are read in build containers by the job user, not their owner."""


@dataclass(frozen=True)
class Pin:
    """One locked distribution and the file that installs it."""

    name: str
    version: str
    location: str
    sha256: str
    is_sdist: bool

    @property
    def filename(self) -> str:
        return urllib.parse.unquote(self.location.rstrip("/").rsplit("/", 1)[-1].split("#")[0])


@dataclass
class Resolution:
    pins: list[Pin]
    build: list[Pin]
    runner_family: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    """Direct requirements whose name the index does not know, left out (`docker.leave_out_unknown_packages`)."""

    def version_of(self, name: str) -> str:
        return next((pin.version for pin in self.pins if pin.name == name), "")


def uv_command() -> str:
    from uv import find_uv_bin

    return str(find_uv_bin())


def uv_version() -> str:
    done = subprocess.run([uv_command(), "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def _pins(lock: Path, skip: str) -> list[Pin]:
    data = tomllib.loads(lock.read_text())
    pins = []
    for package in data.get("packages", []):
        name = str(package["name"])
        wheels: list[dict[str, Any]] = package.get("wheels", [])
        chosen, is_sdist = (wheels[0], False) if wheels else (package.get("sdist"), True)
        if name == skip and chosen is None:
            continue
        if chosen is None:
            raise WorkspaceError(
                f"environment step 'resolve' failed: {name} resolved to {package.get('directory') or package}, "
                "which no package index serves",
                hint="name it in [environment] packages with a version on the index",
            )
        location = str(chosen.get("url") or (lock.parent / str(chosen["path"])))
        pins.append(Pin(name, str(package["version"]), location, str(chosen["hashes"]["sha256"]), is_sdist))
    return pins


def _compile(
    requirements: list[str],
    constraints: list[str],
    *,
    python: str,
    as_of: str,
    per_package: dict[str, str],
    extra_args: list[str],
    workdir: Path,
    label: str,
    notes: list[str],
    build_constraints: list[str],
    repair: bool = True,
    left_out: list[str] | None = None,
) -> Path:
    """Lock `requirements` with uv. What the index lost is repaired and noted: a package whose every release is
    newer than the cut-off (old releases deleted) gets the releases uv names; given a `left_out` list, a direct
    requirement whose name the index does not know is left out and added to it; a
    source package that needs `use_2to3` narrows `build_constraints` (shared by the resolution's calls) to a
    setuptools that has it."""
    requirements = list(requirements)
    source = workdir / f"{label}.in"
    lock = workdir / f"pylock.{label}.toml"
    command = [
        uv_command(), "pip", "compile", str(source), "--format", "pylock.toml", "-o", str(lock), "--no-header",
        "--python", sys.executable, "--python-version", CANDIDATES[python],
        "--python-platform", f"{platform.machine()}-manylinux_2_{GLIBC_MINOR[python]}",
    ]
    if constraints:
        (workdir / f"{label}.constraints").write_text("\n".join(constraints) + "\n")
        command += ["-c", str(workdir / f"{label}.constraints")]
    if as_of:
        command += ["--exclude-newer", as_of]
    if as_of or build_constraints != [BUILD_CONSTRAINT]:
        command += ["--build-constraints", str(workdir / "build-constraints.txt")]
    environment = {
            **os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1", "NO_COLOR": "1", "COLUMNS": "10000"
        }
    for _ in range(MAX_REPAIRS + 1):
        source.write_text("\n".join(requirements) + "\n")
        (workdir / "build-constraints.txt").write_text("\n".join(build_constraints) + "\n")
        lifts = [f"--exclude-newer-package={name}={day}" for name, day in sorted(per_package.items())]
        try:
            done = subprocess.run(
                [*command, *lifts, *extra_args], capture_output=True, text=True, env=environment,
                timeout=RESOLVE_TIMEOUT_S, cwd=workdir, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise WorkspaceError(f"environment step 'resolve' ({label}) took over {RESOLVE_TIMEOUT_S} s") from exc
        if done.returncode == 0:
            return lock
        if not (repair and _repair(done.stderr, requirements, per_package, as_of, notes, left_out, build_constraints)):
            break
    raise WorkspaceError(
        f"environment step 'resolve' ({label}) failed; uv said:\n{done.stderr.strip()[-4000:]}",
        hint="override the requirement in [environment] packages (or python / as_of) in swe-team.toml",
    )


def _repair(
    error: str,
    requirements: list[str],
    per_package: dict[str, str],
    as_of: str,
    notes: list[str],
    left_out: list[str] | None,
    build_constraints: list[str],
) -> bool:
    """Adjust the inputs for what uv's `error` says the index lacks or a build needs; False when nothing applies."""
    error = " ".join(error.split())  # uv wraps its message at $COLUMNS
    later = {name: at for name, at in _ONLY_LATER.findall(error) if name not in per_package} if as_of else {}
    for name, published in later.items():
        per_package[name] = _just_after(published)
        notes.append(f"{name} has no release before {as_of} on the index (deleted?): its releases up to "
                     f"{published[:10]} are allowed")
    absent = {canonicalize_name(name) for name in _NOT_ON_INDEX.findall(error)} if left_out is not None else set()
    kept = [r for r in requirements if requirement_name(r) not in absent]
    if left_out is not None:
        left_out += sorted(absent)
    changed = bool(later) or len(kept) < len(requirements)
    requirements[:] = kept
    uses_2to3 = _USES_2TO3.search(error)
    if uses_2to3 and SETUPTOOLS_WITH_2TO3 not in build_constraints:
        build_constraints[:] = [SETUPTOOLS_WITH_2TO3]
        notes.append(f"{uses_2to3.group(1)} builds with use_2to3, which setuptools 58 removed: source packages build "
                     f"with {SETUPTOOLS_WITH_2TO3}")
        changed = True
    return changed


def _without_extras(requirement: str) -> str:
    """The requirement as a constraint (constraints cannot name extras)."""
    parsed = Requirement(requirement)
    parsed.extras = set()
    return str(parsed)


def _just_after(timestamp: str) -> str:
    moment = datetime.fromisoformat(timestamp) + timedelta(seconds=1)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def resolve(
    plan: EnvironmentPlan, workdir: Path, extra_args: list[str], source_tree: Path | None, *, leave_out_unknown: bool
) -> Resolution:
    """The locked runtime set and build tools of `plan` (with `source_tree` when the project's own metadata must
    be built to be known); `leave_out_unknown` leaves out a direct requirement whose name the index does not know
    (in `left_out`), else the resolution fails in the resolver's words."""
    requirements = [d.requirement for d in plan.requirements]
    if plan.project.resolve_from_source and source_tree is not None:
        extras = f"[{','.join(plan.extras)}]" if plan.extras else ""
        requirements.append(f"{source_tree}{extras}")
    notes: list[str] = []
    left_out: list[str] | None = [] if leave_out_unknown else None
    build_constraints = [BUILD_CONSTRAINT]
    common: dict[str, Any] = {
        "python": plan.python, "extra_args": extra_args, "workdir": workdir, "notes": notes,
        "build_constraints": build_constraints,
    }
    family = set(plan.runner.family)
    runner_lifts: dict[str, str] = {}  # packages with no release before the runner's cut-off (deleted), lifted
    if plan.runner.as_of:
        runner_only = [d.requirement for d in plan.requirements if requirement_name(d.requirement) in family]
        pinned = [_without_extras(d.requirement) for d in plan.requirements
                  if requirement_name(d.requirement) not in family and Requirement(d.requirement).specifier]
        lock = _compile(runner_only, pinned + [d.requirement for d in plan.constraints], as_of=plan.runner.as_of,
                        per_package=runner_lifts, label="runner", **common)
        family |= {pin.name for pin in _pins(lock, "")}
    per_package = {**dict.fromkeys(family, plan.runner.as_of), **runner_lifts} if plan.runner.as_of else {}
    if plan.as_of:
        per_package.update(dict.fromkeys(BACKENDS, (datetime.now(UTC) + timedelta(days=1)).date().isoformat()))
    constraints = [d.requirement for d in plan.constraints]
    lock = _compile(requirements, constraints, as_of=plan.as_of, per_package=per_package, label="env",
                    left_out=left_out, **common)
    pins = _pins(lock, plan.project.name)
    at_run_time = sorted(pin.name for pin in pins if pin.name in BACKENDS)
    if plan.as_of and at_run_time:
        kept = [pin for pin in pins if pin.name not in at_run_time]
        held = {pin.name: f"{pin.name}=={pin.version}" for pin in kept}  # wheel's packaging stays the env's
        lock = _compile(at_run_time, list(held.values()), as_of=plan.as_of, per_package={}, label="backends", **common)
        pins = kept + [pin for pin in _pins(lock, "") if pin.name not in held]
        notes.append(f"{', '.join(at_run_time)} needed at run time: resolved as of {plan.as_of} apart (the host "
                     "builds source packages' metadata with the current one)")
    resolution = Resolution(pins, [], family if plan.runner.as_of else set(), notes, left_out or [])
    narrowed = [c for c in build_constraints if c == SETUPTOOLS_WITH_2TO3]
    try:
        build_lock = _compile(
            plan.build_requirements, narrowed, as_of="", per_package={}, label="build", repair=False, **common
        )
    except WorkspaceError:
        own = [r for r in plan.build_requirements if requirement_name(r) not in DEFAULT_BUILD_TOOLS]
        notes.append(f"{', '.join(DEFAULT_BUILD_TOOLS)} are not on the index: the image's own pip and setuptools build")
        if not own:
            return resolution
        build_lock = _compile(own, narrowed, as_of="", per_package={}, label="build", **common)
    resolution.build = _pins(build_lock, "")
    resolution.build += _source_build_tools(resolution, plan.as_of, common)
    return resolution


def _source_build_tools(resolution: Resolution, as_of: str, common: dict[str, Any]) -> list[Pin]:
    """The build requirements of the locked source packages that the build tools lack (setuptools_scm, say),
    resolved apart as of the environment's date, like the packages: the workspace builds them offline."""
    sdists = [pin for pin in resolution.pins if pin.is_sdist]
    if not sdists:
        return []
    workdir: Path = common["workdir"] / "sdists"
    workdir.mkdir(exist_ok=True)
    needed: dict[str, None] = {}
    for pin in sdists:
        _download(pin, workdir / pin.filename)
        needed.update(dict.fromkeys(sdist_build.build_requirements(workdir / pin.filename)))
    missing = [r for r in needed if not _satisfied(r, resolution.build)]
    if not missing:
        return []
    lock = _compile(missing, [], as_of=as_of, per_package={}, label="sdist-build", **common)
    resolution.notes.append(f"source packages ({', '.join(p.name for p in sdists)}) build with "
                            f"{', '.join(sorted(set(map(requirement_name, missing))))} from the wheelhouse too")
    have = {pin.filename for pin in resolution.build}
    return [pin for pin in _pins(lock, "") if pin.filename not in have]


def _satisfied(requirement: str, pins: list[Pin]) -> bool:
    wanted = Requirement(requirement)
    name = canonicalize_name(wanted.name)
    return any(canonicalize_name(pin.name) == name and wanted.specifier.contains(pin.version, prereleases=True)
               for pin in pins)


def _download(pin: Pin, target: Path) -> None:
    """`pin`'s file at `target`, checked against its hash; written under a name of its own and linked in whole,
    so fetches of the same file running side by side (two environments building) never see a part of it. A file
    already there is kept: replacing it would let a concurrent hard link of it fail (Linux refuses to link an inode
    whose last name is gone)."""
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    partial = Path(name)
    os.fchmod(descriptor, SHARED_FILE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as out:
            if "://" in pin.location:
                with urllib.request.urlopen(pin.location, timeout=DOWNLOAD_TIMEOUT_S) as response:
                    shutil.copyfileobj(response, out)
            else:
                with open(pin.location, "rb") as source:
                    shutil.copyfileobj(source, out)
        if _sha256(partial) != pin.sha256:
            raise WorkspaceError(f"environment step 'fetch' failed: {pin.filename} does not match its locked hash")
        with contextlib.suppress(FileExistsError):
            os.link(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _link(pooled: Path, target: Path) -> None:
    """A hard link of `pooled` at `target`; one a concurrent fetch made first is the same whole file."""
    with contextlib.suppress(FileExistsError):
        os.link(pooled, target)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(pins: list[Pin], wheelhouse: Path, downloads: Path, progress: Any) -> None:
    """Exactly the locked files into `wheelhouse`, through the `downloads` pool every resolution shares (a file
    is downloaded once, and kept only with the hash its lock names)."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    downloads.mkdir(parents=True, exist_ok=True)
    pins = list({pin.filename: pin for pin in pins}.values())
    for pin in pins:
        pooled = downloads / f"{pin.sha256[:16]}-{pin.filename}"
        if pooled.is_file() and not (wheelhouse / pin.filename).exists():
            _link(pooled, wheelhouse / pin.filename)
    missing = [p for p in pins if not (wheelhouse / p.filename).is_file()]
    if not missing:
        return
    progress(f"  downloading {len(missing)} of {len(pins)} locked files")

    def one(pin: Pin) -> str:
        pooled = downloads / f"{pin.sha256[:16]}-{pin.filename}"
        try:
            _download(pin, pooled)
            _link(pooled, wheelhouse / pin.filename)
        except OSError as exc:
            raise WorkspaceError(f"environment step 'fetch' failed: {pin.location}: {exc}") from exc
        return pin.filename

    with ThreadPoolExecutor(max_workers=4) as pool:
        for index, name in enumerate(pool.map(one, missing), 1):
            if index % 10 == 0 or index == len(missing):
                progress(f"  fetched {index}/{len(missing)} (last: {name})")
