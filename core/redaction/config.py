"""`[redaction]` settings: what is replaced before text reaches the model, the trajectory, the report or memory."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator


class RedactionSettings(BaseModel):
    """Secrets are always looked for (while `enabled`); e-mails and IP addresses only when switched on."""

    enabled: bool = True
    """Replace secrets with `[REDACTED:<kind>]` everywhere text leaves the process (model, trajectory, report,
    experience memory). Turning it off sends secrets to the model server and its logs."""
    emails: bool = False
    """Also replace e-mail addresses (`[REDACTED:email]`)."""
    ip_addresses: bool = False
    """Also replace public IPv4 addresses (`[REDACTED:ip-address]`); private and loopback ones stay."""
    high_entropy: bool = True
    """Also replace random-looking base64 strings, and hex strings on a line that names a key, token or secret
    (hashes and git SHAs elsewhere stay)."""
    patterns: dict[str, str] = Field(default_factory=dict)
    """Extra patterns, kind → regular expression: `{ employee-id = "EMP-\\d{6}" }` replaces each match with
    `[REDACTED:employee-id]`; a pattern with a group replaces only its first group."""
    allowlist: list[str] = Field(default_factory=list)
    """Regular expressions of values never replaced (searched in the value found, e.g. `EXAMPLE$` for AWS's
    documented example keys)."""

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, value: dict[str, str]) -> dict[str, str]:
        for kind, pattern in value.items():
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", kind):
                raise ValueError(f"redaction kind {kind!r} must be lowercase letters, digits and dashes")
            _compiles(pattern)
        return value

    @field_validator("allowlist")
    @classmethod
    def _allowlist_compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            _compiles(pattern)
        return value


def _compiles(pattern: str) -> None:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from exc
    if compiled.search(""):
        raise ValueError(f"{pattern!r} matches the empty string; it would match everywhere")
