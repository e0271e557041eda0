"""Small repositories the environment tests build, dated like the code they stand for, and a local index."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.environment_settings import EnvironmentSettings
from core.settings import DockerSettings, Settings
from harness.package_index import PackageIndex, pure_wheel

OLD_PACKAGE = {
    "setup.py": (
        "from setuptools import setup\n\n"
        'DEPENDENCIES = ["eradep"]\n'
        "setup(\n"
        '    name="oldpkg",\n'
        '    version="1.0",\n'
        '    packages=["oldpkg"],\n'
        "    install_requires=DEPENDENCIES,\n"
        '    classifiers=["Programming Language :: Python :: 2.7", "Programming Language :: Python :: 3.6"],\n'
        ")\n"
    ),
    "oldpkg/__init__.py": (
        "from collections import Mapping  # gone from Python 3.10 on: this code runs on 3.9 at most\n"
        "import eradep\n\n\n"
        "def describe():\n"
        '    return "eradep %s" % eradep.VERSION\n'
    ),
}
"""A package of 2019 that imports what Python 3.10 removed and needs `eradep`, unpinned."""

SPEED_C = """#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *twice(PyObject *self, PyObject *args) {
    long value;
    if (!PyArg_ParseTuple(args, "l", &value)) return NULL;
    return PyLong_FromLong(2 * value)%s
}

