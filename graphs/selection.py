"""Choosing one patch among candidates, from the evidence of their test runs: pure functions, every step explained.

1. Candidates that make the same change (`graphs/patch_identity.change_key`) merge: one is tested, each adds a vote.
   A candidate that did not apply, or changes nothing once whitespace and comments are set aside, is dropped.
2. A candidate that breaks a test which passed before the job is dropped (when every candidate breaks one, only the
   fewest breakages stay). A candidate ranked (step 3) below two that break none may not have been run against the
   regression tests: it could not be a finalist either way.
3. Every remaining candidate ran every test set: the tester's reproduction tests and each candidate's own tests.
   They rank by: passes the tester's tests, test sets passed, tests passed, votes.
4. The top two are the finalists. The reviewer compares them (when a comparer is given); its preference decides
   only a tie, else the smaller change, else the earlier candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

TESTER = "tester"
"""The owner of the tester's reproduction tests among the test sets."""
NAMED = 3
FINALISTS = 2

Standing = Literal["winner", "runner-up", "duplicate", "dropped", "outvoted"]


class Candidate(BaseModel):
    """One candidate as selection sees it (its diff stays in its workspace or the job folder)."""

    id: str
    key: str = ""
    """`change_key` of the code it changes; '' when it changes nothing."""
    applied: bool = True
    problem: str = ""
    """Why it could not be tried (a diff that does not apply)."""
    diff_lines: int = 0


class Evidence(BaseModel):
    """What the candidates' test runs showed."""

    candidates: list[Candidate]
    test_sets: dict[str, list[str]] = {}
    """Owner (`tester` or a candidate id) → its test ids."""
    regressions: dict[str, list[str]] = {}
    """Candidate id → tests that passed before the job and fail with it."""
    outcomes: dict[str, dict[str, dict[str, str]]] = {}
    """Candidate id → test-set owner → test id → outcome (passed, failed, error, skipped, missing)."""
    unchecked: list[str] = []
    """Candidates not run against the regression tests: the two ranked above them broke none, so they could not
    be finalists whatever those tests said."""


class Verdict(BaseModel):
    id: str
    standing: Standing
    reason: str
    votes: int = 1
    same_as: str = ""
    passed_sets: list[str] = []
    failed_sets: list[str] = []
    tests_passed: int = 0


class Comparison(BaseModel):
    """The reviewer's comparison of the two finalists."""

    preferred: str = Field(description="The id of the candidate to keep.")
    reason: str = Field(description="One or two sentences: why it is the better change.")


class Selection(BaseModel):
    winner: str = ""
    """'' when no candidate is left."""
    finalists: list[str] = []
    comparison: Comparison | None = None
    verdicts: list[Verdict] = []
    steps: list[str] = []

    def verdict(self, candidate_id: str) -> Verdict:
        return next(v for v in self.verdicts if v.id == candidate_id)


Comparer = Callable[[str, str], Comparison]
UNCHECKED = "ranked below two candidates that broke none"


def named(items: list[str]) -> str:
    shown = ", ".join(items[:NAMED])
    return shown + (f" (+{len(items) - NAMED} more)" if len(items) > NAMED else "")


def representatives(candidates: list[Candidate]) -> dict[str, list[str]]:
    """Each distinct change's first candidate → the candidates making the same change (itself first)."""
    groups: dict[str, list[str]] = {}
    first_of_key: dict[str, str] = {}
    for candidate in candidates:
        if not candidate.applied or not candidate.key:
            continue
        first = first_of_key.setdefault(candidate.key, candidate.id)
        groups.setdefault(first, []).append(candidate.id)
    return groups


def _set_passed(outcomes: dict[str, str], tests: list[str]) -> bool:
    return bool(tests) and all(outcomes.get(test) == "passed" for test in tests)


