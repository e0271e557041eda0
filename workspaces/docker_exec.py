"""Running one command in a job container: `timeout -k` inside, a host-side backstop, separate bounded
streams, nothing left running afterwards, and the workspace's size watched.

docker-py has no exec timeout, so the command runs under coreutils `timeout` (which signals the
command's whole process group); if the engine still has not answered `BACKSTOP_GRACE_S` after that,
every process of the job command's process group is killed from a second exec and the result is reported
as timed out. When a command returns or times out, every other process of the job user in the container
(background jobs, `setsid` escapes) is killed, sparing only the container's keeper process; commands run
one at a time per container, so nothing else of the job is running then.

The workspace volume has no size limit of its own on engines without XFS project quotas, so an agent
command's wrapper watches it: `du` every second while the command runs and once when it returns; past the
limit the command is killed and told why, as the kernel's memory limit is reported.
"""

from __future__ import annotations

import shlex
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from core.errors import WorkspaceError, WorkspaceUnavailable
from workspaces.base import DEFAULT_OUTPUT_LIMIT, ExecResult
from workspaces.docker_image import WORKDIR
from workspaces.process import BoundedCapture

KILL_AFTER_S = 5
"""Seconds `timeout` waits after SIGTERM before SIGKILL."""
BACKSTOP_GRACE_S = KILL_AFTER_S + 10.0
TIMEOUT_EXIT_CODES = (124, 137)
SIGKILL_EXIT_CODE = 137
SIZE_NOTE = "[swe-team] stopped: the workspace"
GARBLED_RERUNS = 2


class GarbledOutput(WorkspaceError):
    """docker-py read payload bytes as a stream header (docker/docker-py#3160): the output is lost, not the engine."""

_SWEEP = r"""
keeper=; read -r keeper _ < /proc/1/task/1/children 2>/dev/null
if [ -n "$keeper" ]; then
  for ((round = 0; round < 100; round++)); do
    left=0
    for d in /proc/[0-9]*; do
      p=${d#/proc/}
      case " 1 $$ $keeper " in *" $p "*) continue;; esac
      read -r stat 2>/dev/null < "$d/stat" || continue
      state=${stat##*) }
      case ${state%% *} in Z|X) continue;; esac
      kill -9 "$p" 2>/dev/null && left=1
    done
    [ $left = 0 ] && break
  done
fi
"""
"""Kill every live process the job user runs, but PID 1, this shell and the keeper (PID 1's first child), until
none is left; without /proc/1/task/1/children the keeper is unknown and nothing is swept."""


def _size_watch(limit_bytes: int, limit_text: str) -> tuple[str, str]:
    """(lines that start the watcher beside the command, lines that check the size at the end and report)."""
    over = "/tmp/.swe-team-over-$$"
    size = f"size() {{ du -sxB1 {WORKDIR} 2>/dev/null | {{ read -r n _; echo ${{n:-0}}; }}; }}\n"
    start = (
        size
        + f"rm -f {over}\n"
        + f'( while sleep 1; do n=$(size); if [ "$n" -gt {limit_bytes} ]; then echo "$n" > {over}; '
        + 'kill -9 -- "-$pg" 2>/dev/null; exit; fi; done ) & watcher=$!\n'
    )
    finish = (
        'kill -9 "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null\n'
        + f'[ -f {over} ] || {{ n=$(size); [ "$n" -le {limit_bytes} ] || echo "$n" > {over}; }}\n'
        + f'if [ -f {over} ]; then read -r n < {over}; rm -f {over}; rc={SIGKILL_EXIT_CODE}\n'
        + f"  printf '\\n{SIZE_NOTE} ({WORKDIR}) grew to %s MiB, past its size limit ({limit_text}); "
        + "delete what the command wrote, or raise docker.workspace_size\\n' $((n / 1048576)) >&2\nfi\n"
    )
    return start, finish


def wrap_command(command: str, timeout: float, cwd: str, marker: str, size: tuple[int, str] | None = None) -> list[str]:
    """`timeout` in the background of a small shell that records its process group (timeout's own pid) in
    `marker`, so a timed-out command's whole group, fork bombs included, can be killed afterwards; then the
    sweep of whatever the command left running. With `size` (bytes, as configured), the workspace is watched."""
    seconds = max(1, int(timeout + 0.999))
    inner = f"cd {shlex.quote(cwd)} && exec bash -c {shlex.quote(command)}"
    watch_start, watch_finish = _size_watch(*size) if size else ("", "")
    script = (
        f"timeout -k {KILL_AFTER_S} {seconds} bash -c {shlex.quote(inner)} & pg=$!; echo $pg > {marker}\n"
        + watch_start
        + 'wait "$pg" 2>/dev/null; rc=$?\n'
        + watch_finish
        + _SWEEP
        + f"case $rc in 124|137) ;; *) rm -f {marker};; esac; exit $rc"
    )
    return ["bash", "-c", script]


def group_killer(marker: str) -> list[str]:
    script = (
        f"read -r pg < {marker} || exit 0\n"
        'for ((i = 0; i < 200; i++)); do kill -9 -- "-$pg" 2>/dev/null || break; done\n'
        f"rm -f {marker}"
    )
    return ["bash", "-c", script]


