"""From an issue text to ranked files and functions, without a model: lexical + exact mentions + graph."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from memory.codegraph.arguments import argument_callees
from memory.codegraph.attributes import attribute_users
from memory.codegraph.collection import collection_paused
from memory.codegraph.issue_code import code_uses, implied_methods
from memory.codegraph.issue_text import readable, without_links
from memory.codegraph.lexical import LexicalIndex
from memory.codegraph.link import is_test_path
from memory.codegraph.literals import code_strings_in, literal_hits
from memory.codegraph.mentions import MentionHits, handlers_of_named_classes, match_mentions
from memory.codegraph.options import option_readers
from memory.codegraph.ranking_cache import lexical_index
from memory.codegraph.reach import reached
from memory.codegraph.text import find_mentions, weighted_query
from memory.codegraph.timing import Stopwatch

if TYPE_CHECKING:
    from memory.codegraph.embeddings import Reranker
    from memory.codegraph.graph import CodeGraph

TEST_PENALTY = 0.25
AUXILIARY = re.compile(
    r"(^|/)(docs?|examples?|bench(marks?)?|scripts?|extra)/|(^|/)(setup|conftest|noxfile|tasks)\.py$"
)
"""Documentation, examples and packaging scripts: rarely where a fix goes."""
VENDORED = re.compile(r"(^|/)(packages|vendor(ed)?|_vendor|third_party|extern(al)?)/")
"""Copies of other projects: fixed upstream, not here."""
TEST_HELPER = re.compile(r"(^|/)(pytester|testutils|testing|test_?utils?)(/|\.py$)")
"""Helpers for writing tests: they share an issue's words far more often than they need the fix."""
VENDORED_PRIOR = 0.3
HELPER_PRIOR = 0.5
AUXILIARY_PRIOR = 0.5
PROPAGATED_SEEDS = 30
FILE_LEXICAL_WEIGHT = 6.0
FUNCTION_FILE_WEIGHT = 0.5
LITERAL_WEIGHT = 2.0
TESTS_BRIDGED = 5
"""Test files best matching the issue whose subject modules get a share of their score."""
TEST_BRIDGE_WEIGHT = 2.0
TESTS_REACHED = 5
TEST_REACH_WEIGHT = 0.5
OPTION_USE_WEIGHT = 1.0
ATTRIBUTE_USE_WEIGHT = 1.0
"""A use of an attribute the issue names (`obj.pytestmark = …`), relative to a phrase the issue quotes."""
MESSAGE_WEIGHT = 1.0
"""A code string the issue shows, relative to a phrase the issue quotes that is found in the code."""
RERANKED = 60
"""Functions the optional embeddings re-rank: the best-scored ones (encoding is slow without a GPU)."""
EMBEDDING_WEIGHT = 2.0
FOLLOWED_WEIGHT = 1.5
"""A function acting on an argument or attribute the issue's code uses, relative to a name the issue writes."""
HANDLER_WEIGHT = 2.0
"""A method named after a class the issue names (`_print_Float`), shared among that class's handlers; it ranks
functions only, since every printer holds one."""
CONSTRUCTOR_SHARE = 0.5
"""A class's score its `__init__` takes when the class itself is what the issue points at."""


@dataclass(frozen=True)
class RankedFile:
    path: str
    score: float
    reason: str


@dataclass(frozen=True)
class RankedFunction:
    id: str
    """`path.py:Class.method`."""
    path: str
    qualname: str
    start_line: int
    end_line: int
    score: float
    reason: str


