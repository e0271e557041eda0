"""Reading Django's and sympy's test output per test, and matching SWE-bench's test ids to the results."""

from __future__ import annotations

from tools.testing.ids import matches, outcome_of
from tools.testing.pytest_runner import parse_pytest_summary
from tools.testing.report import TestCase
from tools.testing.sympy_runner import parse_sympy_output
from tools.testing.unittest_output import parse_unittest_output

DJANGO_OUTPUT = """\
Testing against Django installed in '/workspace/django' with up to 1 processes
Creating test database for alias 'default'...
System check identified no issues (0 silenced).
test_add_lookup (lookup.tests.LookupTests) ... ok
test_count (lookup.tests.LookupTests.test_count) ... FAIL
test_escaping (lookup.tests.LookupTests)
Regression test for #10153: escaping in lookups. ... ok
test_in_bulk (lookup.tests.LookupTests) ... skipped "Database doesn't support feature(s): can_distinct_on_fields"
test_known_bug (lookup.tests.LookupTests) ... expected failure
test_noisy (lookup.tests.LookupTests) ... printed by the test
ok
setUpClass (lookup.tests.BrokenSetupTests) ... ERROR
lookup.test_gone (unittest.loader._FailedTest) ... ERROR

======================================================================
ERROR: setUpClass (lookup.tests.BrokenSetupTests)
----------------------------------------------------------------------
Traceback (most recent call last):
RuntimeError: no database

======================================================================
FAIL: test_count (lookup.tests.LookupTests.test_count)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/workspace/tests/lookup/tests.py", line 40, in test_count
    self.assertEqual(Article.objects.count(), 7)
AssertionError: 6 != 7

----------------------------------------------------------------------
Ran 7 tests in 0.321s

FAILED (failures=1, errors=2, skipped=1, expected failures=1)
Destroying test database for alias 'default'...
"""

SYMPY_OUTPUT = """\
============================= test process starts ==============================
executable:         /usr/bin/python3  (3.9.2-final-0) [CPython]
random seed:        41386452

sympy/core/tests/test_broken.py[?]   Failed to import                    [FAIL]
sympy/core/tests/test_sympify.py[5]
test_issue_3538                                                           ok
test_sympify_numpy numpy not installed. s
test_issue_16772 f
test_sympify_keywords F
test_lambda E                                                           [FAIL]


________________________________________________________________________________
 /workspace/sympy/core/tests/test_broken.py
Traceback (most recent call last):
ModuleNotFoundError: No module named 'not_a_module'
________________________________________________________________________________
_________ sympy/core/tests/test_sympify.py:test_lambda _________
Traceback (most recent call last):
NameError: name 'x' is not defined

________________________________________________________________________________
_________ sympy/core/tests/test_sympify.py::test_sympify_keywords __________
AssertionError: keywords are not passed on

 tests finished: 1 passed, 1 failed, 1 skipped, 1 expected to fail,
2 exceptions, in 0.41 seconds
DO *NOT* COMMIT!
"""


def by_id(cases: list[TestCase]) -> dict[str, str]:
    return {case.test_id: case.outcome for case in cases}


def test_django_verbose_output_gives_each_test_under_swebench_ids_with_its_failure() -> None:
    cases = parse_unittest_output(DJANGO_OUTPUT)
    assert by_id(cases) == {
        "test_add_lookup (lookup.tests.LookupTests)": "passed",
        "test_count (lookup.tests.LookupTests)": "failed",
        "test_escaping (lookup.tests.LookupTests)": "passed",
        "test_in_bulk (lookup.tests.LookupTests)": "skipped",
        "test_known_bug (lookup.tests.LookupTests)": "skipped",
        "test_noisy (lookup.tests.LookupTests)": "passed",
        "lookup.tests.BrokenSetupTests": "error",
        "lookup.test_gone": "error",
    }
    count = next(case for case in cases if case.test_id.startswith("test_count"))
    assert "AssertionError: 6 != 7" in count.message
    assert [case.test_id for case in cases if case.collection] == ["lookup.tests.BrokenSetupTests", "lookup.test_gone"]
    assert "no database" in next(case.message for case in cases if case.test_id == "lookup.tests.BrokenSetupTests")
    swebench_ids = {
        "test_count (lookup.tests.LookupTests)": "failed",
        "Regression test for #10153: escaping in lookups.": "passed",
        "test_in_bulk (lookup.tests.LookupTests.test_in_bulk)": "skipped",
        "test_setup (lookup.tests.BrokenSetupTests)": "error",
        "test_x (lookup.test_gone.GoneTests)": "error",
        "test_never_ran (lookup.tests.LookupTests)": "missing",
    }
    assert {test_id: outcome_of(cases, test_id) for test_id in swebench_ids} == swebench_ids


