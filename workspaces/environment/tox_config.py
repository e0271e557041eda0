"""tox.ini as an environment declaration: the Pythons of its env list and the deps of its default test env.

Only what applies to every test env is taken: factor-conditional deps (`py38: x`) and substitutions other
than `{toxinidir}` are left out.
"""

from __future__ import annotations

import configparser
import itertools
import re
from dataclasses import dataclass, field

from workspaces.environment.commit_files import CommitFiles

_BRACES = re.compile(r"\{([^{}]*)\}")
_PY_ENV = re.compile(r"^py(\d)(\d+)$")
_FACTOR_CONDITION = re.compile(r"^[\w,!.-]+:\s")


@dataclass
class ToxConfig:
    python_versions: list[str] = field(default_factory=list)
    deps: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def expand_envlist(text: str) -> list[str]:
    """`py{39,38}-django, docs` → ['py39-django', 'py38-django', 'docs'] (tox's brace expansion)."""
    names: list[str] = []
    for item in re.split(r"[,\n](?![^{]*\})", text):
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        parts = _BRACES.split(item)
        choices = [part.split(",") if index % 2 else [part] for index, part in enumerate(parts)]
        names += ["".join(combo).strip() for combo in itertools.product(*choices)]
    return names


def env_python(name: str) -> str:
    """The Python an env name asks for through its factors (`py39-x` → '3.9'), or ''."""
    for factor in name.split("-"):
        match = _PY_ENV.match(factor.strip())
        if match:
            return f"{match.group(1)}.{match.group(2)}"
    return ""


def read_tox(files: CommitFiles) -> ToxConfig | None:
    text = files.read("tox.ini")
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    found = ToxConfig()
    if parser.has_section("tox"):
        versions = {env_python(name) for name in expand_envlist(parser["tox"].get("envlist", ""))}
        found.python_versions = sorted(v for v in versions if v)
    if parser.has_section("testenv"):
        for raw in parser["testenv"].get("deps", "").splitlines():
            line = raw.split(" #")[0].strip()
            if not line or line.startswith("#"):
                continue
            line = line.replace("{toxinidir}/", "").replace("{toxinidir}", ".")
            if _FACTOR_CONDITION.match(line) or "{" in line:
                found.skipped.append(line)
            else:
                found.deps.append(line)
    return found
