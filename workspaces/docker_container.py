"""Creating a job's container and volume with the isolation defaults, and filling the volume with the base
commit.

The repository enters as a `git archive` of the base commit (owned by the job user), then becomes a
fresh git repository with one commit whose author and date are fixed, so the same files always give the
same commit id and snapshot ids stay valid when a lost volume is rebuilt from the snapshots exported to
the job folder. A symlink leading out of the repository stays a symlink, as in the checkout (the file
tools refuse to follow it).
"""

from __future__ import annotations

import io
import posixpath
import re
import shlex
import tarfile
from pathlib import Path
from typing import Any

from core.errors import WorkspaceError
from core.git import git_bytes
from core.settings import DockerSettings, size_bytes
from workspaces.docker_exec import engine_errors
from workspaces.docker_image import WORKDIR

FIXED_GIT_DATE = "2000-01-01T00:00:00+0000"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "swe-team",
    "GIT_AUTHOR_EMAIL": "swe-team@localhost",
    "GIT_COMMITTER_NAME": "swe-team",
    "GIT_COMMITTER_EMAIL": "swe-team@localhost",
    "GIT_AUTHOR_DATE": FIXED_GIT_DATE,
    "GIT_COMMITTER_DATE": FIXED_GIT_DATE,
}
"""Environment of every git command swe-team itself runs in the container (deterministic commit ids)."""
LOCAL_EXCLUDES = "__pycache__/\n*.pyc\n.pytest_cache/\n.mypy_cache/\n.ruff_cache/\n"
KEEPER_USER = "0:0"
"""User of a job container's init and keeper process: not the job user, whose commands could otherwise kill them."""
ALL_BINARY_ATTRIBUTES = ".git/swe-team-all-binary"

INIT_SCRIPT = f"""set -e
git init -q
git config core.autocrlf false
git config core.fileMode true
git config user.name swe-team
git config user.email swe-team@localhost
printf '{LOCAL_EXCLUDES}' >> .git/info/exclude
printf '* binary\\n' > {ALL_BINARY_ATTRIBUTES}
git add -A -f .
git commit -q --no-gpg-sign --allow-empty -m "swe-team base $1"
git rev-parse HEAD
"""


