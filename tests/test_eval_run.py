"""`swe-team eval --run`: the team works on the instance (the example's bug, a scripted model) and its patch is
graded against tests the team never saw, with the job, its tokens and its prediction kept per instance."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from core.model.scripted_server import ScriptedModelServer
from harness.cli import cli_env, swe_team
from harness.example import EXAMPLE, example_repo, script
from tests.job_fixtures import assert_script_done

HIDDEN_TEST = (
    "from decimal import Decimal\n\nfrom shop import Cart, checkout\n\n\n"
    "def test_an_empty_order_costs_nothing():\n    assert checkout(Cart()).total == Decimal('0.00')\n\n\n"
    "def test_a_new_cart_is_empty():\n    assert Cart().items == []\n"
)


def _instance(repos: Path) -> dict[str, object]:
    repo = example_repo(repos)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True)
    test_patch = (
        "diff --git a/tests/test_hidden.py b/tests/test_hidden.py\nnew file mode 100644\n--- /dev/null\n"
        f"+++ b/tests/test_hidden.py\n@@ -0,0 +1,{len(HIDDEN_TEST.splitlines())} @@\n"
        + "".join(f"+{line}\n" for line in HIDDEN_TEST.splitlines())
    )
    return {
        "instance_id": "acme__shop-1", "repo": "acme/shop", "base_commit": head.stdout.strip(),
        "problem_statement": (EXAMPLE / "ISSUE.md").read_text(encoding="utf-8"), "test_patch": test_patch,
        "FAIL_TO_PASS": ["tests/test_hidden.py::test_an_empty_order_costs_nothing"],
        "PASS_TO_PASS": ["tests/test_hidden.py::test_a_new_cart_is_empty"],
    }


def test_run_mode_grades_the_team_patch_on_hidden_tests_and_keeps_its_job(tmp_path: Path) -> None:
    dataset = tmp_path / "dataset.jsonl"
    dataset.write_text(json.dumps(_instance(tmp_path / "repos")) + "\n", encoding="utf-8")
    out = tmp_path / "run"

    with ScriptedModelServer(script("shop-resolved")) as server:
        env = cli_env(tmp_path / "home", server.base_url)
        repos = str(tmp_path / "repos")
        done = swe_team("eval", str(dataset), "--run", "--repos", repos, "--out", str(out), env=env)
        assert_script_done(server, done.stderr)

    assert done.returncode == 0, done.stderr
    result = json.loads((out / "results.json").read_text(encoding="utf-8"))["instances"]["acme__shop-1"]
    assert result["status"] == "resolved" and result["resolution"] == "FULL", result
    assert result["job_id"] and result["tokens"]["prompt"] > 0
    patch = (out / "logs" / "acme__shop-1" / "patch.diff").read_text(encoding="utf-8")
    assert "shop/cart.py" in patch
    assert patch == (tmp_path / "home" / "jobs" / result["job_id"] / "patch.diff").read_text(encoding="utf-8")
