"""Test ids as the runners print them and SWE-bench lists them, and which results a selector names.

A selector is a test id, a class or function (pytest `file::Class`, which also names unittest and sympy tests
in that file), a file or directory, a dotted unittest label (`tests.test_x.TestA`), or a docstring line
unittest printed. SWE-bench cuts pytest ids at their first
space (`test_f[a b]` is listed as `test_f[a`): such a selector names the results whose id goes on after it with
whitespace. Its log parser also writes a parameter that begins with an absolute path as `/` and the path's last
part (`test_stdin[/mymodule.py]`, whatever the machine's folders): such a selector names the results whose
parameter shortens to it.
"""

from __future__ import annotations

import re

from tools.testing.report import SEVERITY, TestCase

_UNITTEST_ID = re.compile(r"^(?P<name>[^\s()]+) \((?P<where>[\w.]+)\)$")
_PARAMETERS = re.compile(r"^(?P<test>.*?)\[(?P<parameters>.*)\]$")


def unittest_id(name: str, where: str) -> str:
    """unittest's id `name (module.Class)`; Python 3.11+ prints `name (module.Class.name)`, read as the same."""
    return f"{name} ({where.removesuffix('.' + name)})"


def split_unittest_id(test_id: str) -> tuple[str, str] | None:
    """(name, module.Class) of a unittest id in either form, else None."""
    found = _UNITTEST_ID.match(test_id.strip())
    if found is None:
        return None
    name = found["name"]
    return name, found["where"].removesuffix("." + name)


def dotted(test_id: str) -> str:
    """`module.Class.name` for a unittest id; the id unchanged otherwise (it may be a label already)."""
    parts = split_unittest_id(test_id)
    return f"{parts[1]}.{parts[0]}" if parts else test_id.strip()


def path_parameters_shortened(test_id: str) -> str:
    """The id as SWE-bench lists it when its parameters begin with an absolute path: `/` and the last part."""
    found = _PARAMETERS.match(test_id)
    if found is None:
        return test_id
    parameters = found["parameters"]
    if not parameters.startswith("/") or parameters.startswith("//") or "*" in parameters:
        return test_id
    return f"{found['test']}[/{parameters.rsplit('/', 1)[-1]}]"


def pytest_file(selector: str) -> str:
    return selector.split("::", 1)[0]


def is_cut(selector: str) -> bool:
    """A pytest id SWE-bench cut at a space inside its parameters: more `[` than `]` after the file."""
    rest = selector.partition("::")[2]
    return bool(rest) and rest.count("[") > rest.count("]")


def uncut(selector: str) -> str:
    """The function a cut pytest id belongs to (`file::test_f[a` → `file::test_f`): what can be selected."""
    return selector[: selector.index("[", len(pytest_file(selector)))] if is_cut(selector) else selector


def _in_path(file: str, selector: str) -> bool:
    path = selector.rstrip("/")
    return bool(file) and (file == path or file.startswith(path + "/"))


def collection_key(case: TestCase) -> str:
    """What a collection error stands for: the file when the whole file or module failed, else the dotted label
    (a unittest class whose setUpClass failed, a label naming nothing inside its module)."""
    module = "." + case.file.removesuffix(".py").replace("/", ".")
    whole_file = bool(case.file) and (case.test_id == case.file or module.endswith("." + case.test_id))
    return case.file if whole_file else case.test_id


def _covers_collection_error(case: TestCase, selector: str) -> bool:
    """A file or module that failed to collect stands for every test selected inside it."""
    if not case.collection:
        return False
    key = collection_key(case)
    return pytest_file(selector) == key or dotted(selector).startswith(case.test_id + ".")


def _names_inside(case: TestCase, selector: str) -> bool:
    """A pytest-style `file::Class::test` selector (the form every runner accepts) against a unittest or sympy
    result from that file."""
    file, _, rest = selector.partition("::")
    return case.file == file and f".{rest.replace('::', '.')}." in f".{dotted(case.test_id)}."


def matches(case: TestCase, selector: str) -> bool:
    """Whether `selector` names this result."""
    selector = selector.strip()
    if not selector:
        return False
    test_id = case.test_id
    if selector in (test_id, case.description) or _covers_collection_error(case, selector):
        return True
    if "[/" in selector and path_parameters_shortened(test_id) == selector:
        return True
    if "::" in selector and case.file and "::" not in test_id:
        return _names_inside(case, selector)
    unittest_parts = split_unittest_id(test_id)
    if unittest_parts is not None:
        label = dotted(test_id)
        return dotted(selector) == label or label.startswith(selector + ".") or _in_path(case.file, selector)
    if "::" in selector:
        if test_id.startswith((selector + "::", selector + "[")):
            return True
        return test_id.startswith(selector) and len(test_id) > len(selector) and test_id[len(selector)].isspace()
    return test_id.startswith(selector.rstrip("/") + "/") or _in_path(case.file or pytest_file(test_id), selector)


def outcome_of(cases: list[TestCase], selector: str) -> str:
    """The worst outcome among the results `selector` names, or `missing` when it names none."""
    outcome = "missing"
    for case in cases:
        if matches(case, selector) and SEVERITY[case.outcome] > SEVERITY[outcome]:
            outcome = case.outcome
    return outcome


def selected(cases: list[TestCase], selectors: list[str]) -> list[TestCase]:
    return [case for case in cases if any(matches(case, selector) for selector in selectors)]