@dataclass
class Localization:
    """A ranked shortlist for the localizer role; `to_prediction()` is a benchmark prediction line."""

    files: list[RankedFile] = field(default_factory=list)
    functions: list[RankedFunction] = field(default_factory=list)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds per step: the lexical index (built or loaded), reading the issue, each signal, the ranking."""
    phases_cpu: dict[str, float] = field(default_factory=dict)

    def to_prediction(self, instance_id: str = "") -> dict[str, Any]:
        modules = list(dict.fromkeys(f"{f.path}:{f.qualname.split('.')[0]}" for f in self.functions))
        prediction: dict[str, Any] = {"instance_id": instance_id} if instance_id else {}
        prediction.update(
            found_files=[f.path for f in self.files],
            found_modules=modules,
            found_entities=[f.id for f in self.functions],
        )
        return prediction

    def to_dict(self) -> dict[str, Any]:
        data = self.to_prediction()
        data["files"] = [{"path": f.path, "score": round(f.score, 4), "reason": f.reason} for f in self.files]
        data["functions"] = [
            {"id": f.id, "lines": [f.start_line, f.end_line], "score": round(f.score, 4), "reason": f.reason}
            for f in self.functions
        ]
        data["seconds"] = round(self.seconds, 4)
        data["phases"] = {name: round(seconds, 4) for name, seconds in self.phases.items()}
        return data


def _prior(path: str) -> float:
    if is_test_path(path):
        return TEST_PENALTY
    if VENDORED.search(path):
        return VENDORED_PRIOR
    if TEST_HELPER.search(path):
        return HELPER_PRIOR
    return AUXILIARY_PRIOR if AUXILIARY.search(path) else 1.0


def _module_parts(path: str) -> list[str]:
    """`sphinx/pycode/ast.py` → sphinx, pycode, ast; a package's `__init__.py` stands for the package."""
    parts = path.removesuffix(".py").split("/")
    return parts[:-1] if parts[-1] == "__init__" else parts


def subjects_of_test(graph: CodeGraph, test_path: str) -> list[str]:
    """The source files a test file is named after: `test_skipping.py`, `unittest_expand_modules.py`, and with its
    package in the name, `test_pycode_ast.py` (`pycode/ast.py`) or `test_ext_autodoc.py` (`ext/autodoc/`)."""
    stem = test_path.rsplit("/", 1)[-1].removesuffix(".py")
    for affix in ("unittest_", "test_"):
        stem = stem.removeprefix(affix)
    stem = stem.removesuffix("_test")
    sources = [path for path in graph.resolver.records if not is_test_path(path)]
    named = [path for path in sources if path.rsplit("/", 1)[-1].removesuffix(".py") == stem]
    if not named:
        named = [path for path in sources if "_".join(_module_parts(path)[-2:]) == stem]
    return named if len(named) <= 2 else []


def _normalized(values: Any) -> Any:
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else values


def _entity(graph: CodeGraph, node: str) -> str | None:
    """The function a hit is reported as: a top-level function or a method of a top-level class."""
    path, _, qualname = node.partition(":")
    parts = qualname.split(".")
    nodes = graph.graph.nodes
    top = f"{path}:{parts[0]}"
    if top not in nodes:
        return None
    if nodes[top]["kind"] != "class":
        return top
    if len(parts) >= 2 and nodes.get(f"{top}.{parts[1]}", {}).get("kind") == "method":
        return f"{top}.{parts[1]}"
    if len(parts) == 1 and nodes.get(f"{top}.__init__", {}).get("kind") == "method":
        return f"{top}.__init__"
    return None


def _semantic(graph: CodeGraph, task_text: str, scores: dict[str, float], reranker: Reranker) -> dict[str, float]:
    from memory.codegraph.embeddings import similarities

    functions = [node for node in scores if graph.graph.nodes[node]["kind"] != "class"]
    candidates = sorted(functions, key=lambda node: (-scores[node], node))[:RERANKED]
    return similarities(graph, task_text, candidates, reranker)


def _lexical_reason(shared_terms: list[str]) -> str:
    shared = sorted(shared_terms, key=lambda term: (-len(term), term))[:4]
    return "lexical match: " + ", ".join(shared) if shared else "lexical match"


@dataclass
class Scoreboard:
    """Scores summed per key, each key keeping the reason of its largest single contribution."""

    scores: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    reasons: dict[str, tuple[float, str]] = field(default_factory=dict)
    lexical: dict[str, float] = field(default_factory=dict)
    """Each key's own lexical match (0..1), for the signals that weigh the graph by it."""

    def add(self, key: str, value: float, reason: str) -> None:
        self.scores[key] += value
        if key not in self.reasons or value > self.reasons[key][0]:
            self.reasons[key] = (value, reason)

    def reason(self, key: str) -> str:
        return self.reasons[key][1]


