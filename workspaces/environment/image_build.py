"""The steps that turn a resolution into images, run in a network-less container as the job user.

The dependency layer installs exactly the locked files from the wheelhouse (mounted read-only) and keeps the
build tools' files in the image; the project layer installs the project from its source tree at /workspace,
keeps the files that install generated there (compiled extensions, version files) as an overlay the workspace
lays over the base commit, and leaves /workspace empty. A failed step raises with its name and the tool's output.
"""

from __future__ import annotations

import re
import secrets
import shlex
from pathlib import Path
from types import TracebackType
from typing import Any

from core.errors import WorkspaceError
from core.settings import Settings
from workspaces.base import ExecResult
from workspaces.docker_container import container_options, put_files
from workspaces.docker_exec import ExecRunner
from workspaces.docker_gc import workspace_labels
from workspaces.docker_image import VENV, WORKDIR
from workspaces.environment.resolution import Pin

STATE_DIR = f"{VENV}/.swe-team"
BUILD_WHEELS = f"{STATE_DIR}/build-wheels"
OVERLAY = f"{STATE_DIR}/overlay.tar"
WHEELHOUSE = "/wheelhouse"
INSTALL_LIST = "swe-team-install.txt"
STEP_TIMEOUT_S = 1800.0
CONTAINER_LIFETIME_S = 4 * 3600
"""A build container sleeps this long at most, then exits and is removed; it carries a workspace's labels, so the
next job (or `swe-team workspace gc`) removes it as soon as its builder has died."""
_GENERATED_JUNK = r"(^|/)(build|dist|\.eggs|__pycache__|\.git|\.tox|\.nox)/|\.egg-info/|\.pyc$"
_FILES = r"find . -xdev \( -type f -o -type l \) -print | LC_ALL=C sort"
_COMPAT_WHEN_KNOWN = (
    "compat=; python -c 'import pip, sys; sys.exit(tuple(map(int, pip.__version__.split(\".\")[:2])) < (22, 1))' "
    "&& compat='--config-settings editable_mode=compat';"
)
"""setuptools' compat editable mode puts the project's folder on sys.path, as tools that map files to modules
through sys.path (astroid, pylint) need; pips before 22.1 know no `--config-settings` and install that way anyway."""


NO_EDITABLE_HOOK = "'build_editable' hook"
"""pip's words for a build backend older than PEP 660 (setuptools before 64, say): no editable install."""


class StepFailed(WorkspaceError):
    """An environment build step failed; the message names the step and quotes the tool."""

    def __init__(self, step: str, exit_code: int, timed_out: bool, output: str) -> None:
        super().__init__(
            f"environment step '{step}' failed (exit code {exit_code}{', timed out' if timed_out else ''}):\n"
            f"{output[-4000:]}",
            hint="fix it in [environment] (python, packages, pre_install) of swe-team.toml, or set "
            "docker.allow_partial_env = true to go on with what installed",
        )
        self.step = step
        self.output = output

    def brief(self) -> str:
        """The step and the tool's first error lines (else its last lines), for a record."""
        lines = [line.strip() for line in self.output.splitlines() if line.strip()]
        errors = [line for line in lines if re.search(r"\berror:", line)]
        return f"environment step '{self.step}' failed: " + " | ".join(errors[:2] or lines[-2:])


