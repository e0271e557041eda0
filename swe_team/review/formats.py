"""A review written out: JSON, SARIF 2.1.0 (GitHub code scanning), GitLab Code Quality, or Markdown for a comment."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from swe_team.review.findings import ReviewFinding
from swe_team.review.result import ReviewResult

FORMATS = ("json", "sarif", "codequality", "markdown")
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_LEVEL = {"blocker": "error", "critical": "error", "major": "warning", "minor": "note", "info": "note"}
TOOL_NAME = "swe-team review"


def rule_id(finding: ReviewFinding) -> str:
    return finding.rule or f"review/{finding.category}"


def fingerprint(finding: ReviewFinding) -> str:
    """Stable while the problem stays: its file, rule and title, not its line (lines move as code is added)."""
    key = "\x1f".join((finding.file, rule_id(finding), finding.title))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def to_json(result: ReviewResult) -> str:
    return json.dumps(result.to_dict(), indent=2)


def _sarif_result(finding: ReviewFinding, rule_index: int) -> dict[str, Any]:
    text = finding.title + ": " + finding.body + (f" Suggestion: {finding.suggestion}" if finding.suggestion else "")
    return {
        "ruleId": rule_id(finding),
        "ruleIndex": rule_index,
        "level": SARIF_LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": finding.file, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": finding.line, "endLine": finding.end_line},
                }
            }
        ],
        "partialFingerprints": {"sweTeamReview/v1": fingerprint(finding)},
        "properties": {
            "severity": finding.severity,
            "category": finding.category,
            "confidence": finding.confidence,
            "sources": finding.sources,
        },
    }


def to_sarif(result: ReviewResult, version: str) -> str:
    rules: dict[str, dict[str, Any]] = {}
    for finding in result.findings:
        rules.setdefault(
            rule_id(finding),
            {
                "id": rule_id(finding),
                "shortDescription": {"text": finding.title},
                "properties": {"tags": [finding.category]},
            },
        )
    index = {name: position for position, name in enumerate(rules)}
    run = {
        "tool": {"driver": {"name": TOOL_NAME, "version": version, "rules": list(rules.values())}},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": result.repo_uri}},
        "results": [_sarif_result(finding, index[rule_id(finding)]) for finding in result.findings],
        "properties": {"summary": result.summary, "score": result.score, "model": result.model},
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)


def to_codequality(result: ReviewResult) -> str:
    """GitLab's Code Quality report: one issue per finding, its severity one of GitLab's five."""
    issues = [
        {
            "type": "issue",
            "check_name": rule_id(finding),
            "description": f"{finding.title}: {finding.body}",
            "content": {"body": finding.suggestion or finding.body},
            "categories": [finding.category.replace("-", " ").title()],
            "severity": finding.severity,
            "fingerprint": fingerprint(finding),
            "location": {"path": finding.file, "lines": {"begin": finding.line, "end": finding.end_line}},
        }
        for finding in result.findings
    ]
    return json.dumps(issues, indent=2)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def to_markdown(result: ReviewResult) -> str:
    lines = [f"## swe-team review: {result.score}/100", "", result.summary or "No summary.", ""]
    if result.dangerous_code:
        lines += ["**Dangerous code added** (a person must approve it):", ""]
        lines += [
            f"- `{hit['path']}:{hit['line']}` {hit['rule']}: `{_cell(hit['code'])}`" for hit in result.dangerous_code
        ]
        lines.append("")
    if result.findings:
        lines += ["| severity | where | finding | confidence |", "|---|---|---|---|"]
        for finding in result.findings:
            where = f"`{finding.file}:{finding.line}`"
            lines.append(f"| {finding.severity} | {where} | {_cell(finding.title)} | {finding.confidence:.0%} |")
        lines.append("")
        for number, finding in enumerate(result.findings, 1):
            lines.append(
                f"<details><summary>{number}. {_cell(finding.title)} ({finding.file}:{finding.line})</summary>"
            )
            lines += ["", _cell(finding.body)]
            if finding.suggestion:
                lines += ["", f"Suggestion: {_cell(finding.suggestion)}"]
            lines += ["", f"Found by: {', '.join(finding.sources)}", "</details>", ""]
    else:
        lines += ["No findings on the lines this change touches.", ""]
    lines.append(f"<sub>{result.footer()}</sub>")
    return "\n".join(lines) + "\n"


def render(result: ReviewResult, kind: str, version: str) -> str:
    if kind == "sarif":
        return to_sarif(result, version)
    if kind == "codequality":
        return to_codequality(result)
    if kind == "markdown":
        return to_markdown(result)
    return to_json(result)
