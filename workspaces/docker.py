"""`DockerWorkspace`: one long-lived, isolated container per job, its repository on a labelled named volume.

Every snapshot is also exported to the job folder as a patch against the base, so a job whose volume is gone
(engine restarted, gc after a crash) is rebuilt from the base image plus its snapshots, with the same ids.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import WorkspaceError
from core.settings import size_bytes
from workspaces.base import DEFAULT_OUTPUT_LIMIT, ExecResult, WorkspaceInfo, file_bytes
from workspaces.docker_container import (
    ALL_BINARY_ATTRIBUTES,
    GIT_ENV,
    INIT_SCRIPT,
    archive_of_commit,
    object_name,
    put_files,
    single_file_archive,
    start_container,
)
from workspaces.docker_env import ensure_environment
from workspaces.docker_exec import ExecRunner
from workspaces.docker_gc import KEPT_PREFIX, LABEL_JOB, reap, remove_job, workspace_labels
from workspaces.docker_image import WORKDIR, _user_ids, image_exists, to_stderr
from workspaces.docker_network import make_network, remove_network
from workspaces.docker_snapshots import SnapshotExport
from workspaces.environment.image_build import OVERLAY
from workspaces.environment.record import EnvironmentRecord
from workspaces.git_snapshots import GitSnapshots
from workspaces.paths import normalize_relative

if TYPE_CHECKING:
    from core.settings import Settings

BACKEND = "docker"
GIT_TIMEOUT_S = 300.0
_CONFINE = (
    'p=$(realpath -m -- "$1") || exit 3\n'
    f'case "$p" in {WORKDIR}|{WORKDIR}/*) ;; '
    f'*) echo "it resolves to $p, outside {WORKDIR}" >&2; exit 3;; esac\n'
)
_CONFINED_EXIT = 3


def connect() -> Any:
    """A docker client with no read timeout (long commands stream silently); errors name what to do."""
    import docker
    import docker.errors

    try:
        client = docker.from_env(timeout=86_400)
        client.ping()
    except docker.errors.DockerException as exc:
        raise WorkspaceError(
            f"no Docker engine answered: {exc}",
            hint="start Docker (or set DOCKER_HOST), or use --workspace local",
        ) from exc
    return client


def engine_available() -> bool:
    """True when a Docker engine answers a ping within a few seconds."""
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


def _settings(settings: Settings | None) -> Settings:
    from core.settings import Settings

    return settings if settings is not None else Settings()


class DockerWorkspace:
    """A job's container; see the `Workspace` protocol for the contract."""

    def __init__(
        self, client: Any, container: Any, info: WorkspaceInfo, settings: Settings, *, recreated: bool = False
    ) -> None:
        self.client = client
        self.container = container
        self._info = info
        self.settings = settings
        self.recreated = recreated
        """True when reattach found the job's files gone and rebuilt them from the base + the snapshots."""
        self.uid, self.gid = _user_ids(settings.docker.user)
        size = settings.docker.workspace_size
        self.runner = ExecRunner(
            client, container.id, user=settings.docker.user, memory_limit=settings.docker.memory,
            size_limit=(size_bytes(size), size),
        )
        self._snapshots = GitSnapshots(self._run_script, str(info.details["inner_base"]), info.job_id)
        self._export = SnapshotExport(Path(str(info.details["job_dir"])))
        self._closed = False

    @classmethod
    def create(
        cls,
        *,
        job_id: str,
        repo_path: str | Path,
        base_commit: str,
        job_dir: str | Path,
        settings: Settings | None,
    ) -> DockerWorkspace:
        from workspaces.local import repository_root, resolve_commit

        config = _settings(settings)
        client = connect()
        reap(client, home=config.home)
        repo = repository_root(repo_path)
        commit = resolve_commit(repo, base_commit)
        environment = _environment(client, repo, commit, config, Path(job_dir))
        image = environment.image
        name = object_name(job_id)
        labels = workspace_labels(
            job_id, config.docker.expiry_hours, home=config.home, owned=not config.docker.keep_workspace
        )
        _refuse_existing(client, name)
        client.volumes.create(name=name, labels=labels)
        container = _start(client, environment, image=image, name=name, labels=labels, settings=config)
        details = {
            "container": name,
            "volume": name,
            "image": image,
            "job_dir": str(Path(job_dir).absolute()),
            "inner_base": "",
            "environment": environment.summary(),
        }
        info = WorkspaceInfo(BACKEND, job_id, str(repo), commit, WORKDIR, details)
        workspace = cls(client, container, info, config)
        try:
            workspace._populate(repo, commit)
        except BaseException:
            workspace.close()
            raise
        return workspace

    @classmethod
    def discard(cls, *, job_id: str, repo_path: str | Path, job_dir: str | Path, settings: Settings | None) -> None:
        """Remove the container and volume an interrupted start of this job (of this home) left behind."""
        config = _settings(settings)
        remove_job(connect(), job_id, config.home)

    @classmethod
    def reattach(cls, info: WorkspaceInfo, settings: Settings | None) -> DockerWorkspace:
        """Continue in the job's volume, in a fresh container owned by this process; rebuild lost files."""
        import docker.errors

        config = _settings(settings)
        client = connect()
        reap(client, home=config.home, exclude_jobs=frozenset({info.job_id}))
        name = str(info.details["container"])
        for existing in client.containers.list(all=True, filters={"label": f"{LABEL_JOB}={info.job_id}"}):
            existing.remove(force=True)
        try:
            client.volumes.get(name)
            volume_lost = False
        except docker.errors.NotFound:
            volume_lost = True
        labels = workspace_labels(
            info.job_id, config.docker.expiry_hours, home=config.home, owned=not config.docker.keep_workspace
        )
        if volume_lost:
            client.volumes.create(name=name, labels=labels)
        image = str(info.details["image"])
        summary = info.details.get("environment")
        environment = EnvironmentRecord.from_dict(summary if isinstance(summary, dict) else {})
        if not (image and image_exists(client, image)):
            environment = _environment(
                client, Path(info.repo_path), info.base_commit, config, Path(str(info.details["job_dir"]))
            )
            image = environment.image
        container = _start(client, environment, image=image, name=name, labels=labels, settings=config)
        workspace = cls(client, container, info, config, recreated=volume_lost)
        if volume_lost:
            workspace._populate(Path(info.repo_path), info.base_commit)
            workspace._export.replay(workspace)
        return workspace

    @property
    def info(self) -> WorkspaceInfo:
        return self._info

    def _populate(self, repo: Path, commit: str) -> None:
        put_files(self.container, WORKDIR, archive_of_commit(repo, commit, self.uid, self.gid))
        overlay = self._run_script(f"[ ! -f {OVERLAY} ] || tar -xf {OVERLAY}")
        if not overlay.ok:
            raise WorkspaceError(f"laying the environment's generated files over the tree failed: {overlay.stderr}")
        result = self._run_script(f"bash -c {shlex.quote(INIT_SCRIPT)} init {shlex.quote(commit)}")
        if not result.ok:
            raise WorkspaceError(f"preparing the repository in the container failed: {result.stderr.strip()}")
        inner_base = result.stdout.strip().splitlines()[-1]
        self._info = dataclasses.replace(
            self._info, base_commit=commit, details={**self._info.details, "inner_base": inner_base}
        )
        self._snapshots = GitSnapshots(self._run_script, inner_base, self._info.job_id)

    def _require_open(self) -> None:
        if self._closed:
            raise WorkspaceError(f"the workspace of job {self._info.job_id} is closed")

    def exec(
        self,
        command: str,
        *,
        timeout: float = 120.0,
        cwd: str = ".",
        env: Mapping[str, str] | None = None,
    ) -> ExecResult:
        self._require_open()
        relative = normalize_relative(cwd, WORKDIR)
        directory = WORKDIR if relative == "." else f"{WORKDIR}/{relative}"
        return self.runner.run(
            command, timeout=timeout, cwd=directory, env=env, limit=DEFAULT_OUTPUT_LIMIT, watch_size=True
        )

    def _run_script(self, script: str) -> ExecResult:
        return self.runner.run(script, timeout=GIT_TIMEOUT_S, cwd=WORKDIR, env=GIT_ENV, limit=None)

    def _confined(self, path: str, action: str) -> tuple[str, ExecResult]:
        """Run `action` (shell using "$p", the resolved absolute path) after the confinement check."""
        self._require_open()
        relative = normalize_relative(path, WORKDIR)
        script = f"set -- {shlex.quote(WORKDIR + '/' + relative)}\n{_CONFINE}{action}"
        result = self.runner.run(script, timeout=GIT_TIMEOUT_S, cwd=WORKDIR, limit=None, rerun_safe=True)
        if result.exit_code == _CONFINED_EXIT:
            raise WorkspaceError(
                f"refused path {path!r}: {result.stderr.strip()}", hint="stay inside the repository"
            )
        return relative, result

    def read_file(self, path: str) -> str:
        _, result = self._confined(path, '[ -f "$p" ] || { echo "no such file" >&2; exit 4; }\ncat -- "$p"')
        if not result.ok:
            raise WorkspaceError(f"cannot read {path!r}: {result.stderr.strip()}")
        return result.stdout

    def write_file(self, path: str, content: str) -> None:
        relative, result = self._confined(path, 'mkdir -p -- "$(dirname -- "$p")" && [ ! -d "$p" ]')
        if not result.ok or relative == ".":
            raise WorkspaceError(f"cannot write {path!r}: {result.stderr.strip() or 'it is a directory'}")
        parent, _, name = f"{WORKDIR}/{relative}".rpartition("/")
        data = file_bytes(path, content)
        put_files(self.container, parent, single_file_archive(name, data, self.uid, self.gid))

    def delete_file(self, path: str) -> None:
        _, result = self._confined(
            path, '[ ! -d "$p" ] || { echo "it is a directory" >&2; exit 4; }\nrm -f -- "$p"'
        )
        if not result.ok:
            raise WorkspaceError(f"cannot delete {path!r}: {result.stderr.strip()}")

    def list_files(self, path: str = ".") -> list[str]:
        _, result = self._confined(
            path,
            "git ls-files -z -co --exclude-standard -- \"$p\"; printf '\\0::deleted::\\0'; "
            'git ls-files -z -d -- "$p"',
        )
        if not result.ok:
            raise WorkspaceError(f"cannot list {path!r}: {result.stderr.strip()}")
        present, _, deleted = result.stdout.partition("\0::deleted::\0")
        gone = set(deleted.split("\0"))
        return sorted({name for name in present.split("\0") if name and name not in gone})

    def exists(self, path: str) -> bool:
        _, result = self._confined(path, '[ -e "$p" ]')
        return result.ok

    def snapshot(self, label: str = "") -> str:
        self._require_open()
        snapshot_id = self._snapshots.snapshot(label)
        patch = self._run_script(
            f"git -c core.attributesFile={ALL_BINARY_ATTRIBUTES} diff --binary --no-color --no-renames "
            f"{shlex.quote(self._snapshots.base_commit)} {shlex.quote(snapshot_id)} --"
        )
        if not patch.ok:
            raise WorkspaceError(f"exporting snapshot {snapshot_id} failed: {patch.stderr.strip()}")
        self._export.record(snapshot_id, label, patch.stdout)
        return snapshot_id

    def rollback(self, snapshot_id: str) -> None:
        self._require_open()
        self._snapshots.rollback(snapshot_id)

    def diff(self) -> str:
        self._require_open()
        return self._snapshots.diff()

    def apply_patch_file(self, patch: str) -> None:
        """Apply a binary-safe git patch to the working files (used to rebuild snapshots)."""
        put_files(
            self.container,
            f"{WORKDIR}/.git",
            single_file_archive("swe-team-restore.patch", patch.encode(), self.uid, self.gid),
        )
        result = self._run_script(
            "git apply --binary .git/swe-team-restore.patch && rm .git/swe-team-restore.patch"
        )
        if not result.ok:
            raise WorkspaceError(f"re-applying a snapshot failed: {result.stderr.strip()}")

    def reset_to_base(self) -> None:
        self._snapshots.rollback(self._snapshots.base_commit)

    def close(self, *, keep: bool = False) -> None:
        """Remove the container and volume; with `keep`, leave both and mark them to live until expiry."""
        import docker.errors

        if self._closed:
            return
        self._closed = True
        name = str(self._info.details["volume"])
        try:
            if keep or self.settings.docker.keep_workspace:
                self.container.rename(KEPT_PREFIX + name.removeprefix("swe-team-"))
                return
            self.container.remove(force=True)
            remove_network(self.client, name)
            self.client.volumes.get(name).remove(force=True)
        except docker.errors.NotFound:
            pass


