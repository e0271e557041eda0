"""The commits a job writes on its branch: subjects about the fix, at most 72 characters, never cut inside a word."""

from __future__ import annotations

from pathlib import Path

from core.git import git
from core.state import PatchSummary, Plan, ReproductionRecord, TeamState
from graphs.branch import SUBJECT_LIMIT, commit_plan, subject_line, write_branch
from tests.workspace_fixtures import make_repo

TASK = "Discount above 100% crashes checkout\n\nTraceback (most recent call last): ..."
PRICING = "def apply_discount(price, rate):\n    return price * (1 - rate)\n"
FIXED = "def apply_discount(price, rate):\n    return price * (1 - min(max(rate, 0.0), 1.0))\n"
TEST = "from shop.pricing import apply_discount\n\n\ndef test_rate_above_one():\n    assert apply_discount(9, 2) == 0\n"


def job_state(fix_summary: str, plan_summary: str = "apply_discount accepts a rate above one.") -> TeamState:
    return TeamState(
        job_id="20261201-120000-abcdef",
        task=TASK,
        kind="bug",
        plan=Plan(kind="bug", summary=plan_summary, steps=["clamp the rate"]),
        patch=PatchSummary(summary=fix_summary, root_cause="the rate is never clamped"),
        reproduction=ReproductionRecord(test_files=["tests/test_rate.py"]),
    )


def branch_log(tmp_path: Path, state: TeamState) -> list[str]:
    """Subjects and bodies of the branch written for `state`'s change to a fixture repository, oldest first."""
    repo = make_repo(tmp_path, {"shop/__init__.py": "", "shop/pricing.py": PRICING})
    base = git(repo, "rev-parse", "HEAD").stdout.strip()
    (repo / "shop/pricing.py").write_text(FIXED, encoding="utf-8")
    (repo / "tests").mkdir()
    (repo / "tests/test_rate.py").write_text(TEST, encoding="utf-8")
    git(repo, "add", "-N", "tests/test_rate.py")
    diff = git(repo, "diff").stdout
    write_branch(repo, base, "swe-team/job", diff, commit_plan(state, diff))
    log = git(repo, "log", "--reverse", "--format=%s%n%b%x00", f"{base}..swe-team/job").stdout
    return [entry.strip() for entry in log.split("\x00") if entry.strip()]


def test_the_branch_says_what_the_fix_does_after_a_test_commit(tmp_path: Path) -> None:
    fix = "Clamp the discount rate to the range 0..1 in apply_discount. Totals can no longer go negative."
    tests_commit, fix_commit = branch_log(tmp_path, job_state(fix))
    assert tests_commit.splitlines()[0] == "Add tests: Discount above 100% crashes checkout"
    subject, *body = fix_commit.splitlines()
    assert subject == "Clamp the discount rate to the range 0..1 in apply_discount"
    assert "Totals can no longer go negative." in " ".join(body) and "Root cause: the rate is never clamped" in body
    assert "Task: Discount above 100% crashes checkout" in body


def test_a_long_summary_ends_at_a_clause_or_a_word_never_inside_one(tmp_path: Path) -> None:
    fix = (
        "Clamp the rate in shop.pricing.apply_discount to between zero and one, so that checkout never "
        "computes a negative total for any cart"
    )
    subject = branch_log(tmp_path, job_state(fix))[-1].splitlines()[0]
    assert subject == "Clamp the rate in shop.pricing.apply_discount to between zero and one"
    words = "Clampthediscountrateinshoppricingapplydiscounttobetweenzeroandoneandthenrecomputeeverytotal " * 2
    cut = subject_line(f"Make {words}", SUBJECT_LIMIT)
    assert cut == "Make…" and subject_line("- **fixed** it. Then more", SUBJECT_LIMIT) == "Fixed it"
    assert subject_line("method = builtin_str(method) problem") == "method = builtin_str(method) problem"
    unbroken = subject_line("Recompute " + "the cart total " * 10, SUBJECT_LIMIT)
    assert unbroken == "Recompute" + " the cart total" * 4 + "…"


def test_without_a_useful_fix_summary_the_plan_or_task_says_what_was_fixed(tmp_path: Path) -> None:
    assert branch_log(tmp_path / "a", job_state("done"))[-1].splitlines()[0] == (
        "Fix: apply_discount accepts a rate above one"
    )
    state = job_state("", plan_summary="").model_copy(update={"plan": None})
    assert branch_log(tmp_path / "b", state)[-1].splitlines()[0] == "Fix: Discount above 100% crashes checkout"


def test_a_message_given_with_an_overlong_subject_is_shortened_at_a_word(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.txt": "one\n"})
    base = git(repo, "rev-parse", "HEAD").stdout.strip()
    (repo / "a.txt").write_text("two\n", encoding="utf-8")
    diff = git(repo, "diff").stdout
    subject = "Replace the word one with the word two in a.txt because the specification asks for two now"
    write_branch(repo, base, "swe-team/job", diff, [([], f"{subject}\n\nbody")])
    written = git(repo, "log", "-1", "--format=%s", "swe-team/job").stdout.strip()
    assert written == "Replace the word one with the word two in a.txt"
