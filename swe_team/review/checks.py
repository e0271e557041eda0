"""The deterministic checks a review merges with the model's findings, each kept to the lines the change touches:
dangerous code (tools/dangerous_code.py), Bandit, secrets (the project's redaction rules, `core/redaction`, which
also hide them from the model), and changed functions whose tests did not change."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.redaction import Redactor
from memory.codegraph.link import is_test_path
from swe_team.review.change import Change
from swe_team.review.findings import ReviewFinding, Severity
from swe_team.review.graph_context import ChangedFunction
from tools.dangerous_code import DangerousHit

BANDIT_SEVERITY: dict[str, Severity] = {"LOW": "minor", "MEDIUM": "major", "HIGH": "critical"}
BANDIT_CONFIDENCE = {"LOW": 0.4, "MEDIUM": 0.7, "HIGH": 0.9}
BANDIT_SKIPPED = ("B101",)
"""`assert` used: style, not a risk a review should raise."""


def dangerous_findings(hits: list[DangerousHit]) -> list[ReviewFinding]:
    return [
        ReviewFinding(
            file=hit.path,
            line=hit.line,
            end_line=hit.line,
            severity="blocker",
            category="security",
            title=f"dangerous code added: {hit.rule}",
            body=f"{hit.why}. Added here: `{hit.code}`.",
            suggestion="Avoid it, or add a reviewed use to review.dangerous_code_allow.",
            confidence=0.95,
            sources=["dangerous-code"],
            rule=hit.rule,
        )
        for hit in hits
    ]


@contextmanager
def _quiet(*loggers: str) -> Iterator[None]:
    """Bandit's and its plugin loader's log lines (a formatter it cannot load) kept off the user's terminal."""
    saved = {name: logging.getLogger(name).level for name in loggers}
    for name in loggers:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def _bandit_issues(folder: Path, paths: list[str]) -> list[tuple[str, int, int, str, str, str, str, str]]:
    """(path, line, last line, test id, test name, severity, confidence, text) of each issue Bandit finds."""
    from bandit.core import config as bandit_config
    from bandit.core import manager as bandit_manager

    profile = {"exclude": list(BANDIT_SKIPPED)}
    with _quiet("bandit", "stevedore"):
        manager = bandit_manager.BanditManager(bandit_config.BanditConfig(), "file", quiet=True, profile=profile)
        manager.files_list = [str(folder / path) for path in paths]
        manager.run_tests()
    issues = []
    for issue in manager.get_issue_list():
        path = Path(issue.fname).relative_to(folder).as_posix()
        lines = list(issue.linerange) or [issue.lineno]
        issues.append(
            (path, issue.lineno, max(lines), issue.test_id, issue.test, issue.severity, issue.confidence, issue.text)
        )
    return issues


def bandit_findings(change: Change) -> list[ReviewFinding]:
    """Bandit on the new text of every changed Python file outside the tests, only issues starting on a touched
    line."""
    wanted = {
        diff.path: diff.touched_lines
        for diff in change.files
        if diff.path.endswith(".py") and not is_test_path(diff.path)
    }
    texts = {path: text for path in wanted if (text := change.new_text(path)) is not None}
    if not texts:
        return []
    with tempfile.TemporaryDirectory(prefix="swe-team-review-") as folder:
        for path, text in texts.items():
            target = Path(folder) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        issues = _bandit_issues(Path(folder), sorted(texts))
    return [
        ReviewFinding(
            file=path,
            line=line,
            end_line=max(line, last),
            severity=BANDIT_SEVERITY.get(severity, "minor"),
            category="security",
            title=f"{test_id} {name.replace('_', ' ')}",
            body=text,
            confidence=BANDIT_CONFIDENCE.get(confidence, 0.5),
            sources=["bandit"],
            rule=test_id,
        )
        for path, line, last, test_id, name, severity, confidence, text in issues
        if line in wanted[path]
    ]


@dataclass(frozen=True)
class SecretOnLine:
    line: int
    kind: str


def secrets_on_lines(lines: dict[int, str], redactor: Redactor) -> list[SecretOnLine]:
    """One entry per line holding a secret (line number → text in), with the kind of its first secret."""
    numbers = sorted(lines)
    starts, text, offset = [], [], 0
    for number in numbers:
        starts.append(offset)
        text.append(lines[number])
        offset += len(lines[number]) + 1
    found: dict[int, str] = {}
    for hit in redactor.find("\n".join(text)):
        index = max(position for position, start in enumerate(starts) if start <= hit.start)
        found.setdefault(numbers[index], hit.kind)
    return [SecretOnLine(number, kind) for number, kind in sorted(found.items())]


def lines_without_secrets(lines: list[str], redactor: Redactor) -> list[str]:
    """The lines with every secret replaced by `[REDACTED:<kind>]` (read together: a key split over two lines
    is still found)."""
    hidden = redactor.redact("\n".join(lines)).text.split("\n")
    return hidden if len(hidden) == len(lines) else [redactor.redact(line).text for line in lines]


def secret_findings(change: Change, redactor: Redactor) -> list[ReviewFinding]:
    findings = []
    for diff in change.files:
        for found in secrets_on_lines(diff.added_lines, redactor):
            findings.append(
                ReviewFinding(
                    file=diff.path,
                    line=found.line,
                    end_line=found.line,
                    severity="blocker",
                    category="secrets",
                    title=f"secret in the code: {found.kind}",
                    body=f"Line {found.line} adds what looks like a {found.kind}. Anyone who can read the "
                    "repository can use it, and it stays in the history after it is removed.",
                    suggestion="Revoke it, then read it from the environment or a secret store.",
                    confidence=0.8,
                    sources=["secrets"],
                    rule=found.kind,
                )
            )
    return findings


def _untested_sentence(function: ChangedFunction) -> str:
    if function.tests:
        tests = ", ".join(function.tests[:3])
        return f"`{function.qualname}` changed but none of the tests that exercise it ({tests}) did"
    return f"`{function.qualname}` changed and no test exercises it"


def untested_findings(change: Change, functions: list[ChangedFunction]) -> list[ReviewFinding]:
    """One finding per file for its changed public functions whose tests (as the code graph links them) did not
    change, on the first line the change touches in them."""
    changed_tests = {diff.path for diff in change.files if is_test_path(diff.path)}
    by_file: dict[str, list[ChangedFunction]] = {}
    for function in functions:
        private = any(part.startswith("_") for part in function.qualname.split("."))
        if is_test_path(function.path) or private or function.nested:
            continue
        if not set(function.tests) & changed_tests:
            by_file.setdefault(function.path, []).append(function)
    findings = []
    for path, untested in by_file.items():
        untested.sort(key=lambda function: function.first_touched)
        names = ", ".join(function.qualname for function in untested[:5])
        more = f" and {len(untested) - 5} more" if len(untested) > 5 else ""
        line = min(function.first_touched for function in untested)
        findings.append(
            ReviewFinding(
                file=path,
                line=line,
                end_line=line,
                severity="minor",
                category="tests",
                title=f"changed without a test change: {names}{more}",
                body="; ".join(_untested_sentence(function) for function in untested[:5]) + ".",
                suggestion="Add or update a test for the behaviour this change introduces.",
                confidence=0.6 if all(function.tests for function in untested) else 0.5,
                sources=["tests"],
                rule="untested-change",
            )
        )
    return findings
