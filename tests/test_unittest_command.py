"""The unittest command that names tests: the discovery directory goes in front of the workspace's own PYTHONPATH."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tools.testing.unittest_runner import UnittestRunner


def test_naming_tests_under_a_discovery_directory_keeps_the_workspace_pythonpath(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_hook.py").write_text(
        "import unittest\n\nimport site_hook\n\n\n"
        "class TestHook(unittest.TestCase):\n    def test_loaded(self):\n        self.assertTrue(site_hook.LOADED)\n"
    )
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "site_hook.py").write_text("LOADED = True\n")
    runner = UnittestRunner(f"{sys.executable} -m unittest discover -s tests")

    command = runner.command_for(["test_hook.TestHook.test_loaded"])
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "hooks")}
    result = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert "test_loaded (test_hook.TestHook" in result.stderr
    bare = {**os.environ, "PYTHONPATH": ""}
    alone = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=bare, capture_output=True, text=True)
    assert "No module named 'site_hook'" in alone.stderr, "without the outer path the hook is not found"
