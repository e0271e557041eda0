"""What a job's commands cannot do in a Docker workspace: reach the network, escape /workspace, exhaust
the host."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core.errors import WorkspaceError
from tests.docker_fixtures import docker_workspace


def test_commands_run_as_non_root_with_separate_streams(tmp_path: Path) -> None:
    with docker_workspace(tmp_path) as workspace:
        result = workspace.exec("id -u; echo to-stderr >&2; exit 7")
    assert (result.exit_code, result.stdout.strip(), result.stderr.strip()) == (7, "1000", "to-stderr")


def test_network_is_unreachable(tmp_path: Path) -> None:
    connect = "import socket; socket.create_connection(('1.1.1.1', 53), timeout=3)"
    with docker_workspace(tmp_path) as workspace:
        result = workspace.exec(f'python -c "{connect}" && echo connected', timeout=20)
    assert result.exit_code != 0
    assert "connected" not in result.stdout
    assert "Network is unreachable" in result.stderr


def test_fork_bomb_is_contained_and_later_commands_work(tmp_path: Path) -> None:
    with docker_workspace(tmp_path) as workspace:
        bomb = workspace.exec("bomb() { bomb | bomb & }; bomb; sleep 30", timeout=5)
        after = workspace.exec("echo still-alive", timeout=30)
    assert bomb.timed_out
    assert after.ok and after.stdout.strip() == "still-alive"


def test_infinite_loop_is_killed_at_its_timeout(tmp_path: Path) -> None:
    with docker_workspace(tmp_path) as workspace:
        started = time.monotonic()
        result = workspace.exec("while true; do :; done", timeout=2)
        elapsed = time.monotonic() - started
        leftovers = workspace.exec("ps -e 2>/dev/null | grep -c bash || ls /proc | grep -c '^[0-9]'")
    assert result.timed_out and not result.ok
    assert elapsed < 10
    assert "timed out" in result.observation()
    assert leftovers.ok


def test_writing_outside_workspace_fails(tmp_path: Path) -> None:
    with docker_workspace(tmp_path) as workspace:
        for target in ("/etc/evil", "/usr/evil", "/opt/venv/evil", "/home/swe/evil"):
            assert workspace.exec(f"echo x > {target}").exit_code != 0, target
        for path in ("/etc/evil", "../outside.txt", "escape/evil"):
            workspace.exec("ln -sfn /etc escape")
            with pytest.raises(WorkspaceError):
                workspace.write_file(path, "x")
        scratch = workspace.exec("echo fine > /tmp/scratch && cat /tmp/scratch")
    assert scratch.stdout.strip() == "fine"


def test_memory_hog_is_killed_and_reported(tmp_path: Path) -> None:
    grow = "blocks = []\nwhile True: blocks.append(bytearray(50_000_000))"
    with docker_workspace(tmp_path) as workspace:
        hog = workspace.exec(f'python -c "{grow}"', timeout=60)
        after = workspace.exec("echo ok")
    assert hog.exit_code == 137 and not hog.timed_out
    assert "memory limit (256m)" in hog.stderr
    assert after.ok


def test_huge_output_is_truncated(tmp_path: Path) -> None:
    with docker_workspace(tmp_path) as workspace:
        result = workspace.exec("head -c 5000000 /dev/zero | tr '\\0' 'a'")
    assert result.truncated and len(result.stdout) < 60_000
    assert result.stdout.startswith("aaa") and result.stdout.endswith("aaa")
