"""`[environment]`: overrides of the environment swe-team infers for a repository's Docker workspace."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, field_validator


class EnvironmentSettings(BaseModel):
    """Overrides of the environment inferred for a repository (`[environment]` in swe-team.toml); empty = infer."""

    python: Literal["", "3.9", "3.11", "3.13"] = ""
    """Python of the workspace; empty infers it from the repository's declarations and its commit date."""
    as_of: str = ""
    """Resolve dependencies as of this date (YYYY-MM-DD); empty means the base commit's date, `now` no cut-off."""
    packages: list[str] = Field(default_factory=list)
    """Extra requirements resolved with the repository's; a name here replaces the repository's own requirement."""
    pre_install: list[str] = Field(default_factory=list)
    """Shell commands run in the environment build at the source tree (offline, the locked dependencies installed)
    before the project installs."""
    test_command: str = ""
    """How to run the repository's tests in this environment (sets `test_command` when that is empty)."""
    project_install: Literal["auto", "editable", "path", "none"] = "auto"
    """How the project becomes importable from /workspace: editable install, a path entry, or not at all."""
    build_tools: Literal["auto", "always", "never"] = "auto"
    """Give the image the build layer (compiler, headers): `auto` when something has to compile."""
    test_services: Literal["auto", "httpbin", "none"] = "auto"
    """Servers the tests reach over HTTP, run beside the workspace: `auto` starts a local httpbin (`HTTPBIN_URL`)
    when the tests name httpbin.org or `HTTPBIN_URL` and do not serve it themselves (pytest-httpbin)."""
    test_network: Literal["auto", "none", "firewalled"] = "auto"
    """`none`: no network at all (a connect fails at once); `firewalled`: a Docker network with no route out, where
    the services answer and any other connect times out; `auto`: firewalled when there are services or the tests
    expect a connect to an unroutable address (10.255.255.1) to time out."""

    @field_validator("as_of")
    @classmethod
    def _date_or_now(cls, value: str) -> str:
        if value in ("", "now"):
            return value
        try:
            date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD) nor `now`") from exc
        return value