def _scored(evidence: Evidence, candidate_id: str, votes: int) -> Verdict:
    results = evidence.outcomes.get(candidate_id, {})
    passed: list[str] = []
    failed: list[str] = []
    tests_passed = 0
    for owner, tests in evidence.test_sets.items():
        if not tests:
            continue
        outcomes = results.get(owner, {})
        tests_passed += sum(outcomes.get(test) == "passed" for test in tests)
        (passed if _set_passed(outcomes, tests) else failed).append(owner)
    return Verdict(
        id=candidate_id,
        standing="outvoted",
        reason="",
        votes=votes,
        passed_sets=passed,
        failed_sets=failed,
        tests_passed=tests_passed,
    )


def _rank(verdict: Verdict) -> tuple[bool, int, int, int]:
    return (TESTER not in verdict.failed_sets, len(verdict.passed_sets), verdict.tests_passed, verdict.votes)


def by_tests(evidence: Evidence, groups: dict[str, list[str]], ids: list[str] | None = None) -> list[Verdict]:
    """The distinct changes `ids` (all of `groups` when None) best first by the test sets and votes, in the order
    the selection ranks them (equals keep the candidates' order)."""
    chosen = list(groups) if ids is None else ids
    return sorted((_scored(evidence, cid, len(groups[cid])) for cid in chosen), key=_rank, reverse=True)


def _failing_tests(evidence: Evidence, candidate_id: str, owner: str) -> list[str]:
    outcomes = evidence.outcomes.get(candidate_id, {}).get(owner, {})
    return [test for test in evidence.test_sets.get(owner, []) if outcomes.get(test) != "passed"]


def _score_text(verdict: Verdict, sets: int) -> str:
    votes = f", {verdict.votes} votes" if verdict.votes > 1 else ""
    return f"{len(verdict.passed_sets)} of {sets} test sets, {verdict.tests_passed} tests passed{votes}"


def _set_name(owner: str) -> str:
    return "the tester's reproduction tests" if owner == TESTER else f"{owner}'s tests"


def _why_behind(evidence: Evidence, loser: Verdict, winner: Verdict, sets: int) -> str:
    failed = [owner for owner in loser.failed_sets if owner not in winner.failed_sets] or loser.failed_sets
    failed.sort(key=lambda owner: owner != TESTER)
    if _rank(loser) == _rank(winner):
        what = "tied on tests and votes, behind the two finalists (earlier candidates)"
    elif failed:
        owner = failed[0]
        what = f"fails {_set_name(owner)} ({named(_failing_tests(evidence, loser.id, owner))})"
    else:
        what = "passes as many tests as the winner and has fewer votes"
    return f"{what}: {_score_text(loser, sets)} against {winner.id}'s {_score_text(winner, sets)}"


def _dropped(candidates: list[Candidate], groups: dict[str, list[str]]) -> tuple[list[Verdict], list[str]]:
    verdicts, steps = [], []
    for candidate in candidates:
        if not candidate.applied:
            reason = f"its diff does not apply: {candidate.problem or 'git apply failed'}"
            verdicts.append(Verdict(id=candidate.id, standing="dropped", reason=reason))
        elif not candidate.key:
            reason = "it changes no code once whitespace, comments and tests are set aside"
            verdicts.append(Verdict(id=candidate.id, standing="dropped", reason=reason))
    for first, members in groups.items():
        for member in members[1:]:
            reason = f"the same change as {first} once whitespace, comments and formatting are set aside"
            verdicts.append(Verdict(id=member, standing="duplicate", reason=reason, same_as=first))
        if len(members) > 1:
            steps.append(f"merged {', '.join(members)}: one change, {len(members)} votes")
    return verdicts, steps


def _regression_filter(evidence: Evidence, alive: list[str]) -> tuple[list[str], list[Verdict], str]:
    broken = {cid: evidence.regressions.get(cid, []) for cid in alive if cid not in evidence.unchecked}
    fewest = min((len(tests) for tests in broken.values()), default=0)
    kept = [cid for cid in alive if cid in evidence.unchecked or len(broken[cid]) == fewest]
    dropped = [
        Verdict(id=cid, standing="dropped", reason=f"breaks tests that passed before the job: {named(broken[cid])}")
        for cid in alive
        if cid not in kept
    ]
    step = f"regression tests: {len(dropped)} dropped, {len(kept)} kept"
    if fewest:
        step += f" (every candidate breaks at least {fewest} test(s) that passed before; the fewest stay)"
    if unchecked := [cid for cid in alive if cid in evidence.unchecked]:
        step += f"; not run for {', '.join(unchecked)} ({UNCHECKED})"
    return kept, dropped, step


