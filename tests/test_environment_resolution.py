"""Resolution as of a date against a local index with upload times (no Docker, no internet): the release of the
day, one lock for everything, and what the index lacks repaired out loud or refused with the resolver's words;
fetching the locked files while other environments fetch the same ones."""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core.errors import WorkspaceError
from core.settings import Settings
from harness.package_index import PackageIndex, pure_wheel
from tests.environment_fixtures import dated_repo, era_index, offline_settings, setuptools_wheel, source_package
from workspaces.environment.commit_files import CommitFiles
from workspaces.environment.plan import plan_environment
from workspaces.environment.resolution import Pin, Resolution, fetch, resolve


def _resolve(
    tmp_path: Path, requirements: str, date: str, settings: Settings, files: dict[str, str] | None = None,
) -> Resolution:
    repo = dated_repo(tmp_path / "r", files or {"requirements.txt": requirements}, date)
    plan = plan_environment(CommitFiles(repo, "HEAD"), settings)
    (tmp_path / "work").mkdir()
    return resolve(plan, tmp_path / "work", settings.docker.pip_download_args, None,
                   leave_out_unknown=settings.docker.leave_out_unknown_packages)


@pytest.mark.parametrize(
    ("date", "version"), [("2019-05-01T00:00:00+00:00", "1.0"), ("2024-01-01T00:00:00+00:00", "2.0")]
)
def test_an_unpinned_dependency_resolves_to_the_release_of_the_commits_day(
    tmp_path: Path, date: str, version: str
) -> None:
    with era_index(tmp_path) as index:
        resolution = _resolve(tmp_path, "eradep\n", date, offline_settings(tmp_path / "home", index.url))
    assert [(pin.name, pin.version) for pin in resolution.pins] == [("eradep", version)]


def test_a_package_the_index_does_not_know_is_left_out_and_named_or_refused_in_the_resolvers_words_when_asked(
    tmp_path: Path,
) -> None:
    with era_index(tmp_path) as index:
        settings = offline_settings(tmp_path / "home", index.url)
        left = _resolve(tmp_path / "a", "eradep\nvanished-tool==1.0\n", "2020-01-01T00:00:00+00:00", settings)
        settings.docker.leave_out_unknown_packages = False
        with pytest.raises(WorkspaceError) as refused:
            _resolve(tmp_path / "b", "eradep\nvanished-tool==1.0\n", "2020-01-01T00:00:00+00:00", settings)
    assert [pin.name for pin in left.pins] == ["eradep"] and left.left_out == ["vanished-tool"]
    assert "environment step 'resolve' (env) failed; uv said:" in str(refused.value)
    assert "vanished-tool was not found in the package registry" in str(refused.value)


def test_a_package_whose_old_releases_were_deleted_gets_its_later_one_with_a_note(tmp_path: Path) -> None:
    with PackageIndex() as index:
        wheel = pure_wheel(tmp_path / "wheels", "reborn", "1.4.1", {"reborn/__init__.py": ""})
        index.add(wheel, "reborn", "2022-07-08T18:31:40Z")
        resolution = _resolve(tmp_path, "reborn>=1.0\n", "2019-05-01T00:00:00+00:00",
                              offline_settings(tmp_path / "home", index.url))
    assert [(pin.name, pin.version) for pin in resolution.pins] == [("reborn", "1.4.1")]
    assert resolution.notes[0] == (
        "reborn has no release before 2019-05-01 on the index (deleted?): its releases up to 2022-07-08 are allowed"
    )


def test_a_dependency_of_the_runner_whose_old_releases_were_deleted_gets_its_later_one_in_the_environment_too(
    tmp_path: Path,
) -> None:
    with PackageIndex() as index:
        runner = pure_wheel(tmp_path / "wheels", "pytest", "4.6.11", {"pytest.py": ""}, requires=("reborn>=1.0",))
        index.add(runner, "pytest", "2020-06-04T00:00:00Z")
        reborn = pure_wheel(tmp_path / "wheels", "reborn", "1.4.1", {"reborn.py": ""})
        index.add(reborn, "reborn", "2022-07-08T18:31:40Z")
        resolution = _resolve(tmp_path, "pytest==2.3.4\n", "2014-10-26T00:00:00+00:00",
                              offline_settings(tmp_path / "home", index.url))
    assert sorted((pin.name, pin.version) for pin in resolution.pins) == [("pytest", "4.6.11"), ("reborn", "1.4.1")]
    assert "reborn has no release before 2020-06-05 on the index (deleted?): its releases up to 2022-07-08 are " \
           "allowed" in resolution.notes


def test_environments_fetching_the_same_files_at_once_each_get_every_file_whole(tmp_path: Path) -> None:
    sources = tmp_path / "index"
    sources.mkdir()
    pins = []
    for number in range(40):
        wheel = sources / f"pkg{number}-1.0-py3-none-any.whl"
        wheel.write_bytes(os.urandom(256 * 1024))
        pins.append(Pin(f"pkg{number}", "1.0", wheel.as_uri(), hashlib.sha256(wheel.read_bytes()).hexdigest(), False))
    start = threading.Barrier(4)

    def environment(number: int) -> None:
        start.wait()
        fetch(pins, tmp_path / "wheelhouse" / f"env{number % 2}", tmp_path / "downloads", lambda line: None)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(environment, range(4)))

    for number in range(2):
        fetched = tmp_path / "wheelhouse" / f"env{number}"
        assert sorted(p.name for p in fetched.iterdir()) == sorted(pin.filename for pin in pins)
        assert all(hashlib.sha256((fetched / pin.filename).read_bytes()).hexdigest() == pin.sha256 for pin in pins)
        assert all((fetched / pin.filename).stat().st_mode & 0o004 for pin in pins), "build containers' user reads them"


