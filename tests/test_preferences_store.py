"""Preference records ride on a lesson in either experience store and come out as `actionrl` and `dpo` rows."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.action_log import DEVELOPER, logged
from core.edit_actions import EditAction
from memory.experience.action_preferences import FILE_CHARS, make_preference
from memory.experience.preferences import export_action_preferences
from memory.experience.store import ExperienceStore
from tests.experience_fixtures import lesson, make_store
from tools.actions.edits import file_edits

BEFORE = "def price(items):\n    return min(items)\n"
TEAM = BEFORE.replace("min(items)", "min(items, default=0)")
PERSON = BEFORE.replace("min(items)", "min(items) if items else 0")


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ExperienceStore]:
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    opened = make_store(tmp_path, str(request.param), url)
    yield opened
    opened.close()


def search_replace(before: str, after: str) -> EditAction:
    arguments = {"path": "cart.py", "search": "    return min(items)", "replace": after.splitlines()[1]}
    return EditAction(tool="search_replace", arguments=arguments, edits=file_edits("cart.py", before, after))


def test_a_correction_and_an_accept_stored_with_the_lesson_export_as_one_pair(store: ExperienceStore) -> None:
    test_file = EditAction(tool="create_file", edits=file_edits("test_cart.py", "", "def test_empty(): ...\n"))
    team = logged([test_file, search_replace(BEFORE, TEAM)], 0, "coder")
    chosen = [*team[:1], *logged([search_replace(BEFORE, PERSON)], 1, DEVELOPER)]
    files = {"cart.py": BEFORE, "big.py": "x" * (FILE_CHARS + 5)}
    corrected = make_preference("patch", "correct", "empty cart", files, team, chosen, comment="no default")
    accepted = make_preference("patch", "accept", "empty cart", files, chosen, chosen)
    exp = lesson("github.com/acme/shop", "empty cart", action_preferences=[corrected, accepted])
    store.add(exp)
    assert store.get(exp.id) == exp
    assert corrected.files_cut == ["big.py"] and len(corrected.files_before["big.py"]) == FILE_CHARS

    out = io.StringIO()
    assert export_action_preferences(store.iter_all(), out, "actionrl") == (1, 1)
    row = json.loads(out.getvalue())
    assert row["divergence"] == 1 and [a["tool"] for a in row["prefix"]] == ["create_file"]
    assert "if items else 0" in row["chosen"] and "default=0" in row["rejected"]
    assert "Files before the change" in row["prompt"] and "return min(items)" in row["prompt"]
    assert (row["comment"], row["experience_id"]) == ("no default", exp.id)

    out = io.StringIO()
    assert export_action_preferences(store.iter_all(), out, "dpo") == (1, 1)
    row = json.loads(out.getvalue())
    assert row["chosen"].count("\n") == 2 and "if items else 0" in row["chosen"].splitlines()[1]
    assert "default=0" in row["rejected"].splitlines()[1]
