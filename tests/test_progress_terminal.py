"""`swe-team run` on a pseudo-terminal with a slow, then silent, model server: the progress says so as it happens."""

from __future__ import annotations

import re
from pathlib import Path

from harness.cli import cli_env, run_args
from harness.example import example_repo, resolved_steps
from harness.terminal import screen_text, spawn
from tests.chat_fixtures import chat_server, finish, gate


def test_a_server_slow_to_read_then_silent_mid_answer_is_called_stalled_each_time(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    steps = resolved_steps()
    steps[0] = {**steps[0], "delay_s": 3.0, "stall_s": 3.0}
    with chat_server(steps) as server:
        env = cli_env(tmp_path / "home", server.base_url, SWE_TEAM_MODELS__STALL_AFTER_S="1")
        child = spawn(run_args(repo, "--approve", "auto"), env)
        child.expect(r"planner: model call 1 · model server silent for \d+ s \(stalled\?\)")
        child.expect(r"planner: model call 1 · writing · \d+ tokens?")
        child.expect(r"planner: model call 1 · model server silent for \d+ s \(stalled\?\)")
        gate(child, "final")
        child.sendline("yes")
        finish(child, server)
    screen = screen_text(child)
    assert "Ctrl-C to stop; the job resumes with `swe-team resume`" in screen
    assert len(re.findall(r"\(stalled\?\)", screen)) == 2, "each silence is reported once"
