"""Selection among candidate patches, on evidence written out by hand: the same change in another form merges,
a broken test drops a candidate, the tests then the votes rank, the reviewer breaks a tie, and every loser says why."""

from __future__ import annotations

from graphs.patch_identity import change_key, split_diff
from graphs.selection import TESTER, Candidate, Comparison, Evidence, select

ORIGINAL = 'def neg(a):\n    """Negate."""\n    return a\n'
FIXED = 'def neg(a):\n    """Negate."""\n    return -a\n'


def key(after: str, path: str = "calc/ops.py", before: str = ORIGINAL) -> str:
    return change_key({path: before}, {path: after})


def test_the_same_change_in_another_form_has_the_same_key() -> None:
    reformatted = "def neg( a ):\n    # the sign flips\n    return (-a)   # here\n"
    assert key(reformatted) == key(FIXED) != ""
    assert key("def neg(a):\n    '''Other words.'''\n    return -a\n") == key(FIXED)


def test_a_different_change_has_another_key() -> None:
    assert key("def neg(a):\n    return 0 - a\n") != key(FIXED)
    assert key(FIXED, path="calc/other.py") != key(FIXED)


def test_a_change_of_comments_and_whitespace_only_changes_nothing() -> None:
    assert key("def neg(a):\n\n    # just a note\n    return a\n") == ""
    assert change_key({"notes.txt": "a  b\n\nc\n"}, {"notes.txt": "a b\nc\n"}) == ""
    assert change_key({"notes.txt": "a b\n"}, {"notes.txt": "a c\n"}) != ""


def test_python_that_does_not_parse_is_compared_by_its_text() -> None:
    broken = "def neg(a:\n    return -a\n"
    assert key(broken) == key("def neg(a:\n        return   -a\n") != key(FIXED)


def test_a_diff_splits_into_code_and_tests_by_file() -> None:
    diff = (
        "diff --git a/calc/ops.py b/calc/ops.py\n--- a/calc/ops.py\n+++ b/calc/ops.py\n@@ -1 +1 @@\n-x\n+y\n"
        "diff --git a/tests/test_ops.py b/tests/test_ops.py\n--- a/tests/test_ops.py\n+++ b/tests/test_ops.py\n"
        "@@ -1 +1 @@\n-a\n+b\n"
    )
    code, tests = split_diff(diff)
    assert code.startswith("diff --git a/calc/ops.py") and "tests/" not in code
    assert tests.startswith("diff --git a/tests/test_ops.py") and "calc/ops.py" not in tests


def scenario() -> Evidence:
    """c1 right; c2 breaks a test that passed; c3 passes the tester's test and fails c1's; c4 and c5 the same wrong
    change twice; c6 changes nothing; c7 does not apply."""
    candidates = [
        Candidate(id="c1", key="right", diff_lines=2),
        Candidate(id="c2", key="breaks", diff_lines=2),
        Candidate(id="c3", key="partial", diff_lines=2),
        Candidate(id="c4", key="wrong", diff_lines=2),
        Candidate(id="c5", key="wrong", diff_lines=2),
        Candidate(id="c6", key="", diff_lines=1),
        Candidate(id="c7", applied=False, problem="patch failed: calc/ops.py:3"),
    ]
    tester = {"t::test_neg": "passed"}
    return Evidence(
        candidates=candidates,
        test_sets={TESTER: ["t::test_neg"], "c1": ["t1::test_zero"]},
        regressions={"c2": ["tests/test_ops.py::test_add"]},
        outcomes={
            "c1": {TESTER: tester, "c1": {"t1::test_zero": "passed"}},
            "c2": {TESTER: tester, "c1": {"t1::test_zero": "passed"}},
            "c3": {TESTER: tester, "c1": {"t1::test_zero": "failed"}},
            "c4": {TESTER: {"t::test_neg": "failed"}, "c1": {"t1::test_zero": "failed"}},
        },
    )


