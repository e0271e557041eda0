"""`swe-team tests-gap` on a small repository in a local workspace, with the scripted tester: only a test that
passes and raises coverage reaches the branch, coverage before and after is reported, `--base` lists only the
functions the change touched, and what cannot work is one clear error."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from core.errors import SweTeamError
from core.model.scripted_server import ScriptedModelServer
from swe_team.cli import app
from swe_team.tests_gap.job import GapRequest, TestsGapRun
from swe_team.tests_gap.judging import keep_only
from swe_team.tests_gap.result import GapResult
from tests.model_fixtures import settings_for, tool_step
from tests.workspace_fixtures import git, make_repo

CALC = (
    "def clamp(value, low, high):\n"
    "    if low > high:\n"
    "        raise ValueError('low must not exceed high')\n"
    "    if value < low:\n"
    "        return low\n"
    "    if value > high:\n"
    "        return high\n"
    "    return value\n"
    "\n"
    "\n"
    "def double(number):\n"
    "    return number * 2\n"
)
EXISTING_TESTS = (
    "from calc import clamp, double\n"
    "\n"
    "\n"
    "def test_double():\n"
    "    assert double(2) == 4\n"
    "\n"
    "\n"
    "def test_clamp_inside():\n"
    "    assert clamp(5, 0, 10) == 5\n"
)
NEW_TESTS = "tests/test_clamp_edges.py"
WRITTEN = (
    "import pytest\n"
    "\n"
    "from calc import clamp\n"
    "\n"
    "\n"
    "def test_clamp_refuses_low_above_high():\n"
    "    with pytest.raises(ValueError):\n"
    "        clamp(1, 5, 0)\n"
    "\n"
    "\n"
    "def test_clamp_below_low_wrongly_expected():\n"
    "    assert clamp(-1, 0, 10) == -1\n"
    "\n"
    "\n"
    "def test_clamp_inside_again():\n"
    "    assert clamp(3, 0, 10) == 3\n"
)
TOKEN = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"
"""A GitHub token in the test command: kept from the model, the trajectory and the outputs."""
TEST_COMMAND = f"PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 {sys.executable} -m pytest -q -p no:cacheprovider"


def calc_repo(where: Path) -> Path:
    return make_repo(where, {"calc/__init__.py": CALC, "tests/test_calc.py": EXISTING_TESTS})


def scripted_tester(path: str, content: str, ids: list[str], *, mentions: list[str]) -> dict[str, Any]:
    """The tester writes `content` to `path` and submits; its first request must name `mentions`."""
    first = tool_step("create_file", {"path": path, "content": content}, role="tester")
    first["expect"]["prompt_contains"] = mentions
    return {"steps": [first, tool_step("submit", {"test_files": [path], "test_ids": ids}, role="tester")]}


def cli_settings(monkeypatch: pytest.MonkeyPatch, home: Path, api_base: str) -> None:
    """The environment `swe-team` reads its settings from: this home, this model server, local workspaces."""
    for key in [key for key in os.environ if key.startswith("SWE_TEAM_")]:
        monkeypatch.delenv(key)
    for key, value in {
        "SWE_TEAM_HOME": str(home),
        "SWE_TEAM_USER_CONFIG": str(home / "no-user-config.toml"),
        "SWE_TEAM_API_BASE": api_base,
        "SWE_TEAM_WORKSPACE": "local",
        "SWE_TEAM_TEST_COMMAND": TEST_COMMAND,
    }.items():
        monkeypatch.setenv(key, value)


def run_gap(
    tmp_path: Path, repo: Path, script: dict[str, Any], test_command: str = TEST_COMMAND, **request: Any
) -> tuple[GapResult, Path]:
    with ScriptedModelServer(script) as server:
        settings = settings_for(server.base_url, tmp_path / "home")
        settings = settings.model_copy(update={"workspace": "local", "test_command": test_command})
        result = TestsGapRun(settings, Console(stderr=True)).run(GapRequest(repo=repo, **request))
        assert not server.failures, server.failures
    return result, settings.jobs_dir


def test_only_the_passing_test_that_raises_coverage_is_committed(tmp_path: Path) -> None:
    repo = calc_repo(tmp_path)
    ids = [
        f"{NEW_TESTS}::{name}"
        for name in (
            "test_clamp_refuses_low_above_high",
            "test_clamp_below_low_wrongly_expected",
            "test_clamp_inside_again",
        )
    ]
    script = scripted_tester(NEW_TESTS, WRITTEN, ids, mentions=["`clamp` in calc/__init__.py", "!    3"])
    result, jobs_dir = run_gap(tmp_path, repo, script)

    fates = {v.test_id.rsplit("::", 1)[-1]: (v.kept, v.reason) for v in result.verdicts}
    assert fates["test_clamp_refuses_low_above_high"][0] is True
    assert fates["test_clamp_below_low_wrongly_expected"] == (False, fates["test_clamp_below_low_wrongly_expected"][1])
    assert fates["test_clamp_below_low_wrongly_expected"][1].startswith("failed")
    assert fates["test_clamp_inside_again"] == (False, "passes but adds no coverage")

    clamp = next(f for f in result.functions if f.target.qualname == "clamp")
    assert (clamp.before.covered_lines, clamp.after.covered_lines) == (5, 6)
    assert clamp.after.covered_branches == clamp.before.covered_branches + 1
    assert [f.target.qualname for f in result.functions] == ["clamp"]

    branch = f"refs/heads/{result.branch}"
    committed = git(repo, "show", f"{branch}:{NEW_TESTS}")
    assert "def test_clamp_refuses_low_above_high" in committed
    assert "wrongly_expected" not in committed and "inside_again" not in committed
    assert committed.endswith("        clamp(1, 5, 0)\n")
    assert git(repo, "diff", "--name-only", "main", branch).split() == [NEW_TESTS]
    message = git(repo, "log", "-1", "--format=%B", branch)
    assert message.startswith("Add tests for 1 function: coverage ")
    assert "Kept 1 of the 3 tests written; 2 failed or added no coverage." in message
    assert "calc/__init__.py:clamp: 5/8 lines, 3/6 branches" in message and "→ 6/8 lines, 4/6 branches" in message
    assert git(repo, "status", "--porcelain") == "" and git(repo, "branch", "--show-current").strip() == "main"

    job_dir = jobs_dir / result.job_id
    saved = json.loads((job_dir / "tests-gap.json").read_text())
    assert saved["model"].startswith("scripted at http://127.0.0.1:"), "the output names the model that answered"
    assert saved["functions"][0]["after"]["covered_lines"] == 6
    assert json.loads((job_dir / "job.json").read_text())["status"] == "resolved"
    events = [json.loads(line)["event"] for line in (job_dir / "trajectory.jsonl").read_text().splitlines()]
    assert {"coverage_baseline", "model_call", "test_judged", "finalized"} <= set(events)


def test_base_lists_only_the_changed_functions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = calc_repo(tmp_path)
    changed = CALC.replace(
        "    return number * 2\n", "    if number is None:\n        return 0\n    return number * 2\n"
    )
    (repo / "calc/__init__.py").write_text(changed)
    (repo / "calc/halves.py").write_text("def halve(number):\n    result = number / 2\n    return result\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "double of None; halve, which no test imports yet")
    written = (
        "from calc import double\nfrom calc.halves import halve\n\n\n"
        "def test_double_of_none_is_zero():\n    assert double(None) == 0\n\n\n"
        "def test_half_of_three():\n    assert halve(3) == 1.5\n"
    )
    new_file = "tests/test_changed_edges.py"
    ids = [f"{new_file}::test_double_of_none_is_zero", f"{new_file}::test_half_of_three"]
    script = scripted_tester(new_file, written, ids, mentions=["`double`", "`halve`", "No existing test imports"])
    with ScriptedModelServer(script) as server:
        cli_settings(monkeypatch, tmp_path / "home", server.base_url)
        args = ["tests-gap", "--repo", str(repo), "--base", "HEAD~1", "--json", "--no-branch"]
        done = CliRunner().invoke(app, args)
        assert not server.failures, server.failures
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    functions = {f["id"]: f for f in result["functions"]}
    assert list(functions) == ["calc/__init__.py:double", "calc/halves.py:halve"]
    assert all(f["changed"] for f in functions.values())
    double, halve = functions["calc/__init__.py:double"], functions["calc/halves.py:halve"]
    assert double["before"]["covered_lines"] < double["after"]["covered_lines"] == double["after"]["lines"]
    assert (halve["before"]["covered_lines"], halve["after"]["covered_lines"], halve["after"]["lines"]) == (0, 3, 3)
    assert halve["before"]["measured"] is False and halve["before"]["percent"] == 0
    assert [t["kept"] for t in result["tests"]] == [True, True]
    assert result["branch"] == "" and git(repo, "branch", "--list", "swe-team/*") == ""


def test_what_cannot_work_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for("http://127.0.0.1:9/v1", tmp_path / "home").model_copy(update={"workspace": "local"})
    run = TestsGapRun(settings, Console(stderr=True))
    (tmp_path / "plain").mkdir()
    with pytest.raises(SweTeamError, match="is not a git repository"):
        run.run(GapRequest(repo=tmp_path / "plain"))
    repo = calc_repo(tmp_path)
    with pytest.raises(SweTeamError, match="--base no-such-ref names no commit"):
        run.run(GapRequest(repo=repo, base="no-such-ref"))
    with ScriptedModelServer({"model": "llama-3.1-8b", "steps": []}) as server:
        pinned = settings_for(server.base_url, tmp_path / "home", pinned_id="qwen2.5-coder-7b-instruct")
        with pytest.raises(SweTeamError, match=r"llama-3\.1-8b") as raised:
            TestsGapRun(pinned.model_copy(update={"workspace": "local"}), Console(stderr=True)).run(
                GapRequest(repo=repo)
            )
    assert "qwen2.5-coder-7b-instruct" in raised.value.user_message()
    assert not list((tmp_path / "home" / "jobs").glob("*")), "a pin mismatch stops before any job"
    cli_settings(monkeypatch, tmp_path / "home", "http://127.0.0.1:9/v1")
    done = CliRunner().invoke(app, ["tests-gap", "--repo", str(repo), "--base", "HEAD"])
    assert done.exit_code == 0 and "no Python file changed since HEAD" in done.output
    done = CliRunner().invoke(app, ["tests-gap", "--repo", str(repo), "--base", "nowhere"])
    assert done.exit_code == 1 and "error: --base nowhere names no commit" in done.output
    done = CliRunner().invoke(app, ["tests-gap", "--repo", str(repo), "--max-functions", "0"])
    assert done.exit_code == 1 and "error: --max-functions must be 1 or more, not 0" in done.output


def test_a_repository_without_tests_or_with_another_runner_is_told_so(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"calc/__init__.py": CALC, "setup.py": "from setuptools import setup\nsetup()\n"})
    with ScriptedModelServer({"steps": []}) as server:
        settings = settings_for(server.base_url, tmp_path / "home")
        settings = settings.model_copy(update={"workspace": "local", "test_command": TEST_COMMAND})
        with pytest.raises(SweTeamError, match="no tests found"):
            TestsGapRun(settings, Console(stderr=True)).run(GapRequest(repo=repo))
        other = settings.model_copy(update={"test_command": "make check"})
        with pytest.raises(SweTeamError, match="tests-gap runs pytest under coverage"):
            TestsGapRun(other, Console(stderr=True)).run(GapRequest(repo=repo))
    statuses = {json.loads((job / "job.json").read_text())["status"] for job in settings.jobs_dir.iterdir()}
    assert statuses == {"failed"}


def test_a_cut_test_file_keeps_its_helpers_and_only_the_kept_tests() -> None:
    source = (
        "import pytest\n\n\n"
        "@pytest.fixture\ndef numbers():\n    return [1, 2]\n\n\n"
        "@pytest.mark.parametrize('n', [1, 2])\ndef test_dropped(n):\n    assert n\n\n\n"
        "class TestEdges:\n    def test_kept(self, numbers):\n        assert numbers\n\n"
        "    @pytest.mark.skip\n    def test_also_dropped(self):\n        pass\n"
    )
    cut = keep_only(source, {"test_kept"})
    assert cut == (
        "import pytest\n\n\n@pytest.fixture\ndef numbers():\n    return [1, 2]\n\n\n"
        "class TestEdges:\n    def test_kept(self, numbers):\n        assert numbers\n"
    )
    assert keep_only(source, set()) is None


def test_a_tester_that_writes_nothing_leaves_the_existing_tests_unjudged(tmp_path: Path) -> None:
    repo = calc_repo(tmp_path)
    script = {"steps": [tool_step("submit", {"test_files": []}, role="tester")]}
    result, jobs_dir = run_gap(tmp_path, repo, script, test_command=f"GITHUB_TOKEN={TOKEN} {TEST_COMMAND}")
    assert result.verdicts == [] and result.branch == ""
    assert "the tester wrote no new test file: nothing to judge" in result.notes
    job_dir = jobs_dir / result.job_id
    assert json.loads((job_dir / "job.json").read_text())["status"] == "unresolved"
    written = b"".join((job_dir / name).read_bytes() for name in ("trajectory.jsonl", "report.md", "tests-gap.json"))
    assert TOKEN.encode() not in written and b"[REDACTED:github-token]" in written
    assert result.redacted.get("github-token", 0) >= 1
