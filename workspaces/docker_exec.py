"""Running one command in a job container: `timeout -k` inside, a host-side backstop, separate bounded
streams.

docker-py has no exec timeout, so the command runs under coreutils `timeout` (which signals the
command's whole process group); if the engine still has not answered `BACKSTOP_GRACE_S` after that,
every process of the job command's process group is killed from a second exec and the result is reported
as timed out; the group of a command that timed out is killed the same way, so its stray children cannot
hold the pids limit.
"""

from __future__ import annotations

import shlex
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

from workspaces.base import DEFAULT_OUTPUT_LIMIT, ExecResult
from workspaces.process import BoundedCapture

KILL_AFTER_S = 5
"""Seconds `timeout` waits after SIGTERM before SIGKILL."""
BACKSTOP_GRACE_S = KILL_AFTER_S + 10.0
TIMEOUT_EXIT_CODES = (124, 137)
SIGKILL_EXIT_CODE = 137


def wrap_command(command: str, timeout: float, cwd: str, marker: str) -> list[str]:
    """`timeout` in the background of a small shell that records its process group (timeout's own pid) in
    `marker`, so a timed-out command's whole group, fork bombs included, can be killed afterwards."""
    seconds = max(1, int(timeout + 0.999))
    inner = f"cd {shlex.quote(cwd)} && exec bash -c {shlex.quote(command)}"
    script = (
        f"timeout -k {KILL_AFTER_S} {seconds} bash -c {shlex.quote(inner)} & echo $! > {marker}; "
        f"wait $!; rc=$?; case $rc in 124|137) ;; *) rm -f {marker};; esac; exit $rc"
    )
    return ["bash", "-c", script]


def group_killer(marker: str) -> list[str]:
    script = (
        f"read -r pg < {marker} || exit 0\n"
        'for ((i = 0; i < 200; i++)); do kill -9 -- "-$pg" 2>/dev/null || break; done\n'
        f"rm -f {marker}"
    )
    return ["bash", "-c", script]


class ExecRunner:
    """Runs commands in one container through the engine API."""

    def __init__(self, client: Any, container_id: str, *, user: str, memory_limit: str) -> None:
        self.client = client
        self.container_id = container_id
        self.user = user
        self.memory_limit = memory_limit

    def run(
        self,
        command: str,
        *,
        timeout: float,
        cwd: str,
        env: Mapping[str, str] | None = None,
        limit: int | None = DEFAULT_OUTPUT_LIMIT,
    ) -> ExecResult:
        api = self.client.api
        started = time.monotonic()
        since = int(time.time()) - 1
        marker = f"/tmp/.swe-team-pgroup-{uuid.uuid4().hex}"
        exec_id = api.exec_create(
            self.container_id,
            wrap_command(command, timeout, cwd, marker),
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
            raise failure[0]
        exit_code = api.exec_inspect(exec_id).get("ExitCode")
        duration = time.monotonic() - started
        timed_out = backstopped or (exit_code in TIMEOUT_EXIT_CODES and duration >= timeout)
        if exit_code is None:
            exit_code = 124 if timed_out else -1
        if exit_code in TIMEOUT_EXIT_CODES:
            self._kill_group(marker)
        err_text = stderr.text()
        if exit_code == SIGKILL_EXIT_CODE and not timed_out:
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