def object_name(job_id: str) -> str:
    """Container and volume name of a job (Docker allows [a-zA-Z0-9_.-])."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", job_id).strip("-.") or "job"
    return f"swe-team-{cleaned}"


def _memory_bytes(text: str) -> int:
    try:
        return size_bytes(text)
    except ValueError as exc:
        raise WorkspaceError(f"docker.memory: {exc}", hint='use e.g. "2g" or "512m"') from exc


def container_options(settings: DockerSettings) -> dict[str, Any]:
    """The isolation of a job container; each relaxation comes from an explicit setting."""
    memory = _memory_bytes(settings.memory)
    options: dict[str, Any] = {
        "network_mode": settings.network,
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "user": settings.user,
        "pids_limit": settings.pids_limit,
        "mem_limit": memory,
        "memswap_limit": memory,
        "nano_cpus": int(settings.cpus * 1e9),
        "read_only": settings.read_only_root,
        "tmpfs": {"/tmp": f"rw,exec,nosuid,nodev,size={settings.tmp_size},mode=1777"},
        "init": True,
    }
    return options


def start_container(
    client: Any,
    *,
    image: str,
    name: str,
    volume: str,
    labels: dict[str, str],
    settings: DockerSettings,
    network: str = "",
    environment: dict[str, str] | None = None,
    mounts: dict[str, dict[str, str]] | None = None,
) -> Any:
    """The job's container on its volume; no file a command writes may be larger than the workspace's size limit
    (the kernel stops it), and the volume as a whole is watched by the commands (`docker_exec`).

    Commands run as `settings.user`; the container's own processes (its init and the sleeping keeper) run as
    root without any capability, so that no command (`kill -9 -1`) can stop the container under the job.
    `network` (a test network) replaces `settings.network`; `environment` is every command's; `mounts` are more
    volumes."""
    import docker.errors
    import docker.types

    largest_file = size_bytes(settings.workspace_size)
    options = {**container_options(settings), "user": KEEPER_USER}
    if network:
        options["network_mode"] = network
    try:
        return client.containers.run(
            image,
            detach=True,
            name=name,
            labels=labels,
            volumes={volume: {"bind": WORKDIR, "mode": "rw"}, **(mounts or {})},
            working_dir=WORKDIR,
            environment=environment or {},
            ulimits=[docker.types.Ulimit(name="fsize", soft=largest_file, hard=largest_file)],
            **options,
        )
    except docker.errors.APIError as exc:
        raise WorkspaceError(
            f"the job container {name} could not be started: {exc.explanation or exc}",
            hint="remove leftovers with `swe-team workspace gc`, or check `docker info`",
        ) from exc


def archive_of_commit(repo: Path, commit: str, uid: int, gid: int) -> bytes:
    """A tar of the files at `commit`, re-owned by the job user (the engine keeps tar ownership)."""
    raw = git_bytes(repo, "archive", "--format=tar", commit)
    if raw.returncode != 0:
        raise WorkspaceError(
            f"git archive of {commit} failed: {raw.stderr.decode(errors='replace').strip()}",
            hint="check that the base commit exists in the repository",
        )
    return retar(io.BytesIO(raw.stdout), uid, gid)


def retar(source: io.BytesIO, uid: int, gid: int) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=source, mode="r:") as reader, tarfile.open(fileobj=out, mode="w:") as writer:
        for member in reader:
            if member.type == tarfile.XGLTYPE:
                continue
            member.uid, member.gid, member.uname, member.gname = uid, gid, "", ""
            writer.addfile(member, reader.extractfile(member) if member.isfile() else None)
    return out.getvalue()


def single_file_archive(name: str, data: bytes, uid: int, gid: int, mode: int = 0o644) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:") as writer:
        member = tarfile.TarInfo(name)
        member.size, member.mode, member.uid, member.gid = len(data), mode, uid, gid
        writer.addfile(member, io.BytesIO(data))
    return out.getvalue()


def put_files(container: Any, directory: str, archive: bytes) -> None:
    """Unpack `archive` at `directory`. The engine refuses to unpack a relative symlink leading out of
    `directory`, so such links are left out of the tar and made afterwards with `ln -s`."""
    import docker.errors

    kept, links, owner = _without_escaping_links(archive)
    with engine_errors(f"copying files into the job container at {directory}"):
        try:
            copied = container.put_archive(directory, kept)
        except docker.errors.APIError as exc:
            if exc.status_code == 404:
                raise
            problem = exc.explanation or exc
            raise WorkspaceError(f"copying files into the container at {directory} failed: {problem}") from exc
        if not copied:
            raise WorkspaceError(f"copying files into the container at {directory} failed")
        if links:
            script = "\n".join(f"ln -sfn -- {shlex.quote(target)} {shlex.quote(name)}" for name, target in links)
            made = container.exec_run(["bash", "-c", script], workdir=directory, user=owner)
            if made.exit_code != 0:
                output = made.output.decode(errors="replace").strip()
                raise WorkspaceError(f"making the symlinks that lead out of {directory} failed: {output}")


def _without_escaping_links(archive: bytes) -> tuple[bytes, list[tuple[str, str]], str]:
    """(the archive without relative symlinks leading above its root, those links as (name, target), the
    uid:gid owning them)."""
    links: list[tuple[str, str]] = []
    owner = ""
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as reader, tarfile.open(fileobj=out, mode="w:") as writer:
        for member in reader:
            if member.issym() and not member.linkname.startswith("/"):
                lands = posixpath.normpath(posixpath.join(posixpath.dirname(member.name), member.linkname))
                if lands == ".." or lands.startswith("../"):
                    links.append((member.name, member.linkname))
                    owner = f"{member.uid}:{member.gid}"
                    continue
            writer.addfile(member, reader.extractfile(member) if member.isfile() else None)
    return (out.getvalue(), links, owner) if links else (archive, [], owner)
