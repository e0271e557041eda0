"""More localization data: gold files and functions read off a SWE-bench row's reference patch, and checkouts from
mirrors that lack some files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from benchmarks.localize import main as localize_main
from benchmarks.localize import materialize
from benchmarks.localize_gold import main
from core.errors import SweTeamError

ORIGINAL = """class Cart:
    def __init__(self):
        self.items = []

    def total(self):
        return sum(self.items)


def checkout(cart):
    total = cart.total()
    return total


LIMIT = 10
"""
PATCH = "\n".join(
    [
        "diff --git a/shop/cart.py b/shop/cart.py",
        "--- a/shop/cart.py",
        "+++ b/shop/cart.py",
        "@@ -4,7 +4,7 @@ class Cart:",
        " ",
        "     def total(self):",
        "-        return sum(self.items)",
        "+        return sum(price for price in self.items)",
        " ",
        " ",
        " def checkout(cart):",
        "@@ -10,6 +10,7 @@ def checkout(cart):",
        "     total = cart.total()",
        "+    assert total >= 0",
        "     return total",
        " ",
        " ",
        "-LIMIT = 10",
        "+LIMIT = 20",
        "diff --git a/docs/changes.rst b/docs/changes.rst",
        "--- a/docs/changes.rst",
        "+++ b/docs/changes.rst",
        "@@ -1 +1,2 @@",
        " Changes",
        "+- totals of carts",
        "diff --git a/shop/new.py b/shop/new.py",
        "--- /dev/null",
        "+++ b/shop/new.py",
        "@@ -0,0 +1 @@",
        "+NEW = 1",
        "",
    ]
)


def _mirror(tmp_path: Path) -> tuple[Path, str]:
    work = tmp_path / "work"
    (work / "shop").mkdir(parents=True)
    (work / "docs").mkdir()
    (work / "shop" / "cart.py").write_text(ORIGINAL)
    (work / "docs" / "changes.rst").write_text("Changes\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(work)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    mirrors = tmp_path / "mirrors"
    subprocess.run(["git", "clone", "-q", "--mirror", str(work), str(mirrors / "owner+shop" / "repo")], check=True)
    return mirrors, commit


def _rows(tmp_path: Path, instance_id: str, commit: str, patch: str) -> Path:
    row = {"instance_id": instance_id, "repo": "owner/shop", "base_commit": commit, "problem_statement": "x"}
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({**row, "patch": patch}) + "\n")
    return source


def test_the_functions_a_patch_changes_or_inserts_into_are_its_gold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirrors, commit = _mirror(tmp_path)
    monkeypatch.setenv("SWE_TEAM_MIRRORS", str(mirrors))
    source, target = _rows(tmp_path, "shop-1", commit, PATCH), tmp_path / "out.jsonl"
    assert main([str(source), str(target)]) == 0
    gold = json.loads(target.read_text())
    assert gold["gold_files"] == ["shop/cart.py", "docs/changes.rst"]
    assert gold["gold_functions"] == ["shop/cart.py:Cart.total", "shop/cart.py:checkout"]
    assert gold["problem_statement"] == "x"


def test_a_patch_that_does_not_fit_its_commit_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mirrors, commit = _mirror(tmp_path)
    monkeypatch.setenv("SWE_TEAM_MIRRORS", str(mirrors))
    patch = PATCH.replace("shop/cart.py", "shop/basket.py")
    source, target = _rows(tmp_path, "shop-2", commit, patch), tmp_path / "out.jsonl"
    assert main([str(source), str(target)]) == 2
    assert "shop-2: shop/basket.py is not in owner/shop" in capsys.readouterr().err
    assert not target.exists()


def test_a_mirror_that_lacks_a_large_file_still_gives_the_python_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirrors, commit = _mirror(tmp_path)
    mirror = mirrors / "owner+shop" / "repo"
    blob = subprocess.run(
        ["git", f"--git-dir={mirror}", "rev-parse", f"{commit}:docs/changes.rst"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (mirror / "objects" / blob[:2] / blob[2:]).unlink()
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    materialize("owner/shop", commit, checkout, mirrors)
    assert sorted(str(p.relative_to(checkout)) for p in checkout.rglob("*") if p.is_file()) == ["shop/cart.py"]
    assert "only the Python sources were materialized" in capsys.readouterr().err
    with pytest.raises(SweTeamError, match="git archive of owner/shop@0000000 failed"):
        materialize("owner/shop", "0000000", checkout, mirrors)


def test_a_missing_data_set_says_how_to_pass_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert localize_main(["--data", str(tmp_path / "absent.jsonl"), "--no-scale"]) == 2
    error = capsys.readouterr().err
    assert "absent.jsonl" in error and "LOCALIZE_ARGS='--data FILE'" in error
