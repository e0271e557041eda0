"""`diagnose`: a build log to a `Diagnosis` — read, mapped to the repository, then (unless told not to) the pinned
model asked — with the confidence threshold of the settings applied."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from swe_team.ci.diagnosis import Diagnosis, build_graph, read_log, repository_files

if TYPE_CHECKING:
    from core.model.base import ModelClient
    from core.redaction import Redactor
    from core.settings import Settings
    from memory.codegraph import CodeGraph


class RepositoryView:
    """The repository's files and code graph, built once and reused for every log read against it."""

    def __init__(self, repo: Path | None, settings: Settings) -> None:
        self.repo = repo
        self.notes: list[str] = []
        self.paths: list[str] | None = None
        self.graph: CodeGraph | None = None
        if repo is None:
            return
        self.paths = repository_files(repo)
        try:
            self.graph = build_graph(repo, settings.home / "cache" / "codegraph")
        except (OSError, ValueError) as exc:
            self.notes.append(f"no code graph of {repo} ({exc}): files ranked by the paths the log names")


def redacted(diagnosis: Diagnosis, redactor: Redactor) -> Diagnosis:
    """The diagnosis with every secret in its text replaced (it is printed, posted as a comment, stored), and the
    count of distinct secrets kept back, by kind."""

    def clean(text: str) -> str:
        return redactor.redact(text).text

    cleaned = replace(
        diagnosis,
        failing_step=clean(diagnosis.failing_step),
        error_line=clean(diagnosis.error_line),
        first_error=clean(diagnosis.first_error),
        failed_tests=[clean(test) for test in diagnosis.failed_tests],
        tail=clean(diagnosis.tail),
        repeated=[(clean(template), count) for template, count in diagnosis.repeated],
        root_cause=clean(diagnosis.root_cause),
        impact=clean(diagnosis.impact),
        fix_command=clean(diagnosis.fix_command),
    )
    return replace(cleaned, redacted=redactor.counts())


def diagnose(
    text: str,
    view: RepositoryView,
    settings: Settings,
    use_model: bool = True,
    client: ModelClient | None = None,
) -> Diagnosis:
    """The diagnosis of `text`, secrets replaced; with the model, its identity is checked against the pin before it
    is asked (the client redacts what it sends with the same rules)."""
    from core.redaction import Redactor

    redactor = Redactor(settings.redaction)
    diagnosis = read_log(text, view.paths, view.graph)
    diagnosis = replace(diagnosis, threshold=settings.ci.confidence_threshold, notes=[*view.notes])
    if not use_model:
        return redacted(diagnosis, redactor)
    from core.model.pinning import identify_model
    from swe_team.ci.model_answer import ask_model

    identity = identify_model(settings, "instruct")
    if client is None:
        from core.model.llm import LiteLLMClient

        client = LiteLLMClient(settings, redactor=redactor)
    answered = ask_model(diagnosis, client, attempts=max(1, settings.models.format_retries))
    return redacted(replace(answered, model=identity.to_dict()), redactor)
