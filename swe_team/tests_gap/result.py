"""What a tests-gap run found and did: each target function's coverage before and after, each test's fate, the
branch; as JSON, as the commit message and as the job's `report.md`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from swe_team.tests_gap.judging import Verdict
from swe_team.tests_gap.targets import FunctionCoverage, TargetFunction, total_coverage


@dataclass
class FunctionResult:
    target: TargetFunction
    before: FunctionCoverage
    after: FunctionCoverage
    changed: bool = False
    """Listed because the change since `--base` touched it."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.target.id,
            "path": self.target.path,
            "function": self.target.qualname,
            "lines": [self.target.start_line, self.target.end_line],
            "changed": self.changed,
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
        }


@dataclass
class GapResult:
    job_id: str
    repo: str
    base_commit: str
    mode: str
    """`changed` (functions the change since `--base` touched) or `uncovered` (those the tests miss most)."""
    test_command: str
    base_ref: str = ""
    functions: list[FunctionResult] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    test_files: list[str] = field(default_factory=list)
    branch: str = ""
    commits: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    model: str = ""
    redacted: dict[str, int] = field(default_factory=dict)
    """Secrets and configured patterns kept back from the model, the trajectory and these outputs, per kind."""

    @property
    def before(self) -> FunctionCoverage:
        return total_coverage([f.before for f in self.functions])

    @property
    def after(self) -> FunctionCoverage:
        return total_coverage([f.after for f in self.functions])

    @property
    def kept(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.kept]

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "repo": self.repo,
            "base_commit": self.base_commit,
            "base_ref": self.base_ref,
            "mode": self.mode,
            "test_command": self.test_command,
            "model": self.model,
            "functions": [f.to_dict() for f in self.functions],
            "total": {"before": self.before.to_dict(), "after": self.after.to_dict()},
            "tests": [v.to_dict() for v in self.verdicts],
            "test_files": self.test_files,
            "branch": self.branch,
            "commits": self.commits,
            "notes": self.notes,
            "usage": self.usage,
            "redacted": self.redacted,
        }

    def commit_message(self) -> str:
        improved = [f for f in self.functions if f.after.percent > f.before.percent]
        count = len(improved)
        subject = (
            f"Add tests for {count} function{'s' if count != 1 else ''}: "
            f"coverage {self.before.percent:.0f}% → {self.after.percent:.0f}%"
        )
        rows = [f"- {f.target.id}: {_fraction(f.before)} → {_fraction(f.after)}" for f in improved]
        dropped = len(self.verdicts) - len(self.kept)
        why = f"; {dropped} failed or added no coverage" if dropped else ""
        body = "\n".join(
            [
                "Coverage of the functions tested (lines, branches), before → after:",
                *rows,
                "",
                f"Kept {len(self.kept)} of the {len(self.verdicts)} tests written{why}. "
                f"Measured with coverage.py running `{self.test_command}`.",
                "",
                f"Job {self.job_id} by swe-team tests-gap.",
            ]
        )
        return f"{subject}\n\n{body}"

    def markdown(self) -> str:
        lines = [
            f"# tests-gap {self.job_id}",
            "",
            f"Repository {self.repo} at {self.base_commit[:10]}; "
            + (f"functions changed since {self.base_ref}." if self.mode == "changed" else "least covered functions."),
            "",
            "| function | lines before | lines after | branches before | branches after | % before | % after |",
            "|---|---|---|---|---|---|---|",
        ]
        for f in self.functions:
            lines.append(
                f"| `{f.target.id}` | {f.before.covered_lines}/{f.before.lines} | {f.after.covered_lines}/"
                f"{f.after.lines} | {f.before.covered_branches}/{f.before.branches} | {f.after.covered_branches}/"
                f"{f.after.branches} | {f.before.percent:.0f}% | {f.after.percent:.0f}% |"
            )
        lines += ["", "## Tests written", ""]
        lines += [f"- {'kept' if v.kept else 'dropped'} `{v.test_id}`: {v.reason}" for v in self.verdicts]
        if self.branch:
            lines += ["", f"Branch `{self.branch}` ({', '.join(c[:10] for c in self.commits)})."]
        lines += [f"- note: {note}" for note in self.notes]
        if self.redacted:
            kept_back = ", ".join(f"{count} {kind}" for kind, count in sorted(self.redacted.items()))
            lines += ["", f"Redacted before the model, the trajectory and this report: {kept_back}."]
        return "\n".join(lines) + "\n"


def _fraction(coverage: FunctionCoverage) -> str:
    return (
        f"{coverage.covered_lines}/{coverage.lines} lines, "
        f"{coverage.covered_branches}/{coverage.branches} branches ({coverage.percent:.0f}%)"
    )
