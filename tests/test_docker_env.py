"""Per-repository dependencies: resolved on the host, installed without network, cached as an image layer."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import WorkspaceError
from core.settings import DockerSettings, Settings
from harness.package_index import pure_wheel
from tests.docker_fixtures import docker_client, workspace_image
from tests.workspace_fixtures import git, make_repo
from workspaces.docker import DockerWorkspace
from workspaces.docker_env import ensure_environment


def test_dependencies_install_offline_and_the_layer_is_reused(tmp_path: Path) -> None:
    workspace_image()
    index = tmp_path / "index"
    pure_wheel(index, "tinydep", "1.0", {"tinydep/__init__.py": "ANSWER = 42\n"})
    repo = make_repo(tmp_path, {"requirements.txt": b"tinydep==1.0\n", "main.py": b"import tinydep\n"})
    settings = Settings(
        home=tmp_path / "home",
        docker=DockerSettings(pip_download_args=["--no-index", "--find-links", str(index)], test_tools=[]),
    )
    job = f"env-{tmp_path.name[-8:]}"
    workspace = DockerWorkspace.create(
        job_id=job, repo_path=repo, base_commit="HEAD", job_dir=tmp_path / "j", settings=settings
    )
    try:
        result = workspace.exec("python -c 'import tinydep; print(tinydep.ANSWER)'")
        image = workspace.info.details["image"]
    finally:
        workspace.close()
    assert result.stdout.strip() == "42"
    commit = git(repo, "rev-parse", "HEAD").strip()
    assert ensure_environment(docker_client(), repo, commit, settings).image == image


def test_unresolvable_dependency_is_reported_with_the_resolvers_error(tmp_path: Path) -> None:
    workspace_image()
    repo = make_repo(tmp_path, {"requirements.txt": b"no-such-package-xyz==9.9\n"})
    settings = Settings(
        home=tmp_path / "home",
        docker=DockerSettings(pip_download_args=["--no-index", "--find-links", str(tmp_path)], test_tools=[]),
    )
    with pytest.raises(WorkspaceError) as error:
        DockerWorkspace.create(
            job_id="env-missing",
            repo_path=repo,
            base_commit="HEAD",
            job_dir=tmp_path / "j",
            settings=settings,
        )
    assert "environment step 'resolve' (env) failed" in str(error.value)
    assert "no-such-package-xyz" in str(error.value) and "[environment] packages" in error.value.user_message()
