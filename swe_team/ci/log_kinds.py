"""Which tools wrote a build log: each kind is recognized by lines only that tool prints.

A log often holds several (a docker build running pip, npm running jest): `detect_kinds` names them all, most
evidence first, and `primary_kind` prefers the tool that failed over the wrapper that ran it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")
CI_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ")
BUILDKIT_OUTPUT = re.compile(r"^#\d+ \d+\.\d+ ")
"""What docker buildkit puts before each line a step prints (`#8 1.204 `)."""
WRAPPERS = ("docker", "npm", "maven", "gradle")
"""Kinds that run other tools: a log with one of these and another kind is about the other one."""

SIGNATURES: dict[str, tuple[str, ...]] = {
    "pytest": (
        r"^=+ test session starts =+$",
        r"^=+ FAILURES =+$",
        r"^=+ short test summary info =+$",
        r"^(FAILED|ERROR)\s+\S+\.py::\S+",
        r"^\S+\.py:\d+: (in \S+|\w*Error)",
    ),
    "unittest": (
        r"^Ran \d+ tests? in [\d.]+s$",
        r"^(FAIL|ERROR): \w+ \([\w.]+\)",
        r"^FAILED \((failures|errors)=\d+",
    ),
    "maven": (
        r"^\[INFO\] BUILD FAILURE",
        r"^\[ERROR\] Failed to execute goal ",
        r"^\[INFO\] --- [\w.-]+:[\w.-]+:",
        r"Tests run: \d+, Failures: \d+, Errors: \d+",
    ),
    "gradle": (r"^FAILURE: Build failed with an exception", r"^> Task :\S+", r"^BUILD FAILED in "),
    "javac": (r"^\S+\.java:\d+: error: ", r"^\d+ errors?$"),
    "npm": (r"^npm (ERR!|error) ", r"^> \S+@\S+ \w+"),
    "jest": (r"^\s*● ", r"^Tests:\s+\d+ failed", r"^\s*FAIL\s+\S+\.(test|spec)\.[cm]?[jt]sx?"),
    "tsc": (r"error TS\d+: ", r"^Found \d+ errors?( in \d+ files?)?\."),
    "go": (r"^--- FAIL: ", r"^FAIL\s+\S+\s+[\d.]+s$", r"^panic: ", r"^ok\s+\S+\s+[\d.]+s", r"^\S+\.go:\d+:\d+: "),
    "cargo": (
        r"^error\[E\d{4}\]",
        r"^\s+--> \S+\.rs:\d+:\d+",
        r"^test result: FAILED",
        r"panicked at ",
        r"^\s*Compiling \S+ v\d",
    ),
    "pip": (
        r"ResolutionImpossible",
        r"pip's dependency resolver",
        r"conflicting dependencies",
        r"No matching distribution found for ",
        r"Could not find a version that satisfies the requirement",
        r"^The conflict is caused by:",
    ),
    "docker": (
        r"^#\d+ \[[^\]]*\d+/\d+\] ",
        r"^Step \d+/\d+ : ",
        r"failed to solve: ",
        r"The command '/bin/sh -c .*' returned a non-zero code",
        r"^Dockerfile:\d+$",
    ),
}
_COMPILED = {kind: [re.compile(pattern, re.MULTILINE) for pattern in patterns] for kind, patterns in SIGNATURES.items()}


def clean_lines(text: str) -> list[str]:
    """The log's lines without terminal colours, carriage-return redraws and CI timestamps."""
    lines = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = ANSI.sub("", raw.rsplit("\r", 1)[-1])
        lines.append(BUILDKIT_OUTPUT.sub("", CI_TIMESTAMP.sub("", line)).rstrip())
    return lines


def detect_kinds(lines: Iterable[str]) -> list[str]:
    """The kinds whose signatures occur, most distinct signatures (then most hits) first."""
    text = "\n".join(lines)
    evidence: dict[str, tuple[int, int]] = {}
    for kind, patterns in _COMPILED.items():
        hits = [len(pattern.findall(text)) for pattern in patterns]
        if any(hits):
            evidence[kind] = (sum(1 for count in hits if count), sum(hits))
    return sorted(evidence, key=lambda kind: (-evidence[kind][0], -evidence[kind][1], kind))


def primary_kind(kinds: list[str]) -> str:
    """The tool that failed: the best-evidenced kind that is not a wrapper, else the best wrapper, else unknown."""
    inner = [kind for kind in kinds if kind not in WRAPPERS]
    if inner:
        return inner[0]
    return kinds[0] if kinds else "unknown"
