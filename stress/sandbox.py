"""What a command (or a file tool) in a Docker workspace tries against its sandbox: the network, privileges, the
host's processes, memory and disk, files outside the repository, processes outliving their command. Each probe
says whether it was blocked or bounded; the workspace must still answer afterwards."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from core.errors import WorkspaceError
from core.settings import DockerSettings, Settings
from stress.table import Outcome, Trial, trial
from workspaces.docker import DockerWorkspace

FAMILY = "sandbox"
LIMIT_MIB = 128
Probe = Callable[[DockerWorkspace], tuple[bool, str]]
"""(blocked, what happened)."""


def _fails(command: str, timeout: float = 30) -> Probe:
    def probe(workspace: DockerWorkspace) -> tuple[bool, str]:
        result = workspace.exec(command, timeout=timeout)
        return not result.ok, f"exit {result.exit_code}: {(result.stderr or result.stdout).strip()[-120:]}"

    return probe


def _answers(command: str, expected: str) -> Probe:
    def probe(workspace: DockerWorkspace) -> tuple[bool, str]:
        output = workspace.exec(command).stdout.strip()
        return output == expected, f"{command!r} answered {output[:80]!r}"

    return probe


def _refused(action: Callable[[DockerWorkspace], object]) -> Probe:
    def probe(workspace: DockerWorkspace) -> tuple[bool, str]:
        try:
            action(workspace)
        except WorkspaceError as exc:
            return True, str(exc)[:120]
        return False, "allowed"

    return probe


def _bounded(command: str, *, most_mib: float, mid_way: bool = False, timeout: float = 120) -> Probe:
    """The command is stopped (exit 137) and told it passed the workspace's size limit, `mid_way` before it could
    finish, and the workspace holds at most `most_mib` afterwards."""

    def probe(workspace: DockerWorkspace) -> tuple[bool, str]:
        result = workspace.exec(f"{command}; echo finished", timeout=timeout)
        used = int(workspace.exec("du -sxB1 /workspace | cut -f1").stdout or 0) / 2**20
        workspace.exec("rm -rf fill big a b")
        finished = "finished" in result.stdout
        stopped = result.exit_code == 137 and "past its size limit" in result.stderr and not (mid_way and finished)
        return stopped and used <= most_mib, f"exit {result.exit_code}, {used:.0f} MiB held" + (
            ", the command had finished" if finished else ""
        )

    return probe


def _none_left(command: str, timeout: float) -> Probe:
    def probe(workspace: DockerWorkspace) -> tuple[bool, str]:
        workspace.exec(command, timeout=timeout)
        left = workspace.exec("grep -l -a -E '^sleep.7[0-9]{2}' /proc/[0-9]*/cmdline 2>/dev/null | wc -l").stdout
        return left.strip() == "0", f"{left.strip()} processes left"

    return probe


def _answers_after(command: str) -> Probe:
    """Blocked when the workspace still answers after `command` (what every probe's verdict checks)."""

    def probe(workspace: DockerWorkspace) -> tuple[bool, str]:
        result = workspace.exec(command, timeout=30)
        return True, f"exit {result.exit_code}"

    return probe


def _symlink_write(workspace: DockerWorkspace) -> None:
    workspace.exec("ln -sfn /etc escape")
    workspace.write_file("escape/evil", "x")


PROBES: dict[str, Probe] = {
    "internet": _fails("python3 -c \"import socket; socket.create_connection(('1.1.1.1', 53), timeout=3)\""),
    "name lookup": _fails("python3 -c \"import socket; socket.getaddrinfo('pypi.org', 443)\""),
    "the host's docker bridge": _fails("python3 -c \"import socket; socket.create_connection(('172.17.0.1', 80), 3)\""),
    "runs as root": _answers("id -u", "1000"),
    "gains a capability": _answers("grep CapEff /proc/self/status | tr -d '\\t'", "CapEff:0000000000000000"),
    "sudo": _fails("sudo -n true"),
    "writes /etc": _fails("echo x >> /etc/passwd"),
    "mounts a file system": _fails("mkdir -p /tmp/m && mount -t tmpfs none /tmp/m"),
    "reads the keeper's root": _fails("ls /proc/1/root/"),
    "reads ../../etc/passwd": _refused(lambda w: w.read_file("../../etc/passwd")),
    "writes /etc/evil": _refused(lambda w: w.write_file("/etc/evil", "x")),
    "writes through a symlink to /etc": _refused(_symlink_write),
    "fork bomb": _fails("bomb() { bomb | bomb & }; bomb; sleep 20", timeout=5),
    "memory hog": _fails("python3 -c \"b = []\nwhile True: b.append(bytearray(50_000_000))\"", timeout=60),
    "fills /tmp": _fails("head -c 300000000 /dev/zero > /tmp/fill"),
    "one file past the workspace size": _bounded("dd if=/dev/zero of=big bs=1M count=2048 status=none",
                                                 most_mib=LIMIT_MIB + 1),
    # 4 MB every 0.2 s at most, however fast the disk: the watcher (a poll a second) must stop it mid-way.
    "many files past the workspace size": _bounded(
        "mkdir -p fill; for i in $(seq 100); do head -c 4000000 /dev/zero > fill/$i; sleep 0.2; done",
        most_mib=LIMIT_MIB + 64, mid_way=True,
    ),
    "a burst past the workspace size before the watcher looks": _bounded(
        "fallocate -l 100MiB a && fallocate -l 100MiB b", most_mib=LIMIT_MIB + 201
    ),
    "background job outlives its command": _none_left("sleep 700 & sleep 701 > /dev/null 2>&1 &", 30),
    "setsid escape outlives its command": _none_left("setsid sleep 702 & (setsid sleep 703 &)", 30),
    "outlives its command's timeout": _none_left("setsid sleep 704 & sleep 705 & sleep 60", 2),
    "kills every process it can": _answers_after("kill -9 -1; sleep 1"),
}


def _repository_with_a_link_out(where: Path) -> Path:
    """A small repository (a script, no project to install) holding a symlink that leads out of it."""
    repo = where / "linked"
    repo.mkdir(parents=True)
    (repo / "app.py").write_text("print('hello')\n")
    os.symlink("../../etc", repo / "up")
    who = ["-c", "user.name=dev", "-c", "user.email=dev@example.com"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "a link out"]):
        subprocess.run(["git", *who, *command], cwd=repo, check=True)
    return repo