def test_the_right_candidate_wins_and_every_elimination_is_explained() -> None:
    selection = select(scenario())
    assert selection.winner == "c1"
    assert selection.finalists == ["c1", "c3"]
    reasons = {verdict.id: (verdict.standing, verdict.reason) for verdict in selection.verdicts}
    assert [v.id for v in selection.verdicts] == ["c1", "c2", "c3", "c4", "c5", "c6", "c7"]
    assert reasons["c2"] == ("dropped", "breaks tests that passed before the job: tests/test_ops.py::test_add")
    assert reasons["c3"][0] == "runner-up" and reasons["c3"][1].startswith("fails c1's tests (t1::test_zero)")
    assert reasons["c4"][0] == "outvoted"
    assert reasons["c4"][1].startswith("fails the tester's reproduction tests (t::test_neg)")
    assert "2 votes" in reasons["c4"][1]
    same = "the same change as c4 once whitespace, comments and formatting are set aside"
    assert reasons["c5"] == ("duplicate", same)
    assert reasons["c6"] == ("dropped", "it changes no code once whitespace, comments and tests are set aside")
    assert reasons["c7"] == ("dropped", "its diff does not apply: patch failed: calc/ops.py:3")
    assert reasons["c1"][1] == "ranked first by the tests and votes: 2 of 2 test sets, 2 tests passed"
    assert selection.steps[0] == "7 candidates, 4 distinct changes"
    assert "merged c4, c5: one change, 2 votes" in selection.steps


def test_votes_decide_between_candidates_the_tests_cannot_tell_apart() -> None:
    evidence = Evidence(
        candidates=[Candidate(id="a", key="x"), Candidate(id="b", key="y"), Candidate(id="c", key="y")],
        test_sets={TESTER: ["t"]},
        outcomes={"a": {TESTER: {"t": "passed"}}, "b": {TESTER: {"t": "passed"}}},
    )
    selection = select(evidence)
    assert selection.winner == "b"
    assert selection.verdict("a").reason.startswith("passes as many tests as the winner and has fewer votes")


def tied() -> Evidence:
    return Evidence(
        candidates=[Candidate(id="a", key="x", diff_lines=6), Candidate(id="b", key="y", diff_lines=2)],
        test_sets={TESTER: ["t"]},
        outcomes={"a": {TESTER: {"t": "passed"}}, "b": {TESTER: {"t": "passed"}}},
    )


def test_the_reviewer_breaks_a_tie_between_the_finalists() -> None:
    asked: list[tuple[str, str]] = []

    def reviewer(first: str, second: str) -> Comparison:
        asked.append((first, second))
        return Comparison(preferred="a", reason="a also handles None")

    selection = select(tied(), reviewer)
    assert asked == [("a", "b")]
    assert selection.winner == "a"
    assert selection.comparison == Comparison(preferred="a", reason="a also handles None")
    assert selection.verdict("b").reason == "tied on tests and votes; the reviewer preferred a: a also handles None"


def test_a_tie_nobody_compares_goes_to_the_smaller_change() -> None:
    selection = select(tied())
    assert selection.winner == "b"
    assert selection.verdict("a").reason == "tied on tests and votes; b is smaller"


def test_the_reviewer_does_not_overturn_the_tests() -> None:
    evidence = tied()
    evidence.outcomes["a"][TESTER]["t"] = "failed"
    selection = select(evidence, lambda first, second: Comparison(preferred="a", reason="shorter"))
    assert selection.winner == "b"
    assert selection.comparison is not None and selection.comparison.preferred == "a"


def test_a_preference_for_neither_finalist_is_ignored() -> None:
    selection = select(tied(), lambda first, second: Comparison(preferred="zzz", reason="?"))
    assert selection.winner == "b" and selection.comparison is None


def test_when_every_candidate_breaks_a_test_the_fewest_breakages_stay() -> None:
    evidence = Evidence(
        candidates=[Candidate(id="a", key="x"), Candidate(id="b", key="y")],
        regressions={"a": ["t1", "t2"], "b": ["t1"]},
    )
    selection = select(evidence)
    assert selection.winner == "b"
    assert selection.verdict("a").reason == "breaks tests that passed before the job: t1, t2"
    assert "every candidate breaks at least 1 test(s)" in selection.steps[-3]


def test_no_candidate_left_means_no_winner() -> None:
    selection = select(Evidence(candidates=[Candidate(id="a", key="")]))
    assert selection.winner == "" and selection.finalists == []
    assert selection.steps[-1] == "no candidate is left"
