"""SWE-bench-format records: the instances of a dataset file and the predictions that are graded against them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.errors import SweTeamError, validation_problems

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
REPO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")


class EvalInputError(SweTeamError):
    """A dataset, predictions file or selection the eval cannot use."""


class Instance(BaseModel):
    """One SWE-bench task: a repository at a commit, the tests that define the fix, and maybe the reference fix."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    instance_id: str = Field(pattern=SAFE_ID.pattern, max_length=200)
    repo: str = Field(pattern=REPO_NAME.pattern)
    base_commit: str = Field(pattern=r"^[0-9a-fA-F]{7,40}$")
    problem_statement: str = ""
    test_patch: str = Field(min_length=1)
    fail_to_pass: list[str] = Field(alias="FAIL_TO_PASS", min_length=1)
    pass_to_pass: list[str] = Field(default_factory=list, alias="PASS_TO_PASS")
    patch: str = ""
    version: str = ""
    created_at: str = ""

    @field_validator("fail_to_pass", "pass_to_pass", mode="before")
    @classmethod
    def _test_list(cls, value: Any) -> Any:
        """SWE-bench's files keep the two test lists as JSON text; plain lists are accepted too."""
        if value is None:
            return []
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not a JSON list of test ids ({exc.msg})") from exc
        return value

    @field_validator("problem_statement", "patch", "version", "created_at", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    @property
    def owner_and_name(self) -> tuple[str, str]:
        owner, _, name = self.repo.partition("/")
        return owner, name


def _json_records(path: Path, what: str) -> list[tuple[str, Any]]:
    """(where, record) pairs of a JSON Lines file, or of a JSON file holding a list or an id-keyed object."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise EvalInputError(f"{what} {path} does not exist") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalInputError(f"{what} {path} cannot be read as UTF-8 text: {exc}") from exc
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, list):
        return [(f"{path} item {n}", item) for n, item in enumerate(whole, 1)]
    if isinstance(whole, dict) and "instance_id" not in whole and all(isinstance(v, dict) for v in whole.values()):
        return [(f"{path} key {key}", {"instance_id": key, **value}) for key, value in whole.items()]
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append((f"{path} line {number}", json.loads(line)))
        except json.JSONDecodeError as exc:
            raise EvalInputError(
                f"{what} {path} line {number} is not JSON: {exc.msg}",
                hint="one JSON object per line (JSON Lines), or one JSON list",
            ) from exc
    return records


def load_instances(path: Path) -> list[Instance]:
    """Every instance of a dataset file, checked; duplicate ids and malformed records are errors."""
    instances: list[Instance] = []
    seen: set[str] = set()
    for where, record in _json_records(path, "dataset"):
        if not isinstance(record, dict):
            raise EvalInputError(f"{where}: expected a JSON object, got {type(record).__name__}")
        try:
            instance = Instance.model_validate(record)
        except ValidationError as exc:
            raise EvalInputError(
                f"{where} is not a SWE-bench instance: {validation_problems(exc, 'record')}",
                hint="each record needs instance_id, repo (owner/name), base_commit, test_patch, FAIL_TO_PASS",
            ) from exc
        if instance.instance_id in seen:
            raise EvalInputError(f"{where}: instance {instance.instance_id} appears twice")
        seen.add(instance.instance_id)
        instances.append(instance)
    if not instances:
        raise EvalInputError(f"dataset {path} holds no instances")
    return instances


def load_predictions(path: Path) -> dict[str, str]:
    """instance id → model patch, from SWE-bench's prediction format (JSON Lines or JSON)."""
    predictions: dict[str, str] = {}
    for where, record in _json_records(path, "predictions file"):
        if not isinstance(record, dict) or not isinstance(record.get("instance_id"), str):
            raise EvalInputError(
                f"{where}: a prediction needs an instance_id",
                hint='SWE-bench format: {"instance_id": ..., "model_name_or_path": ..., "model_patch": ...}',
            )
        patch = record.get("model_patch")
        if patch is not None and not isinstance(patch, str):
            raise EvalInputError(f"{where}: model_patch must be text, got {type(patch).__name__}")
        instance_id = record["instance_id"]
        if instance_id in predictions:
            raise EvalInputError(f"{where}: a second prediction for {instance_id}")
        predictions[instance_id] = patch or ""
    return predictions


def select(instances: list[Instance], wanted: Iterable[str]) -> list[Instance]:
    """The instances named in `wanted` (all when it is empty), in dataset order; unknown names are an error."""
    names = [name.strip() for item in wanted for name in item.split(",") if name.strip()]
    if not names:
        return instances
    known = {instance.instance_id for instance in instances}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise EvalInputError(
            f"not in the dataset: {', '.join(unknown)}",
            hint="give instance ids exactly as the dataset spells them (comma-separated or repeated --instances)",
        )
    chosen = set(names)
    return [instance for instance in instances if instance.instance_id in chosen]
