"""Reading lessons: `memory ls` has a header and a distinct one-line title per lesson, `memory show` is Markdown,
and lessons stored before titles existed still load and show — on SQLite and on a real Redis."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pytest
import redis
from typer.testing import CliRunner

from memory.experience import Experience, HumanDecision, open_store
from swe_team.cli import app
from tests.experience_fixtures import lesson, settings_for

SHOP = "github.com/acme/shop"
TASK = (
    "Checkout crashes when the cart is empty\n\nCalling `checkout()` on a cart with no items raises instead of "
    "returning an order with a zero total."
)
DIFF = "\n".join(
    ["--- a/shop/cart.py", "+++ b/shop/cart.py", "@@ -37,2 +37,2 @@", "-        return min(p)", "+        return 0"]
)


@pytest.fixture(params=["sqlite", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def env(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    values = {
        "SWE_TEAM_HOME": str(tmp_path / "home"),
        "SWE_TEAM_MEMORY": backend,
        "SWE_TEAM_USER_CONFIG": str(tmp_path / "no-user-config.toml"),
    }
    if backend == "redis":
        values["SWE_TEAM_REDIS_URL"] = request.getfixturevalue("redis_url")
        values["SWE_TEAM_MEMORY_KEY_PREFIX"] = f"reading:{uuid.uuid4().hex}"
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return values


def store_lessons(env: dict[str, str], *lessons: Experience) -> None:
    settings = settings_for(Path(env["SWE_TEAM_HOME"]), env["SWE_TEAM_MEMORY"], env.get("SWE_TEAM_REDIS_URL", ""))
    store = open_store(settings, key_prefix=env.get("SWE_TEAM_MEMORY_KEY_PREFIX"))
    for exp in lessons:
        store.add(exp)
    store.close()


def store_as_written_before_titles(env: dict[str, str], exp: Experience) -> None:
    """Replace the stored record of `exp` by the JSON an earlier swe-team wrote: no title, advice or reasons."""
    old = json.dumps(exp.model_dump(mode="json", exclude={"title", "advice", "reasons"}))
    if env["SWE_TEAM_MEMORY"] == "redis":
        client = redis.Redis.from_url(env["SWE_TEAM_REDIS_URL"])
        client.hset(f"{env['SWE_TEAM_MEMORY_KEY_PREFIX']}:exp:{exp.id}", "doc", old)
        client.close()
        return
    with sqlite3.connect(Path(env["SWE_TEAM_HOME"]) / "experience.sqlite") as db:
        db.execute("UPDATE experiences SET doc = ? WHERE id = ?", (old, exp.id))


def memory(*args: str) -> str:
    result = CliRunner().invoke(app, ["memory", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def three_endings_of_one_task() -> list[Experience]:
    fixed = lesson(
        SHOP,
        TASK,
        changed_files=["shop/cart.py"],
        localized_symbols=["Cart.cheapest_price"],
        change_summary="Cart.cheapest_price returns 0 for an empty cart.",
        test_outcome="passed: 14 passed",
        decisions=[
            HumanDecision(gate="plan", action="retry", comment="keep the public API of Cart", proposal="{}"),
            HumanDecision(gate="patch", action="approve", proposal=DIFF),
        ],
    )
    tried = lesson(
        SHOP,
        TASK,
        status="unresolved",
        days_ago=1,
        changed_files=["shop/checkout.py"],
        change_summary="checkout() returns early for an empty cart.",
        test_outcome="failed: 1 failed, 13 passed",
        reasons=["the tests still fail after 3 coder iteration(s)"],
    )
    refused = lesson(
        SHOP,
        TASK,
        status="rejected",
        days_ago=2,
        decisions=[
            HumanDecision(
                gate="plan", action="reject", comment="too big", proposal='{"summary": "rewrite the pricing module"}'
            )
        ],
        reasons=["rejected at the plan gate: too big"],
    )
    return [fixed, tried, refused]


def test_ls_has_a_header_and_one_distinct_title_per_lesson(env: dict[str, str]) -> None:
    fixed, tried, refused = three_endings_of_one_task()
    store_lessons(env, fixed, tried, refused)
    lines = memory("ls").splitlines()
    assert lines[0].split()[:2] == ["id", "finished"] and lines[0].rstrip().endswith("title")
    rows = lines[1:]
    assert [row.split()[0] for row in rows] == [fixed.id, tried.id, refused.id], "whole ids, newest first"
    titles = [row.split("  ")[-1].strip() for row in rows]
    assert titles == [
        "Checkout crashes when the cart is empty — fixed in shop/cart.py, approved",
        "Checkout crashes when the cart is empty — tried shop/checkout.py, tests still fail",
        "Checkout crashes when the cart is empty — rejected at the plan gate: too big",
    ]


def test_show_is_markdown_with_the_advice_and_fenced_evidence(env: dict[str, str]) -> None:
    fixed, _, refused = three_endings_of_one_task()
    store_lessons(env, fixed, refused)
    text = memory("show", fixed.id)
    assert text.startswith("# Checkout crashes when the cart is empty — fixed in shop/cart.py, approved\n")
    assert (
        "Do: Cart.cheapest_price returns 0 for an empty cart (in shop/cart.py); fault near Cart.cheapest_price" in text
    )
    assert "human said: keep the public API of Cart" in text
    assert "### plan gate: sent back with a comment" in text and "> keep the public API of Cart" in text
    assert "```diff\n" + DIFF + "\n```" in text, "a diff is shown as a diff, not as an escaped string"
    assert "\\n" not in text and "{'" not in text
    avoid = memory("show", refused.id)
    assert "Avoid: the plan 'rewrite the pricing module' — a human rejected it at the plan gate: too big" in avoid
    assert json.loads(memory("show", fixed.id, "--json")) == fixed.model_dump(mode="json")


def test_lessons_stored_before_titles_still_load_and_show(env: dict[str, str]) -> None:
    fixed, tried, _ = three_endings_of_one_task()
    store_lessons(env, fixed, tried)
    store_as_written_before_titles(env, tried)
    rows = memory("ls").splitlines()[1:]
    assert rows[1].startswith(tried.id)
    assert rows[1].endswith("Checkout crashes when the cart is empty — tried shop/checkout.py, tests failed")
    shown = memory("show", tried.id)
    assert shown.startswith("# Checkout crashes when the cart is empty — tried shop/checkout.py, tests failed\n")
    assert "Avoid: checkout() returns early for an empty cart (in shop/checkout.py) — tests failed" in shown
    raw = json.loads(memory("show", tried.id, "--json"))
    assert raw["title"] == "" and raw["task"] == TASK


def test_empty_memory_says_so_and_how_lessons_come(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["memory", "ls"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no lessons stored yet: every finished job leaves one" in result.stderr
