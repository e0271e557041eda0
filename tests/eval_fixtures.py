"""Three SWE-bench-format instances on tiny repositories built here (offline): each has a base commit, a test
patch whose new tests fail there, and a reference fix. The repositories sit in a `--repos` folder in the three
layouts the eval recognises: a bare mirror `owner+name/repo`, a clone `owner__name`, a clone `name`."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

IDENTITY = ("-c", "user.name=dev", "-c", "user.email=dev@example.com")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *IDENTITY, *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@dataclass(frozen=True)
class FixtureInstance:
    instance_id: str
    repo: str
    layout: str
    base: dict[str, str]
    tests: dict[str, str]
    fix: dict[str, str]
    fail_to_pass: list[str]
    pass_to_pass: list[str]


CALC = FixtureInstance(
    "acme__calc-1", "acme/calc", "{owner}+{name}/repo",
    base={
        "calc.py": "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n",
        "tests/test_calc.py": "from calc import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n",
        "tests/__init__.py": "",
    },
    tests={
        "tests/test_calc.py": "from calc import add, mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n\n\n"
        "def test_add():\n    assert add(2, 3) == 5\n",
    },
    fix={"calc.py": "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n"},
    fail_to_pass=["tests/test_calc.py::test_add"],
    pass_to_pass=["tests/test_calc.py::test_mul"],
)
WORDS = FixtureInstance(
    "acme__words-2", "acme/words", "{owner}__{name}",
    base={
        "words.py": "def shout(text):\n    return text\n\n\ndef whisper(text):\n    return text\n",
        "tests/test_words.py": "import words\n\n\ndef test_module():\n    assert words.shout\n",
        "tests/__init__.py": "",
    },
    tests={
        "tests/test_words.py": "import pytest\n\nimport words\n\n\ndef test_module():\n    assert words.shout\n\n\n"
        "@pytest.mark.parametrize('text, loud', [('hello world', 'HELLO WORLD!')])\n"
        "def test_shout(text, loud):\n    assert words.shout(text) == loud\n\n\n"
        "def test_whisper():\n    assert words.whisper('Hi') == 'hi'\n",
    },
    fix={
        "words.py": "def shout(text):\n    return text.upper() + '!'\n\n\ndef whisper(text):\n    return text.lower()\n"
    },
    fail_to_pass=["tests/test_words.py::test_shout[hello", "tests/test_words.py::test_whisper"],
    pass_to_pass=["tests/test_words.py::test_module"],
)
DATES = FixtureInstance(
    "acme__dates-3", "acme/dates", "{name}",
    base={"dates.py": "def is_leap(year):\n    return year % 4 == 0\n", "tests/__init__.py": ""},
    tests={
        "tests/test_leap.py": "from dates import is_leap\n\n\ndef test_century():\n    assert not is_leap(1900)\n\n\n"
        "def test_four_hundred():\n    assert is_leap(2000)\n",
    },
    fix={"dates.py": "def is_leap(year):\n    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)\n"},
    fail_to_pass=["tests/test_leap.py::test_century"],
    pass_to_pass=["tests/test_leap.py::test_four_hundred"],
)
INSTANCES = (CALC, WORDS, DATES)


def _write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")


def diff_of(repo: Path, files: dict[str, str]) -> str:
    """The git diff that turns the base commit into the base plus `files`; the repository is left at the base."""
    _write(repo, files)
    _git(repo, "add", "-A")
    patch = _git(repo, "diff", "--cached", "HEAD")
    _git(repo, "reset", "-q", "--hard", "HEAD")
    return patch


def build(where: Path) -> tuple[Path, Path]:
    """(dataset file, repos folder) for the three instances."""
    repos = where / "repos"
    records = []
    for fixture in INSTANCES:
        owner, name = fixture.repo.split("/")
        work = where / "work" / name
        work.mkdir(parents=True)
        _git(work, "init", "-q", "-b", "main")
        _write(work, fixture.base)
        _git(work, "add", "-A")
        _git(work, "commit", "-qm", "base")
        base_commit = _git(work, "rev-parse", "HEAD").strip()
        test_patch, patch = diff_of(work, fixture.tests), diff_of(work, fixture.fix)
        _git(work, "commit", "-q", "--allow-empty", "-m", "later work the instance must not see")
        target = repos / fixture.layout.format(owner=owner, name=name)
        target.parent.mkdir(parents=True, exist_ok=True)
        mirror = ["--mirror"] if target.name == "repo" else []
        _git(where, "clone", "-q", *mirror, str(work), str(target))
        records.append({
            "instance_id": fixture.instance_id, "repo": fixture.repo, "base_commit": base_commit,
            "problem_statement": f"{name} is wrong", "version": "1.0", "created_at": "2024-01-01T00:00:00Z",
            "patch": patch, "test_patch": test_patch,
            "FAIL_TO_PASS": json.dumps(fixture.fail_to_pass), "PASS_TO_PASS": json.dumps(fixture.pass_to_pass),
        })
    dataset = where / "dataset.jsonl"
    dataset.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return dataset, repos
