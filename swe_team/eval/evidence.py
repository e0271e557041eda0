"""The evidence of an instance: a test run as its log shows it, the line of a tool's output that says what went
wrong, and the words that group alike failures in the summary."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.test_results import TestReport

_RAISED = re.compile(r"^\s*(?:E\s+)?([\w.]*(?:Error|Exception|Exit)\b:?.*)$", re.MULTILINE)
_ERROR_NAME = re.compile(r"([A-Za-z_][\w.]*(?:Error|Exception|Exit|Warning))\b")
_REPORTED = re.compile(r"^\s*((?:E\s|ERROR\b|error:).*)$", re.MULTILINE)


def cause_words(message: str) -> str:
    """A message's first line with paths, hashes and numbers blurred, so the same failure groups together."""
    first = (message.strip().splitlines() or [""])[0]
    first = re.sub(r"(/[\w.+-]+)+/?", "…", first)
    first = re.sub(r"\b[0-9a-f]{12,40}\b|\b\d+(\.\d+)*\b", "#", first)
    return first.split(";")[0].rstrip(":. ")[:160]


def key_line(output: str) -> str:
    """The line of a tool's output that most likely says what went wrong: the exception raised last, else the
    first error line, else the last line."""
    raised = list(_RAISED.finditer(output))
    found = raised[-1:] or list(_REPORTED.finditer(output))[:1]
    if not found:
        return (output.strip().splitlines()[-1:] or [""])[0][:300]
    line = found[0].group(1).strip()
    if line.endswith(":"):
        following = [text.strip() for text in output[found[0].end() :].splitlines() if text.strip(" E\t")]
        line = f"{line} {following[0].lstrip('E').strip()}" if following else line
    return line[:300]


def commonest_error(lines: list[str]) -> str:
    """The exception most of the evidence lines name (what groups instances failing the same way)."""
    names = [match.group(1) if (match := _ERROR_NAME.search(line)) else line for line in lines]
    return Counter(names).most_common(1)[0][0] if names else "no evidence"


def describe_run(report: TestReport) -> str:
    lines = [f"$ {report.command}", report.summary(), ""]
    lines += [f"{case.outcome.upper():8} {case.test_id}" for case in sorted(report.cases, key=lambda c: c.test_id)]
    return "\n".join([*lines, "", "--- output (last part) ---", report.output])
