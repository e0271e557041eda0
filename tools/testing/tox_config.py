"""The test command inside a tox configuration, run without tox.

tox builds a virtualenv per environment and installs its dependencies from the package index; a workspace
has the dependencies installed already and no network, so the test command of `[testenv]` (or of the named
environment) runs directly with the workspace's Python. Its substitutions are filled in (`{posargs:tests}`
becomes `tests`, which selectors then replace), `setenv` becomes variable assignments and `changedir` a `cd`.
Read from `tox.ini`, `setup.cfg` (`[tox:tox]`) or `pyproject.toml`'s `legacy_tox_ini`.
"""

from __future__ import annotations

import configparser
import re
import shlex
import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tools.testing.command import join_words

if TYPE_CHECKING:
    from workspaces.base import Workspace

RUNNER_WORDS = re.compile(r"(^|[\s/])(pytest|py\.test|unittest|runtests\.py|bin/test)(\s|$)")
FIXED = {
    "toxinidir": ".", "tox_root": ".", "envtmpdir": ".swe-team/tox-tmp", "env_tmp_dir": ".swe-team/tox-tmp",
    "/": "/", ":": ":",
}
_BRACES = re.compile(r"\{([^{}]*)\}")
NOT_TOX_NOTE = (
    "{source} ran directly with the workspace's Python: tox would build virtualenvs and install their "
    "dependencies from the package index, which the workspace does not reach"
)


@dataclass(frozen=True)
class ToxCommand:
    command: str
    source: str
    """Where it came from, e.g. `tox.ini [testenv] commands`."""

    def note(self) -> str:
        return NOT_TOX_NOTE.format(source=self.source)


def read_tox_config(workspace: Workspace) -> tuple[str, configparser.RawConfigParser] | None:
    """(file name, parsed sections) of the repository's tox configuration, or None."""
    for name in ("tox.ini", "setup.cfg", "pyproject.toml"):
        if not workspace.exists(name):
            continue
        text = workspace.read_file(name)
        if name == "pyproject.toml":
            try:
                text = str(tomllib.loads(text).get("tool", {}).get("tox", {}).get("legacy_tox_ini", ""))
            except tomllib.TOMLDecodeError:
                continue
        parser = configparser.RawConfigParser(strict=False)
        try:
            parser.read_string(text)
        except configparser.Error:
            continue
        if any(s == "testenv" or s.startswith("testenv:") for s in parser.sections()):
            return name, parser
    return None


def _substituted(text: str, parser: configparser.RawConfigParser, python: str) -> str | None:
    """`text` with tox's substitutions filled in, or None when one of them cannot be known without tox."""

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in ("envpython", "env_python"):
            return python
        if key in ("envbindir", "env_bin_dir"):
            return "\x00bin"
        if key in FIXED:
            return FIXED[key]
        if key == "posargs" or key.startswith("posargs:"):
            return key.partition(":")[2]
        if key.startswith("env:"):
            return key.split(":", 2)[2] if key.count(":") == 2 else ""
        reference = re.fullmatch(r"\[([^\]]+)\](\S+)", key)
        if reference and parser.has_option(reference.group(1), reference.group(2)):
            return parser.get(reference.group(1), reference.group(2))
        raise KeyError(key)

    try:
        for _ in range(3):
            text = _BRACES.sub(fill, text)
    except KeyError:
        return None
    return re.sub(r"\x00bin/?", "", text.replace("[]", ""))


def _as_plain_command(line: str, python: str) -> list[str] | None:
    """The words of a tox command line with its program made the workspace's: `pytest` → `python -m pytest`,
    `coverage run -m pytest` → `python -m pytest`."""
    try:
        words = shlex.split(line.lstrip("-! "))
    except ValueError:
        return None
    if not words:
        return None
    program = words[0].rsplit("/", 1)[-1]
    if program in ("pytest", "py.test"):
        return [python, "-m", "pytest", *words[1:]]
    if program == "coverage" and words[1:2] == ["run"]:
        if "-m" in words:
            return [python, *words[words.index("-m") :]]
        script = next((i for i, w in enumerate(words) if w.endswith(".py") or w.endswith("bin/test")), None)
        return [python, *words[script:]] if script is not None else None
    if re.fullmatch(r"python[\d.]*", program) or words[0] == python:
        return [python, *words[1:]]
    return words


def _command_lines(parser: configparser.RawConfigParser, section: str) -> list[str]:
    value = parser.get(section, "commands", fallback="") or parser.get("testenv", "commands", fallback="")
    return [line.strip() for line in value.replace("\\\n", " ").splitlines() if line.strip()]


def _environment(parser: configparser.RawConfigParser, section: str, python: str) -> list[str]:
    value = parser.get(section, "setenv", fallback="") or parser.get("testenv", "setenv", fallback="")
    assignments = []
    for line in value.splitlines():
        name, equals, raw = line.partition("=")
        filled = _substituted(raw.strip(), parser, python) if equals else None
        if filled is not None and re.fullmatch(r"[A-Za-z_]\w*", name.strip()):
            assignments.append(f"{name.strip()}={filled}")
    return assignments


def tox_test_command(workspace: Workspace, python: str, environment: str = "") -> ToxCommand | None:
    """The test command of `environment` (else `[testenv]`, else the first environment that has one)."""
    found = read_tox_config(workspace)
    if found is None:
        return None
    name, parser = found
    sections = [s for s in parser.sections() if s == "testenv" or s.startswith("testenv:")]
    wanted = f"testenv:{environment}"
    order = ([wanted] if wanted in sections else []) + sorted(sections, key=lambda s: s != "testenv")
    for section in order:
        for line in _command_lines(parser, section):
            filled = _substituted(line, parser, python)
            words = _as_plain_command(filled, python) if filled is not None else None
            if words is None or not RUNNER_WORDS.search(" ".join(words)):
                continue
            command = join_words([*_environment(parser, section, python), *words])
            directory = _substituted(parser.get(section, "changedir", fallback=""), parser, python) or "."
            if directory.strip("./"):
                command = f"cd {shlex.quote(directory)} && {command}"
            return ToxCommand(command, f"{name} [{section}] commands")
    return None