def _tie_broken(
    evidence: Evidence, first: Verdict, second: Verdict, compare: Comparer | None
) -> tuple[Verdict, Verdict, Comparison | None, str, str]:
    """(winner, runner-up, the reviewer's comparison, how the winner was chosen, why the runner-up lost a tie)."""
    comparison = compare(first.id, second.id) if compare else None
    if comparison is not None and comparison.preferred not in (first.id, second.id):
        comparison = None
    if _rank(first) != _rank(second):
        return first, second, comparison, "ranked first by the tests and votes", ""
    tied = "tied on tests and votes"
    if comparison is not None:
        winner, loser = (first, second) if comparison.preferred == first.id else (second, first)
        why = f"{tied}; the reviewer preferred {winner.id}: {comparison.reason}"
        return winner, loser, comparison, f"{tied} with {loser.id}; the reviewer preferred it", why
    sizes = {c.id: c.diff_lines for c in evidence.candidates}
    if sizes.get(second.id, 0) < sizes.get(first.id, 0):
        return second, first, None, f"{tied} with {first.id}; the smaller change", f"{tied}; {second.id} is smaller"
    return first, second, None, f"{tied} with {second.id}; the earlier candidate", f"{tied}; {first.id} came first"


def select(evidence: Evidence, compare: Comparer | None = None) -> Selection:
    """The winner among the candidates and why each of the others lost."""
    groups = representatives(evidence.candidates)
    verdicts, steps = _dropped(evidence.candidates, groups)
    steps.insert(0, f"{len(evidence.candidates)} candidates, {len(groups)} distinct changes")
    alive, dropped, step = _regression_filter(evidence, list(groups))
    verdicts += dropped
    steps.append(step)
    if not alive:
        steps.append("no candidate is left")
        return Selection(verdicts=_ordered(evidence, verdicts), steps=steps)
    sets = sum(1 for tests in evidence.test_sets.values() if tests)
    scored = by_tests(evidence, groups, alive)
    steps.append("ranked: " + "; ".join(f"{v.id} {_score_text(v, sets)}" for v in scored))
    lost_tie = ""
    if len(scored) == 1:
        winner, runner_up, comparison, how = scored[0], None, None, "the only candidate left"
    else:
        winner, runner_up, comparison, how, lost_tie = _tie_broken(evidence, scored[0], scored[1], compare)
    winner.standing, winner.reason = "winner", f"{how}: {_score_text(winner, sets)}"
    if comparison is not None and runner_up is not None:
        steps.append(f"the reviewer compared {winner.id} and {runner_up.id}: {comparison.reason}")
    for verdict in scored:
        if verdict is winner:
            continue
        verdict.reason = _why_behind(evidence, verdict, winner, sets)
        if verdict.id in evidence.unchecked:
            verdict.reason += f"; its regression tests were not run ({UNCHECKED})"
        if verdict is runner_up:
            verdict.standing = "runner-up"
            verdict.reason = lost_tie or verdict.reason
    verdicts += scored
    steps.append(f"winner: {winner.id} ({how})")
    finalists = [winner.id] + ([runner_up.id] if runner_up else [])
    return Selection(
        winner=winner.id,
        finalists=finalists,
        comparison=comparison,
        verdicts=_ordered(evidence, verdicts),
        steps=steps,
    )


def _ordered(evidence: Evidence, verdicts: list[Verdict]) -> list[Verdict]:
    order = {candidate.id: index for index, candidate in enumerate(evidence.candidates)}
    return sorted(verdicts, key=lambda verdict: order.get(verdict.id, len(order)))