@contextmanager
def engine_errors(what: str) -> Iterator[None]:
    """Docker's own failures (engine gone, container removed or stopped) as `WorkspaceUnavailable`."""
    import docker.errors
    import requests

    try:
        yield
    except (docker.errors.DockerException, requests.RequestException) as exc:
        raise WorkspaceUnavailable(
            f"the Docker engine failed while {what}: {exc}",
            hint="check that Docker runs (`docker info`), then continue the job with `swe-team resume`",
        ) from exc


class ExecRunner:
    """Runs commands in one container through the engine API, one at a time."""

    def __init__(
        self, client: Any, container_id: str, *, user: str, memory_limit: str, size_limit: tuple[int, str] | None = None
    ) -> None:
        self.client = client
        self.container_id = container_id
        self.user = user
        self.memory_limit = memory_limit
        self.size_limit = size_limit
        """(bytes, as configured) the workspace may hold, watched while agent commands run; None: not watched."""
        self._one_at_a_time = threading.Lock()

    def run(
        self,
        command: str,
        *,
        timeout: float,
        cwd: str,
        env: Mapping[str, str] | None = None,
        limit: int | None = DEFAULT_OUTPUT_LIMIT,
        watch_size: bool = False,
        rerun_safe: bool = False,
    ) -> ExecResult:
        """Run `command`; `watch_size` stops it when the workspace grows past `size_limit`; a `rerun_safe` command
        (one that only reads, or does what it did again) runs again when its output stream came back garbled."""
        attempts = GARBLED_RERUNS + 1 if rerun_safe else 1
        with self._one_at_a_time, engine_errors("running a command in the job container"):
            for attempt in range(attempts):
                try:
                    return self._run(command, timeout, cwd, env, limit, self.size_limit if watch_size else None)
                except GarbledOutput:
                    if attempt == attempts - 1:
                        raise
        raise AssertionError("unreachable")

    def _run(
        self,
        command: str,
        timeout: float,
        cwd: str,
        env: Mapping[str, str] | None,
        limit: int | None,
        size: tuple[int, str] | None,
    ) -> ExecResult:
        api = self.client.api
        started = time.monotonic()
        since = int(time.time()) - 1
        marker = f"/tmp/.swe-team-pgroup-{uuid.uuid4().hex}"
        exec_id = api.exec_create(
            self.container_id,
            wrap_command(command, timeout, cwd, marker, size),
            user=self.user,
            environment=dict(env or {}),
        )["Id"]
        stdout, stderr = BoundedCapture(limit), BoundedCapture(limit)
        failure: list[BaseException] = []

        def pump() -> None:
            try:
                for out_chunk, err_chunk in api.exec_start(exec_id, stream=True, demux=True):
                    if out_chunk:
                        stdout.feed(out_chunk)
                    if err_chunk:
                        stderr.feed(err_chunk)
            except BaseException as exc:  # reported on the caller's thread
                failure.append(exc)

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        reader.join(timeout + BACKSTOP_GRACE_S)
        backstopped = reader.is_alive()
        if backstopped:
            self._kill_group(marker)
            reader.join(5.0)
        if failure:
            if isinstance(failure[0], ValueError) and "not a valid stream" in str(failure[0]):
                raise GarbledOutput(
                    f"the Docker engine's output of the command came back garbled ({failure[0]}); the command ran, "
                    "but what it printed is lost",
                    hint="run it again (a known intermittent fault of docker-py's stream reader)",
                ) from failure[0]
            raise failure[0]
        exit_code = api.exec_inspect(exec_id).get("ExitCode")
        duration = time.monotonic() - started
        timed_out = backstopped or (exit_code in TIMEOUT_EXIT_CODES and duration >= timeout)
        if exit_code is None:
            exit_code = 124 if timed_out else -1
        if exit_code in TIMEOUT_EXIT_CODES:
            self._kill_group(marker)
        err_text = stderr.text()
        if exit_code == SIGKILL_EXIT_CODE and not timed_out and SIZE_NOTE not in err_text[-1000:]:
            err_text += self._kill_note(since)
        return ExecResult(
            command=command,
            exit_code=int(exit_code),
            stdout=stdout.text(),
            stderr=err_text,
            duration_s=duration,
            timed_out=timed_out,
            truncated=stdout.truncated or stderr.truncated,
        )

    def _kill_group(self, marker: str) -> None:
        """Kill what is left of a timed-out command's process group, retrying while the pids limit is hit."""
        deadline = time.monotonic() + KILL_AFTER_S + 5
        while True:
            exec_id = self.client.api.exec_create(self.container_id, group_killer(marker), user=self.user)[
                "Id"
            ]
            self.client.api.exec_start(exec_id)
            if self.client.api.exec_inspect(exec_id).get("ExitCode") == 0 or time.monotonic() > deadline:
                return
            time.sleep(0.2)

    def _kill_note(self, since: int) -> str:
        if self._oom_since(since):
            return (
                f"\n[swe-team] killed by the kernel: the command exceeded the container's memory limit "
                f"({self.memory_limit}); use less memory or raise docker.memory"
            )
        return "\n[swe-team] the command was killed with SIGKILL"

    def _oom_since(self, since: int) -> bool:
        events = self.client.api.events(
            since=since,
            until=int(time.time()) + 1,
            filters={"container": self.container_id, "event": "oom"},
            decode=True,
        )
        return any(True for _ in events)
