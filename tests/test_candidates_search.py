"""The candidate search node on the shop example with a scripted model: coder runs in workspaces of their own,
tried against each other's tests, the reviewer breaking the tie, the winner applied to the job's workspace; the
budgets that stop new candidates. (Eliminations by regression, votes and duplicates: tests/test_candidates.py; the
early stop once a candidate passes and is approved: tests/test_candidates_eval.py.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console

from core.model.scripted_server import ScriptedModelServer
from core.search_settings import SearchSettings
from core.state import Baseline, Location, PatchSummary, ReproductionRecord, Snapshot, TeamState
from graphs import report
from graphs.candidate_runs import CandidateRun, SearchBudget
from graphs.candidates import candidates_node, rejected_alternatives
from graphs.context import TeamContext
from graphs.finalize import decide
from graphs.gates import evidence
from graphs.routing import after_candidates, after_reproduce
from harness.team_context import early_state, node_runtime, team_context
from memory.experience import Experience
from memory.experience.preferences import preference_pairs
from swe_team.chat.evidence import render_screen
from tests.job_fixtures import assert_script_done
from tests.model_fixtures import json_step, tool_step

OLD = "        return min(item.price for item in self.items)"
RIGHT = '        return min((item.price for item in self.items), default=Decimal("0"))'
GUARDED = '        if not self.items:\n            return Decimal("0")\n' + OLD
TESTER_FILE = "tests/test_empty_cart.py"
TESTER_TESTS = [f"{TESTER_FILE}::test_total_of_empty_cart_is_zero"]
EMPTY_CART_TEST = (
    "from decimal import Decimal\n\nfrom shop import Cart\n\n\n"
    "def test_total_of_empty_cart_is_zero():\n    assert Cart().total() == Decimal('0.00')\n"
)


def coder_steps(replace: str) -> list[dict[str, Any]]:
    edit = {"path": "shop/cart.py", "search": OLD, "replace": replace}
    submit = {"summary": "cheapest_price works on an empty cart", "root_cause": "min() of nothing"}
    return [tool_step("search_replace", edit, role="coder"), tool_step("submit", submit, role="coder")]


def reproduced(context: TeamContext, candidates: int) -> TeamState:
    """The state after the tester wrote its reproduction test, as the candidates node receives it."""
    base = context.workspace.snapshot("base")
    context.workspace.write_file(TESTER_FILE, EMPTY_CART_TEST)
    reproduced_at = Snapshot(node="tester_reproduce", id=context.workspace.snapshot("reproduced"))
    return early_state(
        context,
        search_candidates=candidates,
        locations=[
            Location(path="shop/cart.py", symbol="Cart.cheapest_price"),
            Location(path="shop/cart.py", symbol="Cart.discount"),
        ],
        reproduction=ReproductionRecord(test_files=[TESTER_FILE], test_selectors=TESTER_TESTS, reproduced=True),
        baseline=Baseline(scope="suite"),
        snapshots=[Snapshot(node="intake", id=base), reproduced_at],
    )


def test_the_reviewer_breaks_a_tie_between_candidates_and_the_winner_goes_on_in_the_jobs_workspace(
    tmp_path: Path,
) -> None:
    why = "min() with a default says it in one line"
    steps = [*coder_steps(GUARDED), *coder_steps(RIGHT)]
    steps.append(json_step({"preferred": "c2", "reason": why}, role="reviewer"))
    with ScriptedModelServer({"steps": steps}) as server:
        context = team_context(tmp_path, server.base_url)
        context.settings.search = SearchSettings(candidates=2, parallel=1, stop_early=False)
        update = candidates_node(reproduced(context, 2), runtime=node_runtime(context))
        assert_script_done(server)

    record = update["candidates"]
    assert [(run["id"], run["temperature"], run["error"]) for run in record["runs"]] == [
        ("c1", 0.0, ""),
        ("c2", 0.5, ""),
    ]
    assert record["stopped"] == ""
    selection = record["selection"]
    assert selection["winner"] == "c2" and selection["finalists"] == ["c2", "c1"]
    assert selection["comparison"] == {"preferred": "c2", "reason": why}
    loser = next(v for v in selection["verdicts"] if v["id"] == "c1")
    assert (
        loser["reason"]
        == "tied on tests and votes; the reviewer preferred c2: min() with a default says it in one line"
    )

    assert 'default=Decimal("0")' in context.workspace.read_file("shop/cart.py")
    assert context.workspace.read_file(TESTER_FILE) == EMPTY_CART_TEST
    assert update["patch"]["files"] == ["shop/cart.py"] and update["iterations"] == 1
    winner_actions = update["actions"]
    assert [(a["index"], a["role"], a["tool"]) for a in winner_actions] == [(0, "coder", "search_replace")]
    assert 'default=Decimal("0")' in winner_actions[0]["edits"][0]["after"]
    assert set(update["usage"]) == {"coder (candidates)", "reviewer"}
    folder = context.job_dir / "candidates"
    assert "if not self.items" in (folder / "c1" / "patch.diff").read_text()
    assert json.loads((folder / "selection.json").read_text())["selection"]["winner"] == "c2"
    events = [json.loads(line)["event"] for line in (folder / "c2" / "trajectory.jsonl").read_text().splitlines()]
    assert events[0] == "candidate_start" and events[-1] == "candidate_end"
    shown = evidence("patch", TeamState(candidates=record), context)["candidates"]
    assert [finalist["id"] for finalist in shown["finalists"]] == ["c2", "c1"]
    assert "if not self.items" in shown["finalists"][1]["diff"]
    assert shown["finalists"][1]["patch_file"] == str(folder / "c1" / "patch.diff")
    console = Console(record=True, width=200)
    console.print(render_screen({"gate": "patch", "evidence": {"candidates": shown}}))
    screen = console.export_text()
    assert "c2 · winner · 1 vote(s)" in screen and "c1 · runner-up · 1 vote(s)" in screen
    assert f"reviewer: prefers c2 — {why}" in screen
    rejected = rejected_alternatives(TeamState(candidates=record), context.job_dir)
    pairs = preference_pairs(Experience(repo="shop", task="empty cart", decisions=rejected))
    assert [(pair.gate, pair.comment[:13]) for pair in pairs] == [("candidates", "c1 runner-up:")]
    assert "default=Decimal" in pairs[0].chosen and "if not self.items" in pairs[0].rejected
    text = report.render(TeamState(candidates=record), "resolved", [], {})
    assert f"**c1** runner-up: tied on tests and votes; the reviewer preferred c2: {why} (temperature 0)" in text
    assert "**c2** winner: tied on tests and votes with c1; the reviewer preferred it" in text


def test_the_first_patch_comes_from_the_search_and_later_ones_from_the_coder() -> None:
    assert after_reproduce(TeamState(search_candidates=3)) == "candidates"
    assert after_reproduce(TeamState(search_candidates=1)) == "coder"
    assert after_reproduce(TeamState(search_candidates=3, iterations=1)) == "coder"
    assert after_candidates(TeamState(halt="candidates: the winner did not apply")) == "finalize"
    winner = PatchSummary(summary="the winner", files=["shop/cart.py"])
    assert after_candidates(TeamState(patch=winner, iterations=1)) == "tester_verify"


def test_with_no_winning_candidate_the_coder_tries_alone_while_iterations_are_left() -> None:
    assert after_candidates(TeamState(iterations=1)) == "coder", "the default budget has 3 iterations"
    spent = TeamState(iterations=1)
    spent.budgets.max_iterations = 1
    assert after_candidates(spent) == "finalize", "no patch to verify and no iteration left"


def test_a_job_left_without_a_candidate_says_why_each_one_was_dropped() -> None:
    verdicts = [
        {"id": "c1", "standing": "dropped", "reason": "its coder run failed: the model's output was unusable " * 4},
        {"id": "c2", "standing": "dropped", "reason": "it changes no code"},
    ]
    state = TeamState(iterations=1, candidates={"selection": {"winner": "", "verdicts": verdicts}})
    status, reasons = decide(state)
    assert status == "unresolved"
    assert reasons[0].startswith("no candidate patch was left (c1: its coder run failed: the model's output")
    assert reasons[0].endswith("…; c2: it changes no code)")
    assert decide(TeamState(iterations=1))[1] == ["the patch was never verified"], "no search: nothing else to say"


def test_the_patch_gate_after_a_search_with_no_winner_shows_no_patch_rather_than_failing() -> None:
    shown = evidence("patch", TeamState(iterations=1))
    assert "patch" not in shown and "review" not in shown
    screen = Console(record=True, width=120, color_system=None)
    screen.print(render_screen({"gate": "patch", "job_id": "j", "role": "coder", "evidence": shown, "diff": ""}))
    assert "(empty diff)" in screen.export_text()


def test_the_token_and_minute_budgets_stop_new_candidates() -> None:
    now = [0.0]
    budget = SearchBudget(SearchSettings(max_tokens=1000, max_minutes=2), clock=lambda: now[0])
    budget.add(CandidateRun("c1", 0.0, tokens=600))
    assert budget.stop_reason() == ""
    budget.add(CandidateRun("c2", 0.5, tokens=400))
    assert budget.stop_reason() == "the search's token budget is spent (1000 ≥ 1000)"
    later = SearchBudget(SearchSettings(max_minutes=2), clock=lambda: now[0])
    now[0] = 121.0
    assert later.stop_reason() == "the search's time budget is spent (2.0 ≥ 2 min)"