class BuildContainer:
    """One build container: steps run in it with a timeout, then it is committed as an image."""

    def __init__(self, client: Any, image: str, settings: Settings, wheelhouse: Path | None) -> None:
        options = container_options(settings.docker)
        options.update(read_only=False, network_mode="none")
        volumes = {str(wheelhouse): {"bind": WHEELHOUSE, "mode": "ro"}} if wheelhouse else {}
        labels = workspace_labels(f"build-{secrets.token_hex(4)}", CONTAINER_LIFETIME_S / 3600, home=settings.home)
        self.client = client
        self.container = client.containers.run(
            image, ["sleep", str(CONTAINER_LIFETIME_S)], detach=True, auto_remove=True, volumes=volumes,
            working_dir=WORKDIR, labels=labels, **options,
        )
        self.runner = ExecRunner(
            client, self.container.id, user=settings.docker.user, memory_limit=settings.docker.memory
        )

    def __enter__(self) -> BuildContainer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.container.remove(force=True)

    def run(self, command: str, env: dict[str, str] | None = None, cwd: str = WORKDIR) -> ExecResult:
        quiet = {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
        return self.runner.run(command, timeout=STEP_TIMEOUT_S, cwd=cwd, env={**quiet, **(env or {})}, limit=200_000)

    def step(self, name: str, command: str, env: dict[str, str] | None = None) -> ExecResult:
        result = self.run(command, env)
        if not result.ok:
            raise StepFailed(name, result.exit_code, result.timed_out, (result.stdout + "\n" + result.stderr).strip())
        return result

    def commit(self, tag: str, labels: dict[str, str], env: dict[str, str]) -> None:
        repository, _, version = tag.partition(":")
        changes = ['CMD ["sleep", "infinity"]', *(f"ENV {key}={value}" for key, value in env.items())]
        self.container.commit(
            repository=repository, tag=version, changes=changes, conf={"Labels": labels}, pause=False
        )


def write_install_list(wheelhouse: Path, pins: list[Pin]) -> None:
    (wheelhouse / INSTALL_LIST).write_text("".join(f"{WHEELHOUSE}/{pin.filename}\n" for pin in pins))


def install_dependencies(build: BuildContainer, pins: list[Pin], tools: list[Pin], *, partial: bool) -> list[str]:
    """Install exactly `pins` (and keep the build tools' files); return what failed when `partial` allows it."""
    pip = next((pin for pin in tools if pin.name == "pip"), None)
    if pip is not None:
        build.step("upgrade pip", f"python -m pip install -q --no-index --no-deps {WHEELHOUSE}/{pip.filename}")
    build.step("compile the venv's modules", f"python -m compileall -q -j 0 {VENV}/lib > /dev/null")
    copies = " ".join(shlex.quote(f"{WHEELHOUSE}/{pin.filename}") for pin in tools)
    keep = f"mkdir -p {BUILD_WHEELS}" + (f" && cp {copies} {BUILD_WHEELS}/" if tools else "")
    build.step("keep the build tools", keep)
    install = f"python -m pip install --no-index --no-deps --progress-bar off --find-links {WHEELHOUSE}"
    if not pins:
        return []
    if not partial:
        build.step(f"install {len(pins)} locked packages", f"{install} -r {WHEELHOUSE}/{INSTALL_LIST}")
        return []
    if build.run(f"{install} -r {WHEELHOUSE}/{INSTALL_LIST}").ok:
        return []
    failures = []
    for pin in pins:
        alone = build.run(f"{install} {shlex.quote(f'{WHEELHOUSE}/{pin.filename}')}")
        if not alone.ok:
            last = (alone.stderr or alone.stdout).strip().splitlines()[-1:] or ["no output"]
            failures.append(f"{pin.name}=={pin.version}: {last[0]}")
    return failures


def populate_source(build: BuildContainer, archive: bytes) -> None:
    put_files(build.container, WORKDIR, archive)
    build.step("list the source tree", f"{_FILES} > /tmp/swe-team-before")


def install_project(build: BuildContainer, mode: str, scm_version: str) -> list[str]:
    """Make the project importable from /workspace as `mode` says; notes on what had to be done instead."""
    env = {"SETUPTOOLS_SCM_PRETEND_VERSION": scm_version} if scm_version else {}
    if mode == "editable":
        try:
            build.step(
                "install the project (editable)",
                f"{_COMPAT_WHEN_KNOWN} python -m pip install --no-index --no-deps --progress-bar off "
                f"--find-links {BUILD_WHEELS} $compat -e .",
                env,
            )
        except StepFailed as exc:
            if NO_EDITABLE_HOOK not in exc.output:
                raise
            build.step("install the project", f"python -m pip install --no-index --no-deps --progress-bar off "
                       f"--find-links {BUILD_WHEELS} .", env)
            _workspace_on_path(build, first=True)
            return ["the project's build backend cannot install editable (no PEP 660 hook): installed for its "
                    "metadata and scripts, with /workspace first on the module path so its code is what imports"]
    elif mode == "path":
        _workspace_on_path(build, first=False)
    return []


def install_local_packages(build: BuildContainer, folders: list[str]) -> list[str]:
    """Install each folder of the tree that is a package of its own, editable like the project (its dependencies
    are in the image already); notes on what had to be done instead."""
    notes = []
    pip = f"python -m pip install --no-index --no-deps --progress-bar off --find-links {BUILD_WHEELS}"
    for folder in folders:
        path = shlex.quote(f"./{folder}")
        try:
            build.step(f"install the local package {folder} (editable)",
                       f"{_COMPAT_WHEN_KNOWN} {pip} $compat -e {path}")
        except StepFailed as exc:
            if NO_EDITABLE_HOOK not in exc.output:
                raise
            build.step(f"install the local package {folder}", f"{pip} {path}")
            notes.append(f"the local package {folder} cannot install editable (no PEP 660 hook): installed as a "
                         "copy of the base commit's files, so changes to it are not seen until it is reinstalled")
    return notes


def _workspace_on_path(build: BuildContainer, *, first: bool) -> None:
    """A .pth file naming /workspace (and its src folder in a src layout); `first` puts them ahead of the
    installed packages, which a .pth can only do as a line of code."""
    site = "site=$(python -c 'import sysconfig; print(sysconfig.get_paths()[\"purelib\"])')"
    src_layout = "[ -d src ] && [ ! -f src/__init__.py ]"
    if first:
        write = (f"folders=\"'/workspace'\"; if {src_layout}; then folders=\"'/workspace/src', $folders\"; fi; "
                 'echo "import sys; sys.path[0:0] = [$folders]" > "$site/swe-team-workspace.pth"')
    else:
        write = (f'{{ echo /workspace; if {src_layout}; then echo /workspace/src; fi; }} '
                 '> "$site/swe-team-workspace.pth"')
    build.step("put /workspace on the module path", f"{site} && {{ {write}; }}")


def check_import(build: BuildContainer, name: str) -> None:
    """Import the project's top-level module (when one is named like the project) from outside /workspace."""
    module = name.replace("-", "_").replace(".", "_")
    present = build.run(f"[ -e {module} ] || [ -e {module}.py ] || [ -e src/{module} ] || [ -e src/{module}.py ]")
    if module and present.ok:
        build.step(f"import {module}", f"cd /tmp && python -c 'import {module}'")


def keep_overlay_and_empty(build: BuildContainer) -> int:
    """Archive the files the install created in /workspace into the image, empty /workspace; return how many."""
    script = (
        f"set -e; {_FILES} > /tmp/swe-team-after; mkdir -p {STATE_DIR}; "
        "comm -13 /tmp/swe-team-before /tmp/swe-team-after "
        f"| {{ grep -Ev '{_GENERATED_JUNK}' || true; }} > /tmp/swe-team-overlay; "
        f"if [ -s /tmp/swe-team-overlay ]; then tar -cf {OVERLAY} -T /tmp/swe-team-overlay; fi; "
        "wc -l < /tmp/swe-team-overlay; find . -mindepth 1 -delete"
    )
    result = build.step("keep generated files", script)
    return int((result.stdout.strip().splitlines() or ["0"])[-1])