def test_sympy_verbose_output_gives_bare_test_names_and_import_failures() -> None:
    cases = parse_sympy_output(SYMPY_OUTPUT)
    assert by_id(cases) == {
        "sympy/core/tests/test_broken.py": "error",
        "test_issue_3538": "passed",
        "test_sympify_numpy": "skipped",
        "test_issue_16772": "skipped",
        "test_sympify_keywords": "failed",
        "test_lambda": "error",
    }
    messages = {case.test_id: case.message for case in cases}
    assert "No module named 'not_a_module'" in messages["sympy/core/tests/test_broken.py"]
    assert "name 'x' is not defined" in messages["test_lambda"]
    assert "keywords are not passed on" in messages["test_sympify_keywords"]
    assert {case.file for case in cases} == {"sympy/core/tests/test_broken.py", "sympy/core/tests/test_sympify.py"}
    assert outcome_of(cases, "sympy/core/tests/test_sympify.py") == "error"
    assert outcome_of(cases, "sympy/core/tests/test_sympify.py::test_issue_3538") == "passed"
    assert outcome_of(cases, "sympy/core/tests/test_other.py::test_issue_3538") == "missing"


def test_an_id_swebench_cut_at_a_space_names_only_the_results_it_begins() -> None:
    full = TestCase("testing/test_assertrewrite.py::test_get_assertion_exprs[assert x = 1]", "failed")
    longer_word = TestCase("testing/test_assertrewrite.py::test_get_assertion_exprs[assertion]", "passed")
    cut = "testing/test_assertrewrite.py::test_get_assertion_exprs[assert"
    assert matches(full, cut) and not matches(longer_word, cut)
    assert outcome_of([full, longer_word], cut) == "failed"
    assert outcome_of([full, longer_word], "testing/test_assertrewrite.py::test_get_assertion_exprs") == "failed"
    assert outcome_of([longer_word], "testing/test_assertrewrite.py") == "passed"
    assert outcome_of([full], "[100%]") == "missing"


def test_an_id_whose_path_parameter_swebench_shortened_names_the_result_with_the_full_path() -> None:
    absolute = TestCase(
        "tests/test_self.py::TestRunTC::test_stdin[/workspace/tests/mymodule.py-mymodule-/workspace/tests/mymodule.py]",
        "passed",
    )
    relative = TestCase("tests/test_self.py::TestRunTC::test_stdin[mymodule.py-mymodule-mymodule.py]", "failed")
    assert outcome_of([absolute, relative], "tests/test_self.py::TestRunTC::test_stdin[/mymodule.py]") == "passed"
    assert outcome_of([relative], "tests/test_self.py::TestRunTC::test_stdin[/mymodule.py]") == "missing"


def test_a_file_that_failed_to_collect_stands_for_every_test_named_in_it() -> None:
    broken = parse_pytest_summary("ERROR tests/test_views.py - ImportError: cannot import name 'render'\n")
    assert by_id(broken) == {"tests/test_views.py": "error"} and broken[0].collection
    assert outcome_of(broken, "tests/test_views.py::TestIndex::test_empty") == "error"
    assert outcome_of(broken, "tests/test_models.py::test_save") == "missing"
