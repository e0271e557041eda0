"""Frames and test names mapped to the repository's files and functions, and the files ranked by the evidence.

Evidence, strongest first: a frame of the repository in a trace (the innermost repository frame of each trace
counts most, a test file's frames less than the code they test); the source files a failing test is named after
and the functions it calls (through the code graph); the error messages found among the code's own string literals;
the error text matched against the code (the model-free localizer). Without a code graph only the frames count, by
the paths the log wrote.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from swe_team.ci.frames import Frame

if TYPE_CHECKING:
    from memory.codegraph import CodeGraph

FRAME_WEIGHT = 3.0
SUBJECT_WEIGHT = 1.2
CALLEE_WEIGHT = 0.4
LEXICAL_WEIGHT = 1.0
MESSAGE_WEIGHT = 1.0
TEST_FILE_PRIOR = 0.2
TEST_HELPER_PRIOR = 0.5
VENDORED_PRIOR = 0.3
VENDORED = re.compile(r"(^|/)(packages|vendor(ed)?|_vendor|third_party|extern(al)?)/")
"""Other projects' code copied into the repository: in the trace, seldom what the repository's change fixes."""
TEST_HELPER = re.compile(r"(^|/)(pytester|testutils|test_?utils?|conftest)\.\w+$|(^|/)(test_?utils?|testing)/")
"""Code that runs or checks tests (pytest's pytester, a conftest): in many traces, rarely the fault."""
LEXICAL_FILES = 10
OUTSIDE_REPOSITORY = re.compile(
    r"(^|/)(site-packages|dist-packages|node_modules|\.cargo/registry|go/pkg/mod|lib/python\d[\d.]*|rustc)/"
    r"|^<|^/usr/(lib|local/lib)/|^internal/|^runtime/"
)
TEST_PATH = re.compile(
    r"(^|/)(tests?|testing|__tests__|spec)/|(^|/)(test_[^/]*|[^/]*_test\.\w+|[^/]*\.(test|spec)\.\w+|\w+Tests?\.java)$"
)


@dataclass
class RankedSource:
    path: str
    score: float
    reason: str
    functions: list[str] = field(default_factory=list)
    """`Qual.name (line N)` of the functions the frames point into."""
    in_repository: bool = True


class PathMap:
    """Log paths (absolute, relative, from a class name) to repository paths, by the longest matching suffix."""

    def __init__(self, repo_paths: list[str]) -> None:
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for path in repo_paths:
            self.by_name[posixpath.basename(path)].append(path)

    def resolve(self, log_path: str) -> str | None:
        path = log_path.replace("\\", "/").removeprefix("./")
        candidates = self.by_name.get(posixpath.basename(path), [])
        whole = [c for c in candidates if path == c or path.endswith("/" + c)]
        if whole:
            return max(whole, key=len)
        partial = [c for c in candidates if c.endswith("/" + path)]
        return partial[0] if len(partial) == 1 else None


class Evidence:
    """Scores per file, each file keeping the reason of its largest contribution and the functions named."""

    def __init__(self) -> None:
        self.scores: dict[str, float] = defaultdict(float)
        self.reasons: dict[str, tuple[float, str]] = {}
        self.functions: dict[str, dict[str, int]] = defaultdict(dict)
        """Per file, the functions named (qualified name → the line named first)."""

    def add(self, path: str, value: float, reason: str) -> None:
        self.scores[path] += value
        if path not in self.reasons or value > self.reasons[path][0]:
            self.reasons[path] = (value, reason)


def _prior(path: str) -> float:
    if TEST_PATH.search(path):
        return TEST_FILE_PRIOR
    return TEST_HELPER_PRIOR if TEST_HELPER.search(path) else 1.0


def _frame_evidence(evidence: Evidence, frames: list[Frame], paths: PathMap | None, graph: CodeGraph | None) -> None:
    blocks: dict[int, list[tuple[Frame, str]]] = defaultdict(list)
    for frame in frames:
        mapped = paths.resolve(frame.path) if paths is not None else None
        if mapped is None and (paths is not None or OUTSIDE_REPOSITORY.search(frame.path)):
            continue
        blocks[frame.block].append((frame, mapped or frame.path))
    for block in blocks.values():
        rank = 0
        for frame, path in sorted(block, key=lambda pair: pair[0].depth):
            where = f"{path}:{frame.line}" + (f" in {frame.function}" if frame.function else "")
            if VENDORED.search(path):
                evidence.add(path, FRAME_WEIGHT * VENDORED_PRIOR / (1 + rank), f"vendored code in the trace: {where}")
                continue
            note = "innermost repository frame" if rank == 0 else f"frame {rank + 1} from the error"
            evidence.add(path, FRAME_WEIGHT * _prior(path) / (1 + rank), f"{note}: {where}")
            rank += 1
            function = _function_at(graph, path, frame)
            if function:
                evidence.functions[path].setdefault(function, frame.line)


def _function_at(graph: CodeGraph | None, path: str, frame: Frame) -> str:
    if graph is not None:
        enclosing = graph.enclosing(path, frame.line)
        if enclosing is not None and enclosing.kind != "file":
            return enclosing.qualname
    return frame.function if frame.function and not frame.function.startswith("<") else ""


def pytest_node(test_id: str) -> tuple[str, str]:
    """(file, `Class.function`) of a pytest id `a/test_x.py::TestC::test_m[p]`; ("", "") for other ids."""
    if "::" not in test_id:
        return "", ""
    path, _, rest = test_id.partition("::")
    return path, ".".join(part.split("[", 1)[0] for part in rest.split("::"))


def _test_node(graph: CodeGraph, paths: PathMap, test_id: str) -> str | None:
    """The graph node of a failed test: a pytest id by its file, a dotted unittest or Maven id by name."""
    log_path, qualname = pytest_node(test_id)
    if log_path:
        path = paths.resolve(log_path)
        return f"{path}:{qualname}" if path else None
    found = graph.resolve_symbol(test_id) if "." in test_id else []
    return found[0] if len(found) == 1 else None


def _test_evidence(evidence: Evidence, graph: CodeGraph, paths: PathMap, test_ids: list[str]) -> None:
    from memory.codegraph.localize import subjects_of_test

    counted = test_ids[:20]
    for test_id in counted:
        node = _test_node(graph, paths, test_id)
        if node is None:
            continue
        for subject in subjects_of_test(graph, node.partition(":")[0]):
            evidence.add(subject, SUBJECT_WEIGHT / len(counted), f"the failing test {test_id} is named after it")
        if node not in graph.graph:
            continue
        called: dict[str, str] = {}
        for callee, _ in graph.callees(node, hops=1):
            if not TEST_PATH.search(callee.path):
                called.setdefault(callee.path, callee.qualname)
                evidence.functions[callee.path].setdefault(callee.qualname, callee.start_line)
        for path, qualname in called.items():  # once per file: a helper called ten times is still one lead
            evidence.add(path, CALLEE_WEIGHT * _prior(path), f"the failing test {test_id} calls {qualname}")


def _message_evidence(evidence: Evidence, graph: CodeGraph, messages: str) -> None:
    """Files whose own string literals the error messages show: the code that wrote the message."""
    from memory.codegraph.literals import code_strings_in

    for node, (weight, reason) in code_strings_in(graph, messages).items():
        path = node.partition(":")[0]
        if ":" in node or TEST_PATH.search(path):
            continue
        strength = MESSAGE_WEIGHT * min(1.0, weight) ** 2 * _prior(path)  # a short common phrase proves little
        evidence.add(path, strength, reason.replace("the issue", "the error message"))


def _lexical_evidence(evidence: Evidence, graph: CodeGraph, error_text: str) -> None:
    from memory.codegraph import localize

    found = localize(graph, error_text, top_k=LEXICAL_FILES)
    top = max((f.score for f in found.files), default=0.0)
    for ranked in found.files:
        if top > 0:
            evidence.add(
                ranked.path, LEXICAL_WEIGHT * ranked.score / top, f"the error text matches it ({ranked.reason})"
            )


def rank_sources(
    frames: list[Frame],
    test_ids: list[str],
    error_text: str,
    messages: str,
    repo_paths: list[str] | None,
    graph: CodeGraph | None,
    top_k: int = 10,
) -> list[RankedSource]:
    """The files most likely at fault, best first."""
    evidence = Evidence()
    paths = PathMap(repo_paths) if repo_paths is not None else None
    _frame_evidence(evidence, frames, paths, graph)
    if graph is not None and paths is not None:
        _test_evidence(evidence, graph, paths, test_ids)
        if error_text.strip():
            _lexical_evidence(evidence, graph, error_text)
        if messages.strip():
            _message_evidence(evidence, graph, messages)
    ranked = sorted(evidence.scores.items(), key=lambda item: (-item[1], item[0]))[:top_k]
    return [
        RankedSource(
            path=path,
            score=round(score, 4),
            reason=evidence.reasons[path][1],
            functions=[f"{name} (line {line})" for name, line in list(evidence.functions[path].items())[:5]],
            in_repository=paths is not None,
        )
        for path, score in ranked
    ]