@collection_paused()
def localize(graph: CodeGraph, task_text: str, top_k: int = 10, reranker: Reranker | None = None) -> Localization:
    """Rank files and functions for `task_text`; each result carries a one-line reason.

    With a `reranker` (the optional embeddings extra), the best-scored functions are also compared with the issue
    by sentence embeddings.
    """
    started = time.perf_counter()
    watch = Stopwatch()
    with watch.step("lexical index"):
        index = lexical_index(graph)
    with watch.step("read the issue"):
        issue = readable(task_text)
        prose = without_links(issue)
        query = weighted_query(prose)
        mentions = find_mentions(issue)
    with watch.step("lexical scores"):
        file_lexical = _normalized(index.scores(query, files=True))
    with watch.step("names and paths"):
        hits: MentionHits = match_mentions(graph, mentions)
        for node, (value, reason) in code_uses(graph, issue).items():
            if value > hits.symbols.get(node, (0.0, ""))[0]:
                hits.symbols[node] = (value, reason)
        named = {node: value for node, (value, _) in hits.symbols.items()}
        for node, (value, reason) in implied_methods(graph, issue, named).items():
            hits.add(hits.symbols, node, value, reason)
        for node, (value, reason) in argument_callees(graph, issue).items():
            hits.add(hits.symbols, node, FOLLOWED_WEIGHT * value, reason)
    with watch.step("quoted text and options"):
        literals = literal_hits(graph, prose)
        for node, (value, reason) in code_strings_in(graph, issue).items():
            previous = literals.get(node, (0.0, ""))[0]
            literals[node] = (previous + MESSAGE_WEIGHT * value, reason)
        for node, (value, reason) in option_readers(graph, prose).items():
            previous = literals.get(node, (0.0, ""))[0]
            literals[node] = (previous + OPTION_USE_WEIGHT * value, reason)
        for node, (value, reason) in attribute_users(graph, index, issue).items():
            previous = literals.get(node, (0.0, ""))[0]
            literals[node] = (previous + ATTRIBUTE_USE_WEIGHT * value, reason)
    with watch.step("symbols"):
        symbols = _symbol_scores(graph, index, query, hits, literals)
    if reranker is not None:
        with watch.step("embeddings"):
            for node, similarity in _semantic(graph, prose, symbols.scores, reranker).items():
                reason = f"reads like the issue (similarity {similarity:.2f})"
                symbols.add(node, EMBEDDING_WEIGHT * max(similarity, 0.0), reason)
    with watch.step("files and ranking"):
        files = _file_scores(graph, index, file_lexical, symbols, hits, literals)
        named = {node: value for node, (value, _) in hits.symbols.items()}
        tests = sorted(((v, n) for n, v in symbols.lexical.items() if is_test_path(n.partition(":")[0])), reverse=True)
        for value, node in tests[:TESTS_REACHED]:
            named[node] = max(named.get(node, 0.0), TEST_REACH_WEIGHT * value)
        for node, (value, reason) in reached(graph, named, symbols.lexical).items():
            symbols.add(node, value * _prior(graph.graph.nodes[node]["path"]), reason)
        for node, (value, reason) in handlers_of_named_classes(graph, mentions).items():
            symbols.add(node, HANDLER_WEIGHT * value * _prior(graph.graph.nodes[node]["path"]), reason)
        ranked_files = sorted(files.scores.items(), key=lambda item: (-item[1], item[0]))
        top = ranked_files[0][1] if ranked_files else 1.0
        functions = _ranked_functions(graph, symbols, files.scores, top, top_k)
    return Localization(
        files=[RankedFile(path, value, files.reason(path)) for path, value in ranked_files[:top_k]],
        functions=functions,
        seconds=time.perf_counter() - started,
        phases=watch.phases,
        phases_cpu=watch.cpu,
    )