static PyMethodDef methods[] = {{"twice", twice, METH_VARARGS, "2 * x"}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speed", NULL, -1, methods};
PyMODINIT_FUNC PyInit__speed(void) { return PyModule_Create(&module); }
"""


def extension_package(*, broken: bool = False) -> dict[str, str]:
    """A src-layout package with a C extension, for Python < 3.10; `broken` leaves a `;` out of the C."""
    return {
        "setup.py": (
            "from setuptools import Extension, setup\n\n"
            "setup(\n"
            '    name="fastmath",\n'
            '    version="0.1",\n'
            '    package_dir={"": "src"},\n'
            '    packages=["fastmath"],\n'
            '    ext_modules=[Extension("fastmath._speed", ["src/fastmath/_speed.c"])],\n'
            '    python_requires=">=3.6,<3.10",\n'
            ")\n"
        ),
        ".gitignore": "*.so\nbuild/\n",
        "src/fastmath/__init__.py": 'from fastmath._speed import twice\n\nLABEL = "original"\n',
        "src/fastmath/_speed.c": SPEED_C % ("" if broken else ";"),
    }


def dated_repo(where: Path, files: dict[str, str], date: str) -> Path:
    """A git repository with `files` in one commit made at `date` (ISO 8601)."""
    repo = where / "repo"
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    commit_files(repo, files, date)
    return repo


def commit_files(repo: Path, files: dict[str, str], date: str) -> None:
    """Write `files` and commit them all at `date`."""
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(
        ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "change"],
        cwd=repo, check=True, env=env,
    )


@contextmanager
def era_index(where: Path) -> Iterator[PackageIndex]:
    """A local index with `eradep` 1.0 (uploaded in 2019) and 2.0 (2023): as of 2019 only 1.0 exists."""
    with PackageIndex() as index:
        for version, uploaded in (("1.0", "2019-01-10T10:00:00Z"), ("2.0", "2023-03-01T10:00:00Z")):
            wheel = pure_wheel(where / "wheels", "eradep", version, {"eradep/__init__.py": f'VERSION = "{version}"\n'})
            index.add(wheel, "eradep", uploaded)
        yield index


def offline_settings(home: Path, index_url: str, **environment: object) -> Settings:
    """Settings whose resolution only sees the local index, with no test runner (pytest is not on it)."""
    return Settings(
        home=home,
        docker=DockerSettings(pip_download_args=["--index-url", index_url], test_tools=[]),
        environment=EnvironmentSettings.model_validate(environment),
    )


SETUPTOOLS_BACKEND = '''import os
import re
import sys

VERSION = {version!r}


class _Legacy:
    def get_requires_for_build_wheel(self, config_settings=None):
        return []

    def prepare_metadata_for_build_wheel(self, metadata_directory, config_settings=None):
        setup = open("setup.py").read()
        name, version = (re.search(key + r'="([^"]+)"', setup).group(1) for key in ("name", "version"))
        if "use_2to3" in setup and int(VERSION.split(".")[0]) >= 58:
            sys.stderr.write("error in " + name + " setup command: use_2to3 is invalid.\\n")
            sys.exit(1)
        info = os.path.join(metadata_directory, name + "-" + version + ".dist-info")
        os.makedirs(info)
        with open(os.path.join(info, "METADATA"), "w") as handle:
            handle.write("Metadata-Version: 2.1\\nName: " + name + "\\nVersion: " + version + "\\n")
        return os.path.basename(info)


__legacy__ = _Legacy()
get_requires_for_build_wheel = __legacy__.get_requires_for_build_wheel
prepare_metadata_for_build_wheel = __legacy__.prepare_metadata_for_build_wheel
'''


def setuptools_wheel(directory: Path, version: str) -> Path:
    """A stand-in setuptools whose backend (legacy or not) only prepares metadata and, from 58 on, refuses
    `use_2to3` in setuptools' words."""
    return pure_wheel(directory, "setuptools", version, {
        "setuptools/__init__.py": "", "setuptools/build_meta.py": SETUPTOOLS_BACKEND.format(version=version),
    })


def source_package(
    directory: Path, name: str, version: str, *, setup_args: str = "", build_requires: tuple[str, ...] = ()
) -> Path:
    """A source distribution with no metadata of its own (it must be built): setup.py with `setup_args`, and
    a pyproject.toml naming `build_requires` when given."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}-{version}.tar.gz"
    files = {"setup.py": f'from setuptools import setup\nsetup(name="{name}", version="{version}"{setup_args})\n'}
    if build_requires:
        files["pyproject.toml"] = f"[build-system]\nrequires = {list(build_requires)!r}\n".replace("'", '"')
    with tarfile.open(path, "w:gz") as archive:
        for inner, text in files.items():
            entry = tarfile.TarInfo(f"{name}-{version}/{inner}")
            entry.size = len(text.encode())
            archive.addfile(entry, io.BytesIO(text.encode()))
    return path


WHEEL_ONLY_BACKEND = '''"""A build backend from before PEP 660: it builds wheels, never editable installs."""
import base64
import hashlib
import os
import zipfile

NAME, VERSION = "plainback", "1.0"


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    info = NAME + "-" + VERSION + ".dist-info"
    files = {
        NAME + "/__init__.py": open(os.path.join(NAME, "__init__.py")).read(),
        info + "/METADATA": "Metadata-Version: 2.1\\nName: " + NAME + "\\nVersion: " + VERSION + "\\n",
        info + "/WHEEL": "Wheel-Version: 1.0\\nGenerator: wheel_only\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    }
    record = []
    name = NAME + "-" + VERSION + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:
        for inner, text in files.items():
            data = text.encode()
            wheel.writestr(inner, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(inner + ",sha256=" + digest + "," + str(len(data)))
        wheel.writestr(info + "/RECORD", "\\n".join(record + [info + "/RECORD,,"]) + "\\n")
    return name
'''
WHEEL_ONLY_PACKAGE = {
    "pyproject.toml": (
        '[build-system]\nrequires = []\nbuild-backend = "wheel_only"\nbackend-path = ["_build"]\n\n'
        '[project]\nname = "plainback"\nversion = "1.0"\n'
    ),
    "_build/wheel_only.py": WHEEL_ONLY_BACKEND,
    "plainback/__init__.py": 'LABEL = "original"\n',
}
"""A project whose build backend has no PEP 660 hook (as setuptools before 64): pip cannot install it editable."""
