"""What the sandbox bounds beyond network, memory and processes: the workspace's size, processes that outlive
their command, symlinks leading out of the repository, and which workspaces a job start may reap."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from core.errors import WorkspaceError
from core.settings import DockerSettings, Settings
from tests.docker_fixtures import docker_client, sample_repo, spawn_and_kill_owner, workspace_image
from tests.workspace_fixtures import git, make_repo, open_workspace
from workspaces.docker import DockerWorkspace
from workspaces.docker_gc import list_objects, reap

LEFTOVERS = "grep -l -a -E '^sleep.(300|301|302|1000|1001)' /proc/[0-9]*/cmdline 2>/dev/null | wc -l"


def small_workspace(tmp_path: Path, repo: Path | None = None) -> DockerWorkspace:
    workspace_image()
    settings = Settings(home=tmp_path / "home", docker=DockerSettings(memory="256m", workspace_size="64m"))
    return DockerWorkspace.create(
        job_id=f"hard-{os.getpid()}-{time.monotonic_ns() % 10**6}",
        repo_path=repo or sample_repo(tmp_path),
        base_commit="HEAD",
        job_dir=tmp_path / "job",
        settings=settings,
    )


LIMIT = 64 * 2**20
NOTE = "past its size limit (64m); delete what the command wrote, or raise docker.workspace_size"


def test_a_command_growing_the_workspace_past_its_limit_is_stopped_mid_way_and_told_why(tmp_path: Path) -> None:
    # 4 MB every 0.2 s at most (20 MB/s, however fast the disk): the limit is passed after 3 s or more, and the
    # 60 files (240 MB) take 12 s or more, so the watcher, polling every second, must stop the loop mid-way.
    workspace = small_workspace(tmp_path)
    try:
        slow_fill = "for i in $(seq 60); do head -c 4000000 /dev/zero > f$i; sleep 0.2; done; echo wrote all"
        grown = workspace.exec(slow_fill, timeout=120)
        used = int(workspace.exec("du -sxB1 /workspace | cut -f1").stdout)
        cleaned = workspace.exec("rm f*; echo ok")
    finally:
        workspace.close()
    assert grown.exit_code == 137 and "wrote all" not in grown.stdout
    assert NOTE in grown.stderr and "killed with SIGKILL" not in grown.stderr
    assert LIMIT < used < LIMIT + 16 * 4_000_000, "stopped within about three seconds of writing past the limit"
    assert cleaned.ok and cleaned.stdout == "ok\n"


def test_a_command_that_passed_the_limit_before_the_watcher_looked_is_still_stopped_and_told_why(
    tmp_path: Path,
) -> None:
    workspace = small_workspace(tmp_path)
    try:
        burst = workspace.exec("fallocate -l 40MiB a && fallocate -l 40MiB b && echo wrote all", timeout=60)
        workspace.exec("rm a b")
        one_file = workspace.exec("dd if=/dev/zero of=big bs=1M count=200 status=none; ls -l big", timeout=60)
        size_of_big = int(workspace.exec("stat -c %s big").stdout)
        cleaned = workspace.exec("rm big; echo ok")
    finally:
        workspace.close()
    assert burst.stdout == "wrote all\n", "the command ended before the first poll: only the end check saw it"
    assert burst.exit_code == 137 and NOTE in burst.stderr
    assert one_file.exit_code == 137 and NOTE in one_file.stderr
    assert size_of_big <= LIMIT, "no single file grows past the limit"
    assert cleaned.ok and cleaned.stdout == "ok\n"


def test_no_process_outlives_its_command_in_a_container(tmp_path: Path) -> None:
    workspace = small_workspace(tmp_path)
    try:
        returned = workspace.exec("sleep 300 & setsid sleep 301 & (setsid sleep 302 &); echo started")
        after_return = workspace.exec(LEFTOVERS).stdout.strip()
        timed_out = workspace.exec("sleep 1000 & setsid sleep 1001 & sleep 60", timeout=2)
        after_timeout = workspace.exec(LEFTOVERS).stdout.strip()
        workspace.exec("kill -9 -1")
        still_works = workspace.exec("echo alive")
    finally:
        workspace.close()
    assert returned.ok and returned.stdout == "started\n"
    assert after_return == "0" and after_timeout == "0"
    assert timed_out.timed_out
    assert still_works.stdout == "alive\n", "no command can kill the container's keeper"


def test_no_process_outlives_its_command_in_a_local_workspace(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path, make_repo(tmp_path))
    result = workspace.exec("setsid sleep 300 & echo $! > a.pid; (setsid sleep 301 & echo $! > b.pid); echo done")
    assert result.ok and result.stdout == "done\n"
    for name in ("a.pid", "b.pid"):
        pid = int(workspace.read_file(name))
        with pytest.raises(ProcessLookupError):
            for _ in range(50):
                os.kill(pid, 0)
                time.sleep(0.05)


@pytest.mark.parametrize("backend", ["local", "docker"])
def test_a_symlink_leading_out_of_the_repository_is_a_link_the_file_tools_refuse(tmp_path: Path, backend: str) -> None:
    repo = make_repo(tmp_path, {"app.py": "x = 1\n"})
    os.symlink("../../etc", repo / "up")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a link out")
    workspace = small_workspace(tmp_path, repo) if backend == "docker" else open_workspace(tmp_path, repo)
    try:
        link = workspace.exec("readlink up").stdout.strip()
        with pytest.raises(WorkspaceError, match="refused path 'up/passwd'"):
            workspace.read_file("up/passwd")
        assert workspace.read_file("app.py") == "x = 1\n"
    finally:
        workspace.close()
    assert link == "../../etc"


def test_a_job_start_reaps_only_the_workspaces_of_its_own_home(tmp_path: Path) -> None:
    workspace_image()
    spawn_and_kill_owner("hard-other-home", sample_repo(tmp_path), tmp_path / "job")
    client = docker_client()
    other_home, own_home = tmp_path / "job" / "home", tmp_path / "own"
    try:
        (tmp_path / "own-job").mkdir()
        workspace = DockerWorkspace.create(
            job_id="hard-own-home", repo_path=sample_repo(tmp_path / "own-job"), base_commit="HEAD",
            job_dir=tmp_path / "own-job" / "job", settings=Settings(home=own_home),
        )
        workspace.close()
        survived = {o.status for o in list_objects(client, home=other_home) if o.job_id == "hard-other-home"}
        assert reap(client, home=own_home) == []
        assert [o for o in list_objects(client, home=own_home) if o.job_id == "hard-other-home"] == []
    finally:
        removed = reap(client, home=other_home)
    assert survived == {"owner dead"}
    assert {"container swe-team-hard-other-home", "volume swe-team-hard-other-home"} <= set(removed)
