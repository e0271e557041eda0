"""Environment inference from a repository's own files, with no benchmark hints: the interpreter and why, every
declaration collected once, the test runner the interpreter can run, `[environment]` overrides, the cache key."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.environment_settings import EnvironmentSettings
from core.errors import ConfigError
from core.settings import DockerSettings, Settings, load_settings
from harness.cli import cli_env, swe_team
from tests.environment_fixtures import commit_files, dated_repo
from workspaces.environment.commit_files import CommitFiles
from workspaces.environment.plan import EnvironmentPlan, plan_environment

RECENT = "2024-06-01T12:00:00+00:00"


def _plan(tmp_path: Path, files: dict[str, str], date: str = RECENT, **environment: object) -> EnvironmentPlan:
    repo = dated_repo(tmp_path, files, date)
    settings = Settings(home=tmp_path / "home", environment=EnvironmentSettings.model_validate(environment))
    return plan_environment(CommitFiles(repo, "HEAD"), settings)


def _requirements(plan: EnvironmentPlan) -> dict[str, str]:
    return {d.requirement: d.origin for d in plan.requirements}


@pytest.mark.parametrize(
    ("files", "date", "python", "reason"),
    [
        ({"app.py": ""}, "2019-03-01T00:00:00+00:00", "3.9", "newest established Python at the commit date 2019"),
        ({"app.py": ""}, RECENT, "3.11", "no supported versions declared"),
        ({"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.12"\n'}, RECENT, "3.13",
         "admits only 3.13"),
        ({"setup.cfg": "[metadata]\nname = x\n[options]\npython_requires = <3.10\n"}, RECENT, "3.9",
         "admits only 3.9"),
        ({"tox.ini": "[tox]\nenvlist = py{36,37,38}, docs\n"}, RECENT, "3.9", "tox.ini: 3.6, 3.7, 3.8"),
        ({".github/workflows/ci.yml": "jobs:\n  t:\n    strategy:\n      matrix:\n        python-version:\n"
                                      '          - "3.10"\n          - "3.11"\n'}, RECENT, "3.11",
         ".github/workflows/ci.yml: 3.10, 3.11"),
        ({".travis.yml": "language: python\npython:\n  - 2.7\n  - 3.4\n"}, RECENT, "3.9", "closest to 3.4"),
        ({"noxfile.py": 'PYTHONS = ["3.12", "3.13"]\n'}, "2025-06-01T00:00:00+00:00", "3.13", "noxfile.py"),
        ({".python-version": "3.10.4\n"}, RECENT, "3.11", ".python-version pins 3.10"),
        ({"runtime.txt": "python-3.8.12\n"}, RECENT, "3.9", "runtime.txt pins 3.8"),
    ],
)
def test_the_interpreter_follows_the_repositorys_declarations_and_age(
    tmp_path: Path, files: dict[str, str], date: str, python: str, reason: str
) -> None:
    plan = _plan(tmp_path, files, date)
    assert plan.python == python
    assert reason in " ".join(plan.python_reasons)


def test_classifiers_pick_the_newest_declared_python_of_the_commits_era(tmp_path: Path) -> None:
    classifiers = ", ".join(f'"Programming Language :: Python :: 3.{minor}"' for minor in (8, 9, 10, 11))
    setup = f"from setuptools import setup\nsetup(name='x', classifiers=[{classifiers}])\n"
    assert _plan(tmp_path / "a", {"setup.py": setup}, "2022-06-01T00:00:00+00:00").python == "3.9"
    assert _plan(tmp_path / "b", {"setup.py": setup}, "2023-06-01T00:00:00+00:00").python == "3.11"


def test_every_declaration_joins_one_resolution_and_dash_e_dot_means_the_project(tmp_path: Path) -> None:
    plan = _plan(tmp_path, {
        "setup.py": (
            "from setuptools import setup\nBASE = ['click>=7']\n"
            "setup(name='Tool', install_requires=BASE + ['attrs'], extras_require=dict(testing=['hypothesis'], "
            "docs=['sphinx'], cli=['rich']))\n"
        ),
        "requirements/tests.txt": "-r ../requirements-base.txt\n-e .[cli]\nmock==4.0.3  # pinned\n"
                                  "git+https://example.com/x.git#egg=x\n",
        "requirements-base.txt": "requests>=2\n",
        "requirements/docs.txt": "furo\n",
        "tox.ini": "[testenv]\ndeps =\n    pytest-mock\n    py38: importlib-metadata\n",
    })
    origins = _requirements(plan)
    assert origins["click>=7"] == "setup.py" and origins["attrs"] == "setup.py"
    assert origins["hypothesis"] == "setup.py extra [testing]" and origins["rich"] == "setup.py extra [cli]"
    assert origins["requests>=2"] == "requirements-base.txt" and origins["mock==4.0.3"] == "requirements/tests.txt"
    assert origins["pytest-mock"] == "tox.ini [testenv] deps"
    assert "sphinx" not in origins and "furo" not in origins and "importlib-metadata" not in origins
    assert plan.project.mode == "editable" and plan.extras == ["cli", "testing"]
    assert any("git+https://example.com/x.git" in note for note in plan.notes)


def test_a_runner_pin_the_interpreter_cannot_run_is_replaced_and_its_era_lifted(tmp_path: Path) -> None:
    plan = _plan(tmp_path, {
        "requirements.txt": "pytest==2.3.4\npy==1.4.12\npytest-cov==1.6\ncoverage==3.7\nsix==1.7\n"
    }, "2014-03-01T00:00:00+00:00")
    origins = _requirements(plan)
    assert plan.python == "3.9" and "pytest==2.3.4" not in origins
    assert origins["pytest>=4.6.11,<5"] == "test runner"
    assert {"py", "pytest-cov", "coverage", "six==1.7"} <= set(origins)
    assert plan.runner.as_of == "2020-06-05"
    assert {"pytest", "py", "pluggy", "pytest-cov", "coverage"} <= plan.runner.family
    assert plan.as_of == "2014-03-01"


def test_plugins_of_a_replaced_runner_resolve_as_of_its_line_not_today(tmp_path: Path) -> None:
    plan = _plan(tmp_path, {"requirements.txt": "pytest==2.3.4\npytest-cov\nsix\n"})
    assert plan.python == "3.11" and "pytest>=7.2.0,<8" in _requirements(plan)
    released = "2022-10-24"
    assert plan.runner.as_of == released and plan.as_of == "2024-06-01"
    assert {"pytest", "pytest-cov", "pluggy"} <= plan.runner.family and "six" not in plan.runner.family
    assert any(f"resolve as of {released}" in reason for reason in plan.runner.reasons)


def test_a_runner_pin_the_interpreter_can_run_is_kept(tmp_path: Path) -> None:
    plan = _plan(tmp_path, {"requirements-test.txt": "pytest==6.2.4\n"}, "2021-05-01T00:00:00+00:00")
    assert "pytest==6.2.4" in _requirements(plan) and plan.runner.as_of == ""


def test_pytest_tests_itself_with_the_workspace_copy(tmp_path: Path) -> None:
    plan = _plan(tmp_path, {"setup.cfg": "[metadata]\nname = pytest\n[options]\ninstall_requires =\n    pluggy\n"})
    assert not any(r.startswith("pytest") for r in _requirements(plan))
    assert "the workspace's pytest" in plan.runner.reasons[0]


def test_overrides_in_swe_team_toml_win(tmp_path: Path) -> None:
    repo = dated_repo(tmp_path, {
        "requirements.txt": "numpy==1.19.5\n",
        "swe-team.toml": '[environment]\npython = "3.13"\nas_of = "now"\npackages = ["numpy>=2"]\n'
                         'test_command = "python -m pytest -x"\nproject_install = "none"\n',
    }, RECENT)
    settings, _ = load_settings(repo)
    plan = plan_environment(CommitFiles(repo, "HEAD"), settings)
    origins = _requirements(plan)
    assert plan.python == "3.13" and plan.python_reasons == ["set in [environment] python"]
    assert plan.as_of == "" and "numpy==1.19.5" not in origins and origins["numpy>=2"] == "[environment] packages"
    assert settings.test_command == "python -m pytest -x" and plan.project.mode == "none"


def test_an_impossible_override_is_a_clear_error(tmp_path: Path) -> None:
    repo = dated_repo(tmp_path, {"swe-team.toml": '[environment]\npython = "3.7"\n'}, RECENT)
    with pytest.raises(ConfigError) as raised:
        load_settings(repo)
    assert "environment.python" in str(raised.value)
    with pytest.raises(ConfigError):
        _plan(tmp_path / "b", {"app.py": ""}, project_install="editable")


def test_the_cache_key_follows_declarations_not_other_files(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", docker=DockerSettings(test_tools=["pytest"]))
    repo = dated_repo(tmp_path, {"requirements.txt": "attrs\n", "README.md": "hi\n"}, RECENT)
    first = plan_environment(CommitFiles(repo, "HEAD"), settings).cache_inputs()
    for name, text in (("README.md", "changed\n"), ("requirements.txt", "attrs==23.1\n")):
        commit_files(repo, {name: text}, RECENT)
        key = plan_environment(CommitFiles(repo, "HEAD"), settings).cache_inputs()
        assert (key == first) == (name == "README.md"), name


def test_setup_py_is_read_without_running_it(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    plan = _plan(tmp_path, {
        "setup.py": f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n"
                    "from setuptools import setup\nsetup(name='x', install_requires=open('deps.txt').read().split())\n",
    })
    assert not marker.exists()
    assert plan.project.resolve_from_source
    assert any("install_requires=open('deps.txt')" in note for note in plan.notes)


def test_env_show_prints_every_choice_and_requirement(tmp_path: Path) -> None:
    repo = dated_repo(tmp_path, {
        "setup.py": "from setuptools import setup\nsetup(name='old', install_requires=['six'], "
                    "classifiers=['Programming Language :: Python :: 2.7'])\n",
        "requirements-dev.txt": "pytest==3.0.0\n",
    }, "2016-02-01T00:00:00+00:00")
    shown = swe_team("env", "show", str(repo), env=cli_env(tmp_path / "home", "http://127.0.0.1:9/v1"), timeout=120)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert "Python 3.9: declared: classifiers: 2.7; no image has these; 3.9 is the closest to 2.7" in lines
    assert "Dependencies as of 2016-02-01: the base commit's date: dependencies resolve to the releases of " \
           "2016-02-01" in lines
    assert any(line.startswith("Test runner: pytest>=4.6.11,<5 — Python 3.9 needs pytest ≥ 4.6.11; pytest==3.0.0 "
                               "(requirements-dev.txt) cannot run on Python 3.9") for line in lines)
    assert "  six  (setup.py)" in lines and "Status: planned" in lines


def test_env_show_names_a_missing_repository_or_commit(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "home", "http://127.0.0.1:9/v1")
    repo = dated_repo(tmp_path, {"app.py": ""}, RECENT)
    not_git = swe_team("env", "show", str(tmp_path / "home"), env=env, timeout=60)
    no_commit = swe_team("env", "show", str(repo), "--commit", "v9.9", env=env, timeout=60)
    assert not_git.returncode == 1 and "is not a git repository" in " ".join(not_git.stderr.split())
    assert no_commit.returncode == 1 and "has no commit 'v9.9'" in " ".join(no_commit.stderr.split())
