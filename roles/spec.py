"""A role is data: a prompt template, the tools it may call, the model alias it uses and its limits."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

ROLES_DIR = Path(__file__).parent


@dataclass(frozen=True)
class RoleSpec:
    name: str
    prompt_file: str
    alias: str
    tools: tuple[str, ...]
    max_steps: int
    description: str = ""

    def system_prompt(self, **values: Any) -> str:
        """The prompt template with `$name` placeholders filled; unknown placeholders stay as written."""
        text = (ROLES_DIR / self.prompt_file).read_text(encoding="utf-8")
        return Template(text).safe_substitute({k: str(v) for k, v in values.items()})


@cache
def role_specs() -> dict[str, RoleSpec]:
    with (ROLES_DIR / "roles.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return {
        name: RoleSpec(
            name=name,
            prompt_file=entry["prompt"],
            alias=entry.get("alias", "instruct"),
            tools=tuple(entry.get("tools", ())),
            max_steps=int(entry.get("max_steps", 1)),
            description=entry.get("description", ""),
        )
        for name, entry in data.items()
    }


def role_spec(name: str) -> RoleSpec:
    return role_specs()[name]
