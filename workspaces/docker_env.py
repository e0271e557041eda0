"""The per-repository environment: the repository's Python dependencies in the image's venv, as a cached
layer.

Dependencies are resolved on the host (`pip download` into a wheelhouse, the only step that may use the
network), installed in a network-less container from the wheelhouse mounted read-only (`pip install
--no-index`), and the result is committed as `swe-team-env:<hash>` keyed by the base image and the
dependency files, so the next job on the same dependencies starts warm.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import WorkspaceError
from core.git import git_archive, git_bytes, git_output
from workspaces.docker_container import container_options
from workspaces.docker_image import WORKDIR, Progress, image_exists, to_stderr

if TYPE_CHECKING:
    from core.settings import Settings

ENV_REPOSITORY = "swe-team-env"
DEPENDENCY_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
WHEELHOUSE = "/wheelhouse"
INSTALL_TIMEOUT_S = 900


def dependency_files(repo: Path, commit: str) -> dict[str, bytes]:
    """The repository's dependency declarations at `commit`: top-level requirements*.txt and project files."""
    listing = git_output(repo, "ls-tree", "--name-only", commit, error=WorkspaceError).split()
    names = [
        n for n in listing if n in DEPENDENCY_FILES or (n.startswith("requirements") and n.endswith(".txt"))
    ]
    return {
        name: git_bytes(repo, "show", f"{commit}:{name}").stdout
        for name in sorted(names)
    }


def env_tag(base_image: str, files: dict[str, bytes], tools: list[str]) -> str:
    digest = hashlib.sha256(base_image.encode() + " ".join(tools).encode())
    for name, content in files.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return f"{ENV_REPOSITORY}:{digest.hexdigest()[:16]}"


def ensure_env_image(
    client: Any, base_image: str, repo: Path, commit: str, settings: Settings, progress: Progress = to_stderr
) -> str:
    """The image a job on `repo` starts from: the cached (or newly built) layer with the repository's
    dependencies and the test tools."""
    files = dependency_files(repo, commit)
    tools = settings.docker.test_tools
    if not files and not tools:
        return base_image
    tag = env_tag(base_image, files, tools)
    if image_exists(client, tag):
        return tag
    wheelhouse = settings.home / "cache" / "wheelhouse" / tag.partition(":")[2]
    wheelhouse.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="swe-team-deps-") as scratch:
        source = Path(scratch) / "src"
        _export_tree(repo, commit, source)
        progress(f"resolving the dependencies of {repo.name} on the host into {wheelhouse}")
        problem = _download(source, files, tools, wheelhouse, settings.docker.pip_download_args)
    if problem and not settings.docker.allow_partial_env:
        raise WorkspaceError(
            f"the dependencies of {repo} could not be resolved; pip said:\n{problem}",
            hint="fix the requirement, or set docker.allow_partial_env = true to continue with what installs",
        )
    progress(f"installing them into the image without network ({tag})")
    _install_and_commit(client, base_image, wheelhouse, tag, settings)
    return tag


def _export_tree(repo: Path, commit: str, target: Path) -> None:
    target.mkdir(parents=True)
    archive = git_archive(repo, commit, error=WorkspaceError)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)


def _download(
    source: Path, files: dict[str, bytes], tools: list[str], wheelhouse: Path, extra_args: list[str]
) -> str:
    """Run `pip download` for every declaration; return pip's error output ("" when all resolved)."""
    targets: list[list[str]] = [tools] if tools else []
    targets += [["-r", str(source / name)] for name in files if name.endswith(".txt")]
    if any(name in DEPENDENCY_FILES for name in files):
        targets.append([str(source)])
    errors = []
    for target in targets:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "-d",
            str(wheelhouse),
            *extra_args,
            *target,
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            errors.append(result.stderr.strip()[-3000:] or result.stdout.strip()[-3000:])
    return "\n".join(errors)


def _install_and_commit(client: Any, base_image: str, wheelhouse: Path, tag: str, settings: Settings) -> None:
    options = container_options(settings.docker)
    options["read_only"] = False
    script = (
        f"set -o pipefail; ls {WHEELHOUSE} | grep -E '\\.(whl|tar\\.gz|zip)$' | sed 's|^|{WHEELHOUSE}/|' "
        f"| xargs -r pip install --no-index --no-build-isolation --find-links {WHEELHOUSE} 2>&1"
    )
    container = client.containers.run(
        base_image,
        ["timeout", str(INSTALL_TIMEOUT_S), "bash", "-c", script],
        detach=True,
        volumes={str(wheelhouse): {"bind": WHEELHOUSE, "mode": "ro"}},
        working_dir=WORKDIR,
        **options,
    )
    try:
        status = container.wait()
        log = container.logs().decode(errors="replace")
        if status.get("StatusCode") != 0 and not settings.docker.allow_partial_env:
            raise WorkspaceError(
                f"installing the repository's dependencies failed; pip said:\n{log[-3000:]}",
                hint="set docker.allow_partial_env = true to continue without them",
            )
        repository, _, version = tag.partition(":")
        container.commit(repository=repository, tag=version, changes=['CMD ["sleep", "infinity"]'])
    finally:
        container.remove(force=True)