def _environment(client: Any, repo: Path, commit: str, settings: Settings, job_dir: Path) -> EnvironmentRecord:
    """The job's environment (built when missing), recorded in `environment.json` of the job folder; a partial
    one is said on screen."""
    record = ensure_environment(client, repo, commit, settings)
    job_dir.mkdir(parents=True, exist_ok=True)
    (job_dir / "environment.json").write_text(json.dumps(record.to_dict(), indent=2) + "\n", encoding="utf-8")
    if record.status == "partial":
        to_stderr("WARNING: the environment is PARTIAL: " + "; ".join(record.failures))
    return record


def _start(
    client: Any, environment: EnvironmentRecord, *, image: str, name: str, labels: dict[str, str], settings: Settings
) -> Any:
    """The job container on its volume, on the test network its environment chose (with the services) when its
    tests need one."""
    joined = make_network(
        client, environment.network, environment.services, name=name, labels=labels, settings=settings.docker,
        lock_dir=settings.home / "cache", default=settings.docker.network, stand_ins=tuple(environment.stand_ins),
    )
    try:
        return start_container(
            client, image=image, name=name, volume=name, labels=labels, settings=settings.docker,
            network=joined.network, environment=joined.environment, mounts=joined.volumes,
        )
    except BaseException:
        remove_network(client, name)
        raise


def _refuse_existing(client: Any, name: str) -> None:
    import docker.errors

    for getter in (client.containers.get, client.volumes.get):
        try:
            getter(name)
        except docker.errors.NotFound:
            continue
        raise WorkspaceError(
            f"a Docker workspace named {name} already exists",
            hint="resume that job (`swe-team resume`) or remove it with `swe-team workspace gc --all`",
        )
