"""`ci diagnose --no-model` on build logs of every kind: real pytest, unittest, pip and docker build runs made here,
committed samples of Maven, Gradle/javac, npm/jest, tsc, go, cargo and a docker build running pip."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.settings import Settings
from swe_team.ci.pipeline import RepositoryView, diagnose
from swe_team.ci.regress import load_cases, score
from swe_team.cli import app
from tests.docker_fixtures import docker_client
from tests.workspace_fixtures import make_repo

SAMPLES = Path(__file__).parent / "fixtures" / "ci_logs"
CART = {
    "pkg/__init__.py": "",
    "pkg/cart.py": "def total(items):\n    return sum(i['price'] for i in items) / len(items)\n\n\n"
    "def checkout(items):\n    return {'total': total(items)}\n",
    "pkg/labels.py": "def label(name):\n    return name.title()\n",
    "tests/__init__.py": "",
    "tests/test_cart.py": "import unittest\n\nfrom pkg.cart import checkout\n\n\n"
    "class CartTest(unittest.TestCase):\n    def test_empty_cart(self):\n"
    "        self.assertEqual(checkout([])['total'], 0)\n\n    def test_one(self):\n"
    "        self.assertEqual(checkout([{'price': 2}])['total'], 2)\n",
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


@pytest.fixture
def cart_repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path, CART)


def _run(command: list[str], cwd: Path) -> str:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode != 0, "the run was meant to fail"
    return done.stdout + done.stderr


@pytest.mark.parametrize("case", [case.name for case in load_cases(SAMPLES)])
def test_committed_sample_logs_give_kind_failing_step_and_the_faulty_file_first(case: str, settings: Settings) -> None:
    chosen = next(c for c in load_cases(SAMPLES) if c.name == case)
    diagnosis = diagnose(chosen.log.read_text(), RepositoryView(chosen.repo, settings), settings, use_model=False)
    result = score(chosen, diagnosis)
    assert result.checks == dict.fromkeys(result.checks, True), (diagnosis.kind, diagnosis.failing_step, result)
    assert diagnosis.error_line and diagnosis.model is None


def test_a_real_pytest_failure_points_at_the_function_that_raised(cart_repo: Path, settings: Settings) -> None:
    log = _run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests"], cart_repo)
    diagnosis = diagnose(log, RepositoryView(cart_repo, settings), settings, use_model=False)
    assert diagnosis.kind == "pytest"
    assert diagnosis.failed_tests == ["tests/test_cart.py::CartTest::test_empty_cart"]
    assert "ZeroDivisionError" in diagnosis.error_line
    assert diagnosis.files[0].path == "pkg/cart.py"
    assert diagnosis.files[0].functions[0].startswith("total")
    assert diagnosis.confidence >= 0.85 and not diagnosis.needs_person


def test_a_real_unittest_failure_is_read_from_its_traceback(cart_repo: Path, settings: Settings) -> None:
    log = _run([sys.executable, "-m", "unittest", "tests.test_cart"], cart_repo)
    diagnosis = diagnose(log, RepositoryView(cart_repo, settings), settings, use_model=False)
    assert diagnosis.kind == "unittest"
    assert diagnosis.failed_tests == ["tests.test_cart.CartTest.test_empty_cart"]
    assert [f.path for f in diagnosis.files[:2]] == ["pkg/cart.py", "tests/test_cart.py"]


def _wheel(folder: Path, name: str, version: str, requires: tuple[str, ...] = ()) -> None:
    info = f"{name}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(folder / f"{name}-{version}-py3-none-any.whl", "w") as wheel:
        wheel.writestr(f"{name}/__init__.py", "")
        wheel.writestr(f"{info}/METADATA", metadata)
        wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: t\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{info}/RECORD", "")


def test_a_real_pip_resolver_conflict_is_named(tmp_path: Path, settings: Settings) -> None:
    _wheel(tmp_path, "alpha", "1.0", ("beta==1.0",))
    _wheel(tmp_path, "beta", "1.0")
    _wheel(tmp_path, "beta", "2.0")
    pip = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--disable-pip-version-check"]
    log = _run([*pip, "--find-links", str(tmp_path), "alpha==1.0", "beta==2.0"], tmp_path)
    diagnosis = diagnose(log, RepositoryView(None, settings), settings, use_model=False)
    assert diagnosis.kind == "pip"
    assert "conflicting dependencies" in diagnosis.error_line
    assert "alpha 1.0 depends on beta==1.0" in diagnosis.tail


def test_a_real_docker_build_failure_names_its_step(settings: Settings) -> None:
    client = docker_client()
    dockerfile = "FROM scratch\nENV STAGE=copy\nCOPY requirements-missing.txt /app/\n"
    lines = []
    for chunk in client.api.build(fileobj=io.BytesIO(dockerfile.encode()), rm=True, decode=True):
        lines.append(chunk.get("stream", "") or chunk.get("error", ""))
    diagnosis = diagnose("".join(lines), RepositoryView(None, settings), settings, use_model=False)
    assert diagnosis.kind == "docker"
    assert diagnosis.failing_step == "COPY requirements-missing.txt /app/"
    assert "requirements-missing.txt" in diagnosis.error_line


def test_repeated_lines_are_folded_into_one_template(settings: Settings) -> None:
    progress = [f"Downloading chunk {n} of 400 ({n * 3} kB)" for n in range(400)]
    log = "\n".join(["$ make fetch", *progress, "error: checksum mismatch for archive.tar"])
    diagnosis = diagnose(log, RepositoryView(None, settings), settings, use_model=False)
    assert diagnosis.tail.count("Downloading") == 1
    assert "[×400] Downloading chunk <*> of 400" in diagnosis.tail
    assert diagnosis.repeated[0][1] == 400
    assert diagnosis.failing_step == "make fetch"
    assert diagnosis.error_line == "error: checksum mismatch for archive.tar"


def test_the_command_reads_standard_input_and_prints_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWE_TEAM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SWE_TEAM_USER_CONFIG", str(tmp_path / "none.toml"))
    log = (SAMPLES / "tsc" / "log.txt").read_text()
    result = CliRunner().invoke(
        app, ["ci", "diagnose", "--log", "-", "--repo", str(SAMPLES / "shop"), "--no-model", "--json"], input=log
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["kind"], data["files"][0]["path"], data["model"]) == ("tsc", "web/src/price.ts", None)
    assert data["confidence"] == 0.9 and data["needs_person"] is False


def test_a_missing_or_empty_log_is_one_line_error(tmp_path: Path) -> None:
    missing = CliRunner().invoke(app, ["ci", "diagnose", "--log", str(tmp_path / "nope.log"), "--no-model"])
    assert missing.exit_code == 1 and "does not exist" in missing.output and "Traceback" not in missing.output
    (tmp_path / "empty.log").write_text("\n\n")
    empty = CliRunner().invoke(app, ["ci", "diagnose", "--log", str(tmp_path / "empty.log"), "--no-model"])
    assert empty.exit_code == 1 and "the log is empty" in empty.output


def test_regress_prints_accuracy_and_fails_under_the_bar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWE_TEAM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SWE_TEAM_USER_CONFIG", str(tmp_path / "none.toml"))
    every = CliRunner().invoke(app, ["ci", "regress", "--cases", str(SAMPLES), "--no-model", "--json"])
    assert every.exit_code == 0, every.output
    accuracy = json.loads(every.stdout)["accuracy"]
    assert {metric: value["accuracy"] for metric, value in accuracy.items()} == dict.fromkeys(
        ("kind", "failing_step", "top1", "top3"), 1.0
    )
    cases = tmp_path / "cases"
    for name, expected_file in (("right", "web/src/price.ts"), ("wrong", "rust/src/lib.rs")):
        (cases / name).mkdir(parents=True)
        (cases / name / "build.log").write_text((SAMPLES / "tsc" / "log.txt").read_text())
        expected = {"repo": str(SAMPLES / "shop"), "files": [expected_file]}
        (cases / name / "expected.json").write_text(json.dumps(expected))
    half = CliRunner().invoke(app, ["ci", "regress", "--cases", str(cases), "--no-model", "--fail-under", "0.8"])
    assert half.exit_code == 4
    assert "1/2" in half.stdout and "top-3 accuracy 0.50 is under --fail-under 0.80" in half.stderr
