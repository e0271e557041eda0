"""Creating a job's container and volume with the isolation defaults, and filling the volume with the base
commit.

The repository enters as a `git archive` of the base commit (owned by the job user), then becomes a
fresh git repository with one commit whose author and date are fixed, so the same files always give the
same commit id and snapshot ids stay valid when a lost volume is rebuilt from the snapshots exported to
the job folder.
"""

from __future__ import annotations

import io
import re
import tarfile
from pathlib import Path
from typing import Any

from core.errors import WorkspaceError
from core.git import git_bytes
from core.settings import DockerSettings
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
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)b?\s*", text.lower())
    if not match:
        raise WorkspaceError(f"docker.memory {text!r} is not a size", hint='use e.g. "2g" or "512m"')
    scale = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}[match.group(2)]
    return int(float(match.group(1)) * scale)


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
    client: Any, *, image: str, name: str, volume: str, labels: dict[str, str], settings: DockerSettings
) -> Any:
    import docker.errors

    try:
        return client.containers.run(
            image,
            detach=True,
            name=name,
            labels=labels,
            volumes={volume: {"bind": WORKDIR, "mode": "rw"}},
            working_dir=WORKDIR,
            **container_options(settings),
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
    if not container.put_archive(directory, archive):
        raise WorkspaceError(f"copying files into the container at {directory} failed")
