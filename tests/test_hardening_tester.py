"""The tester never takes a test that was not collected, or a runner that could not run, as a reproduction."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from core.model.scripted_server import ScriptedModelServer
from harness.team_context import early_state, role_visit, team_context
from roles import tester
from tests.model_fixtures import tool_step

NEW_TEST = "tests/test_empty_cart.py"


@pytest.mark.parametrize(
    ("test_command", "first_line", "note"),
    [
        (f"{sys.executable} -m pytest", "import shop.no_such_module", "could not be collected"),
        ("no-such-test-runner", "from shop import Cart", "the test command could not run (exit code 127)"),
    ],
)
def test_a_reproduction_that_never_ran_reproduces_nothing(
    tmp_path: Path, test_command: str, first_line: str, note: str
) -> None:
    content = f"{first_line}\n\n\ndef test_empty_total():\n    assert False\n"
    steps = [
        tool_step("create_file", {"path": NEW_TEST, "content": content}),
        tool_step("submit", {"test_files": [NEW_TEST], "test_selectors": [f"{NEW_TEST}::test_empty_total"]}),
    ]
    with ScriptedModelServer({"steps": steps}) as server:
        context = team_context(tmp_path, server.base_url)
        state = early_state(context, test_command=test_command)
        update = tester.reproduce(state, role_visit(context, "tester"))
    assert update["reproduction"].reproduced is False
    assert any(note in text for text in update["notes"]), update["notes"]
