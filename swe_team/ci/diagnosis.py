"""A failed build's diagnosis: what the log shows (kind, failing step, first error, ranked files), what the model
says of it (root cause, impact, one fix command), how sure the answer is, and the model that gave it."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swe_team.ci.excerpt import cut_log
from swe_team.ci.frames import failed_tests, find_frames
from swe_team.ci.log_kinds import clean_lines, detect_kinds, primary_kind
from swe_team.ci.ranking import RankedSource, rank_sources

if TYPE_CHECKING:
    from memory.codegraph import CodeGraph

EVIDENCE_CONFIDENCE = {"frame": 0.9, "named": 0.7, "error only": 0.5, "nothing": 0.2}
"""Confidence of a model-free diagnosis by its best evidence: a repository frame in the error's trace, files only
named (by a test, by the error's words), an error but no file, no error found at all."""
ERROR_TEXT_CHARS = 3000
MESSAGE_LINES = 30
MESSAGE_LINE = re.compile(r"^\s*[\w.]*(Error|Exception|Failed|Failure)\b:|\berror(\[\w+\])?:", re.IGNORECASE)


@dataclass
class Diagnosis:
    kind: str
    """The tool that failed: pytest, unittest, maven, gradle, javac, npm, jest, tsc, go, cargo, pip, docker, unknown."""
    kinds: list[str]
    failing_step: str
    error_line: str
    first_error: str
    failed_tests: list[str]
    files: list[RankedSource]
    tail: str
    repeated: list[tuple[str, int]]
    total_lines: int
    root_cause: str = ""
    impact: str = ""
    fix_command: str = ""
    confidence: float = 0.0
    confidence_from: str = "evidence"
    """`model` (its own estimate) or `evidence` (no model asked: what the log and the graph support)."""
    model: dict[str, Any] | None = None
    """The model that answered (`ModelIdentity.to_dict()`), None with `--no-model`."""
    threshold: float = 0.0
    waiting_job: str = ""
    """The job a person answers when the confidence is under the threshold."""
    notes: list[str] = field(default_factory=list)
    redacted: dict[str, int] = field(default_factory=dict)
    """Distinct secrets replaced by `[REDACTED:<kind>]` in this diagnosis and what the model was sent, by kind."""

    @property
    def needs_person(self) -> bool:
        return self.confidence < self.threshold

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["needs_person"] = self.needs_person
        data["repeated"] = [{"template": template, "lines": count} for template, count in self.repeated]
        return data


def repository_files(repo: Path) -> list[str]:
    from memory.codegraph.cache import list_source_files

    return list_source_files(repo)


def build_graph(repo: Path, cache_dir: Path | None) -> CodeGraph:
    from memory.codegraph import CodeGraph

    return CodeGraph.build(repo, cache_dir=cache_dir)


def message_lines(block: str) -> list[str]:
    """The lines of an error block that carry its message (pytest's `E` lines, `…Error: …`), most telling first:
    what the error text is matched with in the code, before the source lines around them."""
    lines = block.splitlines()
    return [line for line in lines if line.startswith("E ") or MESSAGE_LINE.search(line)][:MESSAGE_LINES]


def evidence_confidence(files: list[RankedSource], error_line: str) -> float:
    if files and files[0].reason.startswith(("innermost repository frame", "frame ")):
        return EVIDENCE_CONFIDENCE["frame"]
    if files:
        return EVIDENCE_CONFIDENCE["named"]
    return EVIDENCE_CONFIDENCE["error only" if error_line else "nothing"]


def read_log(
    text: str,
    repo_paths: list[str] | None = None,
    graph: CodeGraph | None = None,
    top_k: int = 10,
) -> Diagnosis:
    """Everything the log and the repository show without a model; `confidence` is the evidence's."""
    lines = clean_lines(text)
    kinds = detect_kinds(lines)
    excerpt = cut_log(lines)
    frames = find_frames(lines)
    tests = failed_tests(lines)
    error_text = "\n".join([*message_lines(excerpt.first_error), *tests[:5], excerpt.first_error])[:ERROR_TEXT_CHARS]
    messages = "\n".join([excerpt.error_line, *message_lines(excerpt.first_error)])
    files = rank_sources(frames, tests, error_text, messages, repo_paths, graph, top_k)
    return Diagnosis(
        kind=primary_kind(kinds),
        kinds=kinds,
        failing_step=excerpt.failing_step or (f"{primary_kind(kinds)}: {tests[0]}" if tests else ""),
        error_line=excerpt.error_line,
        first_error=excerpt.first_error,
        failed_tests=tests[:50],
        files=files,
        tail=excerpt.tail,
        repeated=excerpt.repeated,
        total_lines=excerpt.total_lines,
        confidence=evidence_confidence(files, excerpt.error_line),
    )
