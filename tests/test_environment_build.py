"""Environments built for small repositories in real Docker, offline: the interpreter the code can run on, its
dependencies as of its commit, the project importable (and editable) from /workspace, C extensions compiled,
failures that name their step, and the warm path reused without any network."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from core.errors import WorkspaceError
from core.settings import Settings
from core.state import TeamState
from graphs.report import render
from tests.docker_fixtures import docker_client
from tests.environment_fixtures import (
    OLD_PACKAGE,
    WHEEL_ONLY_PACKAGE,
    dated_repo,
    era_index,
    extension_package,
    offline_settings,
)
from workspaces.docker import DockerWorkspace

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@contextmanager
def workspace(repo: Path, settings: Settings, job_dir: Path) -> Iterator[DockerWorkspace]:
    docker_client()
    created = DockerWorkspace.create(
        job_id=f"envtest-{uuid.uuid4().hex[:8]}", repo_path=repo, base_commit="HEAD", job_dir=job_dir,
        settings=settings,
    )
    try:
        yield created
    finally:
        created.close()


def _python(workspace: DockerWorkspace, code: str, cwd: str = ".") -> str:
    result = workspace.exec(f"python -c '{code}'", cwd=cwd, timeout=60)
    assert result.ok, result.observation()
    return result.stdout.strip()


def test_a_2019_package_runs_on_python_3_9_with_the_dependency_of_its_era_and_is_reused_offline(
    tmp_path: Path,
) -> None:
    repo = dated_repo(tmp_path, OLD_PACKAGE, "2019-05-01T12:00:00+00:00")
    with era_index(tmp_path) as index:
        settings = offline_settings(tmp_path / "home", index.url, build_tools="always")
        with workspace(repo, settings, tmp_path / "job") as ws:
            version = _python(ws, "import sys; print(sys.version_info[:2])")
            described = _python(ws, "import oldpkg; print(oldpkg.describe())", cwd="oldpkg")
            recorded = ws.info.details["environment"]
    assert version == "(3, 9)"
    assert described == "eradep 1.0", "the unpinned dependency must resolve to the release of the commit's day"
    assert recorded["as_of"] == "2019-05-01" and recorded["pins"] == ["eradep==1.0"]
    assert any("2.7, 3.6" in reason for reason in recorded["python_reasons"])
    assert recorded["build_layer"] == ['[environment] build_tools = "always"']
    saved = json.loads((tmp_path / "job" / "environment.json").read_text())
    assert saved["status"] == "complete" and "eradep  (setup.py)" in saved["requirements"]

    started = time.monotonic()
    with workspace(repo, settings, tmp_path / "warm") as warm:
        assert warm.info.details["image"] == recorded["image"]
        assert _python(warm, "import eradep; print(eradep.VERSION)") == "1.0"
    assert time.monotonic() - started < 15.0, "a warm environment needs neither the index nor a build"


def test_a_src_layout_c_extension_is_compiled_and_edits_in_the_workspace_are_what_imports(tmp_path: Path) -> None:
    repo = dated_repo(tmp_path, extension_package(), "2021-03-01T12:00:00+00:00")
    generate = "echo 'ORIGIN = \"pre-install\"' > src/fastmath/generated.py"
    with era_index(tmp_path) as index, workspace(
        repo, offline_settings(tmp_path / "home", index.url, pre_install=[generate]), tmp_path / "job"
    ) as ws:
        before = _python(ws, "import fastmath; print(fastmath.twice(21), fastmath.LABEL)", cwd="src")
        generated = _python(ws, "import fastmath.generated as g; print(g.ORIGIN)")
        ws.write_file("src/fastmath/__init__.py", 'from fastmath._speed import twice\n\nLABEL = "edited"\n')
        after = _python(ws, "import fastmath; print(fastmath.LABEL)")
        diff = ws.diff()
        recorded = ws.info.details["environment"]
    assert before == "42 original" and generated == "pre-install"
    assert after == "edited", "the project must import from /workspace, not from a copy"
    assert ".so" not in diff and "LABEL" in diff, "the compiled extension is part of the base, not of the change"
    assert recorded["python"] == "3.9" and "setup.py builds extension modules" in recorded["build_layer"]


def test_a_failing_step_stops_the_workspace_with_the_compilers_words_or_is_said_when_partial_is_allowed(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    repo = dated_repo(tmp_path, extension_package(broken=True), "2021-03-01T12:00:00+00:00")
    with era_index(tmp_path) as index:
        settings = offline_settings(tmp_path / "home", index.url)
        with pytest.raises(WorkspaceError) as raised, workspace(repo, settings, tmp_path / "job"):
            pass
        settings.docker.allow_partial_env = True
        with workspace(repo, settings, tmp_path / "partial") as ws:
            recorded = ws.info.details["environment"]
            report = render(TeamState(job_id="j", task="t", workspace=ws.info.to_dict()), "unresolved", [], {})
    message = raised.value.user_message()
    assert "environment step 'install the project (editable)' failed" in message
    assert "_speed.c" in message and "error: expected" in message and "allow_partial_env" in message
    assert recorded["status"] == "partial"
    assert "WARNING: the environment is PARTIAL" in capfd.readouterr().err
    assert "## Environment" in report and "- Status: PARTIAL" in report
    assert "- FAILED: environment step 'install the project (editable)' failed: src/fastmath/_speed.c" in report


def test_a_project_whose_backend_cannot_install_editable_still_imports_from_the_workspace(tmp_path: Path) -> None:
    repo = dated_repo(tmp_path, WHEEL_ONLY_PACKAGE, "2024-06-01T12:00:00+00:00")
    with era_index(tmp_path) as index, workspace(
        repo, offline_settings(tmp_path / "home", index.url), tmp_path / "job"
    ) as ws:
        ws.write_file("plainback/__init__.py", 'LABEL = "edited"\n')
        outside = ws.exec("cd /tmp && python -c 'import importlib.metadata as m, plainback; "
                          "print(plainback.__file__, plainback.LABEL, m.version(\"plainback\"))'", timeout=60)
        recorded = ws.info.details["environment"]
    assert outside.stdout.strip() == "/workspace/plainback/__init__.py edited 1.0", outside.observation()
    assert recorded["status"] == "complete"
    assert any("cannot install editable (no PEP 660 hook)" in note for note in recorded["notes"])
