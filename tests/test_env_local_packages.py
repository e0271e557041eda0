"""Local packages: a folder of the repository with project files of its own, asked for by path in tox's deps or a
requirements file, has its dependencies resolved with the project's and is installed after it; a path that is no
package of the repository is left out with a note that names the tests it leaves without it."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from tests.environment_fixtures import dated_repo
from workspaces.environment.commit_files import CommitFiles
from workspaces.environment.plan import EnvironmentPlan, plan_environment
from workspaces.environment.record import EnvironmentRecord

PROJECT = {
    "setup.cfg": "[metadata]\nname = webcore\n\n[options]\ninstall_requires =\n    routedep>=1.0\n",
    "setup.py": "from setuptools import setup\n\nsetup()\n",
    "webcore/__init__.py": "",
    "tests/test_core.py": "def test_nothing():\n    pass\n",
}
APP = {
    "examples/app/setup.cfg": (
        "[metadata]\nname = demo_app\n\n[options]\ninstall_requires =\n    WebCore\n    templatedep\n\n"
        "[options.extras_require]\ntest =\n    fixturedep\ndocs =\n    sphinxdep\n"
    ),
    "examples/app/setup.py": "from setuptools import setup\n\nsetup()\n",
    "examples/app/demo_app/__init__.py": "import webcore\n",
    "examples/app/tests/conftest.py": "from demo_app import webcore\n",
}
TOX = "[testenv]\ndeps =\n    -r requirements/tests.txt\n    {local}\ncommands = pytest {{posargs:tests examples}}\n"


def _plan(tmp_path: Path, files: dict[str, str]) -> EnvironmentPlan:
    repo = dated_repo(tmp_path, files, "2021-05-13T12:00:00+00:00")
    return plan_environment(CommitFiles(repo, "HEAD"), Settings(home=tmp_path / "home"))


def _origins(plan: EnvironmentPlan) -> dict[str, str]:
    return {d.requirement: d.origin for d in plan.requirements}


def test_a_tox_dep_naming_a_package_folder_joins_its_dependencies_and_installs_it(tmp_path: Path) -> None:
    files = {**PROJECT, **APP, "requirements/tests.txt": "pytest==6.2.4\n",
             "tox.ini": TOX.format(local="examples/app[test]")}
    plan = _plan(tmp_path, files)

    origins = _origins(plan)
    assert origins["templatedep"] == "examples/app/setup.cfg + examples/app/setup.py"
    assert origins["fixturedep"] == "examples/app/setup.cfg + examples/app/setup.py extra [test]"
    assert "sphinxdep" not in origins, "only the extras the path asks for are installed"
    assert "routedep>=1.0" in origins
    names = {requirement.split("=")[0].lower() for requirement in origins}
    assert not names & {"webcore", "demo-app", "demo_app"}, "the project and the local package are not on an index"
    assert [(p.folder, p.extras) for p in plan.local_packages] == [("examples/app", ["test"])]
    assert {"examples/app/setup.cfg", "examples/app/setup.py"} <= set(plan.declaration_files)
    assert plan.cache_inputs()["local_packages"] == ["examples/app"]
    assert not any("examples/app" in note for note in plan.notes)

    shown = EnvironmentRecord.planned(plan, "").lines()
    assert any(line.startswith("Local package examples/app (demo-app[test]): asked for by tox.ini") for line in shown)


def test_an_editable_path_in_a_requirements_file_reads_a_pyproject_package(tmp_path: Path) -> None:
    plugin = {
        "plugins/ext/pyproject.toml": (
            '[build-system]\nrequires = ["setuptools"]\n\n[project]\nname = "ext"\nversion = "1"\n'
            'dependencies = ["webcore", "extdep<3"]\n'
        ),
        "plugins/ext/ext.py": "",
        "requirements-test.txt": "-e ./plugins/ext/\n-e .\n",
    }
    plan = _plan(tmp_path, {**PROJECT, **plugin})

    assert _origins(plan)["extdep<3"] == "plugins/ext/pyproject.toml"
    assert [(p.folder, p.extras) for p in plan.local_packages] == [("plugins/ext", [])]
    assert "plugins/ext/pyproject.toml" in plan.declaration_files


def test_a_path_that_is_no_package_of_the_repository_keeps_the_note_and_names_its_tests(tmp_path: Path) -> None:
    plain = {"examples/plain/tests/test_plain.py": "from plain import thing\n", "examples/plain/plain.py": ""}
    deps = "examples/gone[test]\n    examples/plain\n    ../outside"
    plan = _plan(tmp_path, {**PROJECT, **plain, "requirements/tests.txt": "", "tox.ini": TOX.format(local=deps)})

    assert plan.local_packages == []
    assert "local_packages" not in plan.cache_inputs()
    assert "tox.ini [testenv] deps: `examples/gone[test]` left out (not the project, not a package of the " \
           "repository and not on a package index)" in plan.notes, "a path with no tests under it names none"
    notes = "\n".join(plan.notes)
    assert "`examples/plain` left out" in notes and "1 test file(s) under it may fail to import" in notes
    assert "`../outside` left out" in notes
