"""A build log cut to what matters: the failing step, the first error block, the tail with repeats templated.

Repeated lines (a download bar, the same warning for 300 files) are clustered with Drain3: a run of lines of one
template becomes one line `[×N] template`, and the templates seen most often are listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TAIL_LINES = 200
ERROR_BLOCK_LINES = 40
CONTEXT_BEFORE = 3
DRAIN_LINES = 20_000
"""Lines Drain3 clusters at most (the end of the log): enough for any tail, bounded time on a huge log."""
MIN_REPEAT = 3
FILE_POSITION = re.compile(r'\.\w{1,6}(", line |:|\()\d+')
"""A stack frame or compiler position: such lines are never folded, each names a different place."""

_STEP_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^##\[group\]Run (?P<step>.+)$"), "before-error"),
    (re.compile(r"^#\d+ (?P<step>\[[^\]]*\d+/\d+\] .+)$"), "before-error"),
    (re.compile(r"^Step \d+/\d+ : (?P<step>.+)$"), "before-error"),
    (re.compile(r"^\[Pipeline\] \{ \((?P<step>.+)\)$"), "before-error"),
    (re.compile(r"^\$ (?P<step>.+)$"), "before-error"),
    (re.compile(r"^> Task (?P<step>:\S+) FAILED$"), "first"),
    (re.compile(r"^\[ERROR\] Failed to execute goal (?P<step>\S+)"), "first"),
    (re.compile(r"^npm (?:ERR!|error) command (?:failed|sh -c) ?(?P<step>.+)$"), "first"),
    (re.compile(r"^npm ERR! \S+ (?P<step>\w+): `.+`$"), "first"),
    (re.compile(r"^FAIL\s+(?P<step>\S+)\s+[\d.]+s$"), "first"),
    (re.compile(r"^error: could not compile `(?P<step>[^`]+)`"), "first"),
    (re.compile(r"^error: test failed, to rerun pass (?P<step>.+)$"), "first"),
)
ERROR_START = re.compile(
    r"^(_{3,} .* _{3,}$|Traceback \(most recent call last\)|(FAIL|ERROR): \w+ \(|--- FAIL: |panic: |"
    r"error(\[E\d+\])?: |\S+\.\w+:\d+(:\d+)?: error|\S+\(\d+,\d+\): error|\s*● |\[ERROR\] |npm (ERR!|error) |"
    r"ERROR: |FAILURE: |E\s{2,}\S|FAILED |\S*(Error|Exception)\b.*:)"
)
ERROR_WORDS = re.compile(r"\b(error|failed|failure|exception|panic|cannot|conflict|not found)\b", re.IGNORECASE)


@dataclass
class LogExcerpt:
    failing_step: str
    first_error: str
    """The first error block, at most `ERROR_BLOCK_LINES` lines."""
    error_line: str
    """The one line of the first error that says most: the line an error type or message is on."""
    error_index: int
    """Where the first error block starts (line index), -1 when the log shows none."""
    tail: str
    """The last `TAIL_LINES` lines, runs of one template folded to one line."""
    repeated: list[tuple[str, int]] = field(default_factory=list)
    """The most repeated templates and how many lines each stands for."""
    total_lines: int = 0


def failing_step(lines: list[str], error_index: int) -> str:
    """The step that failed: the CI or docker step open when the first error came (the nearest one above it),
    else what the tool itself says failed."""
    limit = error_index if error_index >= 0 else len(lines) - 1
    for index in range(limit, -1, -1):
        for pattern, where in _STEP_PATTERNS:
            match = pattern.match(lines[index]) if where == "before-error" else None
            if match:
                return match.group("step").strip()
    for pattern, where in _STEP_PATTERNS:
        if where == "first":
            for line in lines:
                match = pattern.match(line)
                if match:
                    return match.group("step").strip()
    return ""


def first_error_index(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if ERROR_START.match(line):
            return index
    for index, line in enumerate(lines):
        if ERROR_WORDS.search(line):
            return index
    return -1


def _block_end(lines: list[str], start: int) -> int:
    blank_run = 0
    for index in range(start + 1, min(len(lines), start + ERROR_BLOCK_LINES)):
        blank_run = blank_run + 1 if not lines[index].strip() else 0
        if blank_run >= 2 or (index > start + 1 and lines[index].startswith("_" * 5) and "_ " in lines[index]):
            return index
    return min(len(lines), start + ERROR_BLOCK_LINES)


def key_line(block: list[str]) -> str:
    """The line of an error block that names the error: pytest's `E   ...`, `SomeError: ...`, `error: ...`."""
    for pattern in (
        r"^E\s{2,}\S",
        r"^\s*\w+(\.\w+)*(Error|Exception|Conflict|Impossible)\b:?",
        r"error(\[E\d+\])?:|error TS\d+|panic: |ERROR: |npm (ERR!|error) ",
    ):
        for line in block:
            if re.search(pattern, line):
                return line.strip()
    meaningful = [line.strip() for line in block if line.strip()]
    return next((line for line in meaningful if ERROR_WORDS.search(line)), meaningful[0] if meaningful else "")


def template_runs(lines: list[str]) -> tuple[list[str], list[tuple[str, int]]]:
    """`lines` with runs of one Drain3 template folded, and the templates with the most lines."""
    import logging

    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig

    logging.getLogger("drain3").setLevel(logging.WARNING)
    config = TemplateMinerConfig()
    config.profiling_enabled = False
    miner = TemplateMiner(config=config)
    clusters = [
        miner.add_log_message(line)["cluster_id"] if line.strip() and not FILE_POSITION.search(line) else 0
        for line in lines
    ]
    templates = {cluster.cluster_id: cluster.get_template() for cluster in miner.drain.clusters}
    sizes = {cluster.cluster_id: cluster.size for cluster in miner.drain.clusters}
    folded: list[str] = []
    index = 0
    while index < len(lines):
        end = index
        while end + 1 < len(lines) and clusters[end + 1] == clusters[index] and clusters[index]:
            end += 1
        run = end - index + 1
        folded.append(f"[×{run}] {templates[clusters[index]]}" if run >= MIN_REPEAT else lines[index])
        if run < MIN_REPEAT:
            folded.extend(lines[index + 1 : end + 1])
        index = end + 1
    repeated = sorted(
        ((templates[c], size) for c, size in sizes.items() if size >= MIN_REPEAT), key=lambda item: -item[1]
    )
    return folded, repeated[:5]


def cut_log(lines: list[str], tail_lines: int = TAIL_LINES) -> LogExcerpt:
    """The excerpt of a cleaned log (see `log_kinds.clean_lines`)."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    error_index = first_error_index(lines)
    block: list[str] = []
    if error_index >= 0:
        start = max(0, error_index - CONTEXT_BEFORE) if not ERROR_START.match(lines[error_index]) else error_index
        block = lines[start : _block_end(lines, error_index)]
    clustered = lines[-DRAIN_LINES:]
    folded, repeated = template_runs(clustered)
    tail = folded[-tail_lines:]
    return LogExcerpt(
        failing_step=failing_step(lines, error_index),
        first_error="\n".join(block),
        error_line=key_line(block),
        error_index=error_index,
        tail="\n".join(tail),
        repeated=repeated,
        total_lines=len(lines),
    )