def sandbox_trials(workdir: Path, quick: bool) -> list[Trial]:
    settings = Settings(
        home=workdir / "home",
        docker=DockerSettings(memory="256m", pids_limit=128, workspace_size=f"{LIMIT_MIB}m", tmp_size="64m"),
    )
    repo = _repository_with_a_link_out(workdir)
    workspace = DockerWorkspace.create(
        job_id=f"stress-{os.getpid()}-{int(time.time())}", repo_path=repo, base_commit="HEAD",
        job_dir=workdir / "job", settings=settings,
    )
    names = ["internet", "runs as root", "reads ../../etc/passwd", "setsid escape outlives its command",
             "one file past the workspace size"] if quick else list(PROBES)
    try:
        trials = [trial(FAMILY, name, partial(_verdict, workspace, PROBES[name])) for name in names]
        trials.append(trial(FAMILY, "a link out of the repository", lambda: _link_kept_and_refused(workspace)))
    finally:
        workspace.close()
    return trials


def _verdict(workspace: DockerWorkspace, probe: Probe) -> tuple[Outcome, str]:
    blocked, detail = probe(workspace)
    alive = workspace.exec("echo ok", timeout=30)
    if not alive.ok:
        return "crashed", f"{detail}; then the workspace no longer answers: {alive.stderr.strip()[-120:]}"
    return ("recovered" if blocked else "lost"), detail


def _link_kept_and_refused(workspace: DockerWorkspace) -> tuple[Outcome, str]:
    target = workspace.exec("readlink up").stdout.strip()
    refused, detail = _refused(lambda w: w.read_file("up/passwd"))(workspace)
    return ("recovered" if target == "../../etc" and refused else "lost"), f"link to {target!r}; {detail}"
