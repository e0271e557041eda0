"""Stack frames, file positions and failed test ids, read from a build log's lines.

Each `Frame` keeps where the log named it (`line_index`) and how close it sits to the error (`depth`: 0 is the
innermost frame of its trace — last in a Python traceback, first in a Java, Node or Go one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

SOURCE_EXTENSIONS = r"py|pyx|java|kt|scala|groovy|[cm]?[jt]sx?|go|rs|rb|php|cs|c|cc|cpp|cxx|h|hpp|swift"
BLOCK_GAP = 3
"""Non-frame lines after which the next frame starts a new trace (Java, Node, Go, Rust: one frame a line)."""
PYTHON_BLOCK_GAP = 80
"""The same for Python frames, between which pytest's long tracebacks print a whole function's source."""
TRACE_START = re.compile(r"^(_{3,} .* _{3,}|={3,}.*|Traceback \(most recent call last\):|-{3,} .* -{3,})$")
"""A line that starts a new trace: pytest's per-test header, a section rule, a Python traceback's first line."""


@dataclass(frozen=True)
class Frame:
    path: str
    """As the log wrote it: absolute, relative, or made from a Java class name (`com/x/Foo.java`)."""
    line: int
    function: str
    line_index: int
    depth: int = 0
    innermost_last: bool = True
    block: int = 0
    """Which trace of the log the frame belongs to."""


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    innermost_last: bool


_PATTERNS = (
    _Pattern(re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+)(?:, in (?P<func>\S+))?'), True),
    _Pattern(re.compile(r"^(?P<path>[\w./\\-]+\.(?:py|pyx)):(?P<line>\d+):(?: in (?P<func>\S+)| \w[\w.]*)?$"), True),
    _Pattern(
        re.compile(r"^\s*at (?P<func>[\w$.<>/]+)\((?P<file>[\w$]+\.(?:java|kt|scala|groovy)):(?P<line>\d+)\)"), False
    ),
    _Pattern(
        re.compile(r"^\s*at (?:(?P<func>[^\s(]+) )?\(?(?P<path>[^\s()]+\.(?:[cm]?[jt]sx?)):(?P<line>\d+):\d+\)?$"),
        False,
    ),
    _Pattern(re.compile(r"^\s+(?P<path>/?[\w./@-]+\.go):(?P<line>\d+)(?: \+0x[0-9a-f]+)?$"), False),
    _Pattern(re.compile(r"^\s*--> (?P<path>[\w./\\-]+\.rs):(?P<line>\d+):\d+"), False),
    _Pattern(re.compile(r"panicked at (?:'[^']*', )?(?P<path>[\w./\\-]+\.rs):(?P<line>\d+):\d+"), False),
    _Pattern(re.compile(r"^(?P<path>[\w./\\-]+\.tsx?)\((?P<line>\d+),\d+\): error"), False),
    _Pattern(re.compile(r"^(?:\[ERROR\] )?(?P<path>[\w./\\:-]+\.(?:java|kt)):\[?(?P<line>\d+)[,:\]]"), False),
    _Pattern(re.compile(r"^(?:\S+\s+)?(?P<path>[\w./\\-]+\.(?:tsx?|go|rs)):(?P<line>\d+):\d+(?: -)? "), False),
    _Pattern(re.compile(r"^\s+(?P<path>[\w./-]+_test\.go):(?P<line>\d+): "), False),
    _Pattern(re.compile(r"^(?P<path>Dockerfile[\w.-]*):(?P<line>\d+)$"), False),
)
_ANY_POSITION = re.compile(rf"(?<![\w/.-])(?P<path>(?:[\w.-]+/)*[\w.-]+\.(?:{SOURCE_EXTENSIONS})):(?P<line>\d+)\b")

_TEST_IDS = (
    re.compile(r"^(?:FAILED|ERROR)\s+(?P<id>\S+\.py::[^\s]+)"),
    re.compile(r"^(?P<id>\S+\.py::\S+) (?:FAILED|ERROR)"),
    re.compile(r"^(?:FAIL|ERROR): (?P<name>\w+) \((?P<where>[\w.]+)\)"),
    re.compile(r"^\s*--- FAIL: (?P<id>\S+)"),
    re.compile(r"^\s*FAIL\s+(?P<id>\S+\.(?:test|spec)\.[cm]?[jt]sx?)"),
    re.compile(r"^test (?P<id>\S+) \.\.\. FAILED"),
    re.compile(r"^\[ERROR\]\s+(?P<id>[\w.$]+\.\w+):\d+ "),
    re.compile(r"^\[ERROR\] Tests run:.*<<< FAILURE! - in (?P<id>[\w.$]+)"),
)


def _java_path(qualified_function: str, file_name: str) -> str:
    """`com.x.Foo.bar` in `Foo.java` → `com/x/Foo.java`: the path the class's package gives."""
    parts = qualified_function.split(".")[:-1]
    while parts and parts[-1] != file_name.rsplit(".", 1)[0] and "$" not in parts[-1]:
        parts.pop()
    package = [part for part in parts[:-1] if part]
    return "/".join([*package, file_name])


def _frame_at(line: str, index: int) -> Frame | None:
    for pattern in _PATTERNS:
        match = pattern.regex.search(line)
        if match is None:
            continue
        groups = match.groupdict()
        function = groups.get("func") or ""
        if groups.get("file"):
            path = _java_path(function, groups["file"])
            function = function.rsplit(".", 1)[-1]
        else:
            path = groups["path"]
        return Frame(path.replace("\\", "/"), int(groups["line"]), function, index, 0, pattern.innermost_last)
    match = _ANY_POSITION.search(line)
    if match is not None and not match.group("path").startswith(("http", "www.")):
        return Frame(match.group("path"), int(match.group("line")), "", index, 0, False)
    return None


def _with_depths(block: list[Frame], number: int) -> list[Frame]:
    count = len(block)
    return [replace(f, depth=count - 1 - n if f.innermost_last else n, block=number) for n, f in enumerate(block)]


def find_frames(lines: list[str]) -> list[Frame]:
    """Every frame and file position, in log order, each with its depth in the trace it belongs to."""
    frames: list[Frame] = []
    block: list[Frame] = []
    for index, line in enumerate(lines):
        if TRACE_START.match(line) and block:
            frames.extend(_with_depths(block, index))
            block = []
        frame = _frame_at(line, index)
        if frame is None:
            continue
        if block:
            gap = PYTHON_BLOCK_GAP if frame.innermost_last and block[-1].innermost_last else BLOCK_GAP
            if index - block[-1].line_index > gap or frame.innermost_last != block[-1].innermost_last:
                frames.extend(_with_depths(block, index))
                block = []
        block.append(frame)
    frames.extend(_with_depths(block, len(lines)))
    return frames


def failed_tests(lines: list[str]) -> list[str]:
    """The ids of failed tests as the runner named them, each once, in log order."""
    found: dict[str, None] = {}
    for line in lines:
        for pattern in _TEST_IDS:
            match = pattern.search(line)
            if match is None:
                continue
            groups = match.groupdict()
            test_id = groups.get("id") or f"{groups['where']}.{groups['name']}"
            if groups.get("where", "").endswith(f".{groups.get('name')}"):
                test_id = groups["where"]
            found[test_id.rstrip(":")] = None
            break
    return list(found)