def _symbol_scores(
    graph: CodeGraph,
    index: LexicalIndex,
    query: dict[str, float],
    hits: MentionHits,
    literals: dict[str, tuple[float, str]],
) -> Scoreboard:
    """Functions and classes: lexical match, names and quotes from the issue, then one hop along the graph."""
    import numpy as np

    symbols = Scoreboard()
    symbol_lexical = _normalized(index.scores(query, files=False))
    positions = np.flatnonzero(symbol_lexical > 0.05).tolist()
    shared = index.shared_terms(query, positions)
    for position in positions:
        symbols.add(index.symbol_ids[position], float(symbol_lexical[position]), _lexical_reason(shared[position]))
    for node, (value, reason) in hits.symbols.items():
        symbols.add(node, value, reason)
    for node, (value, reason) in literals.items():
        if node in graph.graph and graph.graph.nodes[node]["kind"] != "file":
            symbols.add(node, LITERAL_WEIGHT * value, reason)
    symbols.lexical = {index.symbol_ids[position]: float(symbol_lexical[position]) for position in positions}

    nodes = graph.graph.nodes
    seeds = sorted(symbols.scores.items(), key=lambda item: (-item[1], item[0]))[:PROPAGATED_SEEDS]
    for seed, value in seeds:
        seed_name = nodes[seed]["qualname"]
        for source, target, kind in [*graph.graph.out_edges(seed, keys=True), *graph.graph.in_edges(seed, keys=True)]:
            other = target if source == seed else source
            if other == seed or nodes[other]["kind"] == "file":
                continue
            if kind == "contains":
                symbols.add(other, 0.25 * value, f"member of {seed_name}")
            elif kind == "calls":
                symbols.add(other, 0.1 * value, f"{'called by' if source == seed else 'calls'} {seed_name}")
    for node in symbols.scores:
        symbols.scores[node] *= _prior(nodes[node]["path"])
    return symbols


def _file_scores(
    graph: CodeGraph,
    index: LexicalIndex,
    file_lexical: Any,
    symbols: Scoreboard,
    hits: MentionHits,
    literals: dict[str, tuple[float, str]],
) -> Scoreboard:
    """Files: their best functions, their own lexical match, paths named, quotes found, tests matching the issue."""
    files = Scoreboard()
    nodes = graph.graph.nodes
    best_in_file: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for node, value in symbols.scores.items():
        best_in_file[nodes[node]["path"]].append((value, node))
    for path, values in best_in_file.items():
        values.sort(reverse=True)
        best = values[0][1]
        files.add(path, values[0][0], f"contains {nodes[best]['qualname']}: {symbols.reason(best)}")
        if len(values) > 1:
            files.scores[path] += 0.3 * values[1][0]
    for position, path in enumerate(index.file_ids):
        value = float(file_lexical[position])
        if value > 0.05:
            files.add(path, FILE_LEXICAL_WEIGHT * value * _prior(path), "lexical match of the file")
    for path, (value, reason) in hits.files.items():
        files.add(path, value * _prior(path), reason)
    tested = sorted(
        ((float(file_lexical[i]), path) for i, path in enumerate(index.file_ids) if is_test_path(path)), reverse=True
    )[:TESTS_BRIDGED]
    bridged = [(value, path, f"its tests match: {path}") for value, path in tested]
    bridged += [(value, path, f"the issue names its tests: {path}") for path, (value, _) in hits.files.items()]
    for value, test_path, reason in bridged:
        if is_test_path(test_path):
            for subject in subjects_of_test(graph, test_path):
                files.add(subject, TEST_BRIDGE_WEIGHT * value * _prior(subject), reason)
    for path, (value, reason) in literals.items():
        if nodes[path]["kind"] == "file":
            files.add(path, LITERAL_WEIGHT * value * _prior(path), reason)
    return files


def _ranked_functions(
    graph: CodeGraph, symbols: Scoreboard, file_scores: dict[str, float], top_file_score: float, top_k: int
) -> list[RankedFunction]:
    """Hits reported as top-level functions or methods, lifted by how well their file ranks."""
    nodes = graph.graph.nodes
    entity_scores: dict[str, float] = {}
    entity_reasons: dict[str, str] = {}
    for node, value in symbols.scores.items():
        entity = _entity(graph, node)
        if entity is None:
            continue
        reason = symbols.reason(node) if node == entity else f"contains {nodes[node]['qualname']}"
        if nodes[node]["kind"] == "class":
            value *= CONSTRUCTOR_SHARE
            reason = f"constructor of {nodes[node]['qualname']}: {symbols.reason(node)}"
        if value > entity_scores.get(entity, 0.0):
            entity_scores[entity] = value
            entity_reasons[entity] = reason
    for entity in entity_scores:
        file_share = file_scores.get(nodes[entity]["path"], 0.0) / max(top_file_score, 1e-9)
        entity_scores[entity] += FUNCTION_FILE_WEIGHT * file_share
    return [
        RankedFunction(
            entity,
            nodes[entity]["path"],
            nodes[entity]["qualname"],
            nodes[entity]["start"],
            nodes[entity]["end"],
            value,
            entity_reasons[entity],
        )
        for entity, value in sorted(entity_scores.items(), key=lambda item: (-item[1], item[0]))[:top_k]
    ]
