"""The resident `locate` server: the first `swe-team locate` starts it, later ones are answered from the graph it
keeps in memory (caught up with edits), with the same ranking, exit codes and messages as a `locate` run alone."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from swe_team.resident.address import lock_path, log_path, socket_path
from swe_team.resident.graphs import CATCH_UP_STEP
from swe_team.resident.start import ready_server_pid
from tests.codegraph_fixtures import copy_fixture

ISSUE = "Discount above 100% crashes checkout: apply_discount returns a negative price"
SERVED = f"index: {CATCH_UP_STEP}"


def _environment(tmp_path: Path, idle: float, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The commands' environment; this process shares its runtime folder, to find their server."""
    run = tmp_path / "run"
    run.mkdir(exist_ok=True)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    return {**os.environ, "SWE_TEAM_HOME": str(tmp_path / "home"), "SWE_TEAM_LOCATE_SERVER_IDLE": str(idle)}


def _swe_team(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "swe_team", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _located(env: dict[str, str], repo: Path, task: str, *flags: str) -> dict[str, object]:
    done = _swe_team(env, "locate", "--repo", str(repo), "--task", task, "--json", *flags)
    assert done.returncode == 0, done.stderr
    located: dict[str, object] = json.loads(done.stdout)
    return located


def _server_pid() -> int:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if (pid := ready_server_pid()) is not None:
            return pid
        time.sleep(0.2)
    raise AssertionError(f"the server never got ready: {Path(log_path()).read_text()}")


def _opened(pid: int, path: str) -> bool:
    """Whether process `pid` has `path` open (Linux's /proc)."""
    with contextlib.suppress(OSError):
        return any(os.readlink(fd) == path for fd in Path(f"/proc/{pid}/fd").iterdir())
    return False


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_later_locates_are_answered_from_the_kept_graph_and_see_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _environment(tmp_path, 120, monkeypatch)
    repo = copy_fixture("python", tmp_path)
    first = _located(env, repo, ISSUE)
    pid = _server_pid()
    try:
        assert SERVED not in first["timings"]  # type: ignore[operator]
        served = _located(env, repo, ISSUE)
        assert SERVED in served["timings"]  # type: ignore[operator]
        assert served["found_files"] == first["found_files"] and served["found_files"][0] == "shop/pricing.py"  # type: ignore[index]

        with (repo / "shop" / "cart.py").open("a") as cart:
            cart.write("\n\ndef refund_voucher_balance(voucher):\n    return voucher.balance\n")
        after_edit = _located(env, repo, "refund_voucher_balance is wrong for expired vouchers")
        assert SERVED in after_edit["timings"]  # type: ignore[operator]
        functions = [function["id"] for function in after_edit["functions"]]  # type: ignore[attr-defined]
        assert "shop/cart.py:refund_voucher_balance" in functions

        alone = _located(env, repo, ISSUE, "--no-server")
        assert SERVED not in alone["timings"]  # type: ignore[operator]

        missing = _swe_team(env, "locate", "--repo", str(tmp_path / "nowhere"), "--task", ISSUE)
        assert missing.returncode != 0 and "nowhere" in missing.stderr
        assert not _gone(pid, within=0), "a failing command ended the server"
    finally:
        os.kill(pid, signal.SIGTERM)


@pytest.mark.slow
def test_the_server_exits_when_idle_and_a_locate_then_runs_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _environment(tmp_path, 1, monkeypatch)
    repo = copy_fixture("python", tmp_path)
    _located(env, repo, ISSUE)
    pid = _server_pid()
    assert _gone(pid, within=60), "the server outlived its idle time"
    assert "no request for 1 s: exiting" in Path(log_path()).read_text()
    assert not Path(socket_path()).exists()
    located = _located(env, repo, ISSUE, "--no-server")
    assert SERVED not in located["timings"]  # type: ignore[operator]


@pytest.mark.slow
def test_a_server_starting_while_someone_looks_at_its_lock_still_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _environment(tmp_path, 120, monkeypatch)
    repo = copy_fixture("python", tmp_path)
    with open(lock_path(), "a") as lock, open(log_path(), "ab") as log:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what ready_server_pid and start_server do for an instant
        command = [sys.executable, "-m", "swe_team.resident.server", "--idle", "120", "--warm", str(repo)]
        server = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        while not _opened(server.pid, lock_path()) and server.poll() is None:
            time.sleep(0.02)
        time.sleep(0.2)
    try:
        assert _server_pid() == server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)