def test_a_source_package_that_needs_use_2to3_builds_with_a_setuptools_that_still_has_it(tmp_path: Path) -> None:
    with PackageIndex() as index:
        for version, uploaded in (("57.5.0", "2021-08-22T00:00:00Z"), ("70.0.0", "2024-05-20T00:00:00Z")):
            index.add(setuptools_wheel(tmp_path / "wheels", version), "setuptools", uploaded)
        for tool in ("pip", "wheel"):
            index.add(pure_wheel(tmp_path / "wheels", tool, "1.0", {f"{tool}/__init__.py": ""}), tool,
                      "2019-01-01T00:00:00Z")
        sdist = source_package(tmp_path / "sdists", "oldport", "1.0", setup_args=", use_2to3=True")
        index.add(sdist, "oldport", "2013-02-01T00:00:00Z")
        resolution = _resolve(tmp_path, "oldport\n", "2014-03-12T00:00:00+00:00",
                              offline_settings(tmp_path / "home", index.url))
    assert [(pin.name, pin.version, pin.is_sdist) for pin in resolution.pins] == [("oldport", "1.0", True)]
    assert "oldport builds with use_2to3, which setuptools 58 removed: source packages build with setuptools<58" in (
        resolution.notes)
    assert ("setuptools", "57.5.0") in [(pin.name, pin.version) for pin in resolution.build], (
        "the workspace builds the source package with the same setuptools"
    )


def test_what_a_locked_source_package_needs_to_build_is_fetched_with_the_build_tools(tmp_path: Path) -> None:
    with PackageIndex() as index:
        index.add(setuptools_wheel(tmp_path / "wheels", "65.0.0"), "setuptools", "2022-01-01T00:00:00Z")
        for tool in ("pip", "wheel", "scmtool"):
            index.add(pure_wheel(tmp_path / "wheels", tool, "1.0", {f"{tool}/__init__.py": ""}), tool,
                      "2019-01-01T00:00:00Z")
        sdist = source_package(tmp_path / "sdists", "lazyish", "1.0", build_requires=("setuptools", "scmtool>=1"))
        index.add(sdist, "lazyish", "2019-06-01T00:00:00Z")
        resolution = _resolve(tmp_path, "lazyish\n", "2020-01-01T00:00:00+00:00",
                              offline_settings(tmp_path / "home", index.url))
    assert [(pin.name, pin.is_sdist) for pin in resolution.pins] == [("lazyish", True)]
    assert "scmtool" in [pin.name for pin in resolution.build], "the workspace builds lazyish offline: scmtool too"


def test_pytests_own_tests_on_a_python_newer_than_the_commit_get_companions_that_run_there(tmp_path: Path) -> None:
    with PackageIndex() as index:
        for version, uploaded in (("0.17", "2019-05-25T00:00:00Z"), ("1.6.1", "2020-06-05T00:00:00Z")):
            wheel = pure_wheel(tmp_path / "wheels", "importlib_metadata", version, {"importlib_metadata.py": ""})
            index.add(wheel, "importlib-metadata", uploaded)
        setup_cfg = "[metadata]\nname = pytest\n[options]\ninstall_requires =\n    importlib-metadata>=0.12\n"
        resolution = _resolve(tmp_path, "", "2019-06-06T00:00:00+00:00",
                              offline_settings(tmp_path / "home", index.url), files={"setup.cfg": setup_cfg})
    assert [(pin.name, pin.version) for pin in resolution.pins] == [("importlib-metadata", "1.6.1")], (
        "the release of the commit's day breaks on Python 3.9's importlib.metadata; pytest 4.6.11's day's does not"
    )


def test_a_build_backend_needed_at_run_time_keeps_the_environments_version_of_what_it_depends_on(
    tmp_path: Path,
) -> None:
    with PackageIndex() as index:
        wheels = tmp_path / "wheels"
        runner = pure_wheel(wheels, "pytest", "4.6.11", {"pytest.py": ""}, requires=("packaging",))
        index.add(runner, "pytest", "2020-06-04T00:00:00Z")
        for version, uploaded in (("20.4", "2020-05-19T00:00:00Z"), ("26.0", "2026-01-10T00:00:00Z")):
            index.add(pure_wheel(wheels, "packaging", version, {"packaging/__init__.py": ""}), "packaging", uploaded)
        index.add(pure_wheel(wheels, "wheel", "0.35.0", {"wheel/__init__.py": ""}), "wheel", "2020-08-01T00:00:00Z")
        newer = pure_wheel(wheels, "wheel", "0.46.0", {"wheel/__init__.py": ""}, requires=("packaging>=24",))
        index.add(newer, "wheel", "2025-04-01T00:00:00Z")
        files = {"requirements.txt": "pytest==2.3.4\nwheel\n", "setup.cfg": "[options]\npython_requires = <3.10\n"}
        resolution = _resolve(tmp_path, "", "2026-06-01T00:00:00+00:00",
                              offline_settings(tmp_path / "home", index.url), files)
    assert sorted((pin.name, pin.version) for pin in resolution.pins) == [
        ("packaging", "20.4"), ("pytest", "4.6.11"), ("wheel", "0.35.0")
    ], "one packaging, the runner's era's: wheel of its own day would have brought a second one"
