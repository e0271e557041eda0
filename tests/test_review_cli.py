"""`swe-team review` on a change that plants `shell=True` and an AWS key: the model's findings and the
deterministic checks on the touched lines only, one finding per problem, the key never sent to the model, the
model recorded; the command exits 0 for a clean change, 1 with one line for a bad ref (4, dangerous code: in
test_review_formats); a saved diff reviewed on a checkout that lacks it still finds its dangerous line."""

from __future__ import annotations

import json
from pathlib import Path

import pexpect

from core.model.scripted_server import ScriptedModelServer
from harness.cli import cli_env, swe_team
from harness.terminal import screen_text, spawn
from swe_team.review.change import change_between, change_from_diff
from swe_team.review.run import ReviewOptions, review_change, review_with_settings
from tests.job_fixtures import assert_script_done
from tests.model_fixtures import settings_for
from tests.review_fixtures import (
    KEY_LINE,
    PLANTED_KEY,
    SHELL_LINE,
    WORDS_LINE,
    git,
    planted_repo,
    review_step,
)


def test_the_model_and_the_checks_find_the_planted_problems_on_the_touched_lines_only(tmp_path: Path) -> None:
    repo = planted_repo(tmp_path)
    requests = tmp_path / "requests.jsonl"
    script = {"model": "qwen2.5-coder-7b", "context_window": 16384, "steps": [review_step()]}
    with ScriptedModelServer(script, record_path=requests) as server:
        settings = settings_for(server.base_url, tmp_path / "home", max_output_tokens=2048)
        review = review_with_settings(change_between(repo, "main~1", "main"), settings).to_dict()
        assert_script_done(server)
    found = {(f["line"], f["category"]): f for f in review["findings"]}
    assert sorted(found) == [
        (KEY_LINE, "secrets"),
        (SHELL_LINE, "security"),
        (SHELL_LINE, "tests"),
        (WORDS_LINE, "null-safety"),
    ]
    shell = found[(SHELL_LINE, "security")]
    assert shell["severity"] == "blocker" and shell["sources"] == ["bandit", "dangerous-code", "model"]
    assert found[(KEY_LINE, "secrets")]["title"] == "secret in the code: aws-access-key"
    assert found[(WORDS_LINE, "null-safety")]["title"] == "IndexError on empty text"
    untested = found[(SHELL_LINE, "tests")]
    assert untested["title"] == "changed without a test change: run, first_word"
    assert "`run` changed and no test exercises it" in untested["body"]
    assert "`first_word` changed but none of the tests that exercise it (tests/test_runner.py) did" in untested["body"]
    assert all(f["file"] == "app/runner.py" and f["line"] != 1 for f in review["findings"]), "line 1 is untouched"
    assert review["left_out"] == {"outside_the_change": 1, "malformed": 1, "duplicates": 2, "over_the_cap": 0}
    assert review["dangerous_code"][0]["rule"] == "subprocess-shell"
    assert review["model"]["served_id"] == "qwen2.5-coder-7b" and review["summary"].startswith("Commands now run")
    assert [f["severity"] for f in review["findings"]] == ["blocker", "blocker", "major", "minor"]
    assert 0 <= review["score"] < 30
    assert PLANTED_KEY not in requests.read_text(), "the key never reaches the model"


def test_a_clean_change_exits_0_and_a_bad_ref_is_one_line(tmp_path: Path) -> None:
    repo = planted_repo(tmp_path)
    (repo / "app/cli.py").write_text((repo / "app/cli.py").read_text() + "\n\nVERSION = 2\n")
    env = cli_env(tmp_path / "home", "http://127.0.0.1:9/v1")
    clean = swe_team("review", "--repo", str(repo), "--base", "main", "--no-model", "--format", "markdown", env=env)
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.startswith("## swe-team review: 100/100") and "No findings" in clean.stdout
    assert "main...the working tree" in clean.stdout and "model: no model" in clean.stdout
    piped = swe_team("review", "--repo", str(repo), "--base", "main", "--no-model", env=env)
    assert json.loads(piped.stdout)["score"] == 100, "a pipe gets JSON"
    child = spawn(["review", "--repo", str(repo), "--base", "main", "--no-model"], env)
    child.expect(pexpect.EOF)
    child.close()
    shown = screen_text(child)
    assert child.exitstatus == 0 and "swe-team review: 100/100" in shown and "No findings" in shown
    assert "## swe-team review" not in shown and '"score"' not in shown, "a terminal gets the Markdown rendered"
    bad = swe_team("review", "--repo", str(repo), "--base", "nosuchbranch", "--no-model", env=env)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "--base 'nosuchbranch' names no commit" in bad.stderr


def test_a_saved_diff_reviewed_on_a_checkout_without_it_falls_back_to_its_added_lines(tmp_path: Path) -> None:
    repo = planted_repo(tmp_path)
    diff = git(repo, "diff", "main~1", "main") + "\n"
    git(repo, "checkout", "-q", "main~1")
    change = change_from_diff(repo, diff, "change.diff")
    assert change.new_text("app/runner.py") is None, "the checkout is not the diff's new version"
    review = review_change(change, None, ReviewOptions(graph_cache=tmp_path / "cache"))
    assert [(hit["line"], hit["rule"]) for hit in review.dangerous_code] == [(SHELL_LINE, "subprocess-shell")]
    assert {(f.line, f.category) for f in review.findings} >= {(KEY_LINE, "secrets"), (SHELL_LINE, "security")}
    empty = review_change(change_from_diff(repo, "", "an empty diff"), None, ReviewOptions())
    assert (empty.score, empty.findings, empty.summary) == (100, [], "an empty diff changes nothing.")
