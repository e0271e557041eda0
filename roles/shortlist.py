"""The localizer's model-free shortlist: the code graph's ranking, or identifiers of the task found by text search."""

from __future__ import annotations

import re
from collections import Counter

from core.state import Location
from roles.context import RoleServices

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
DEFINITION = re.compile(r"^\s*(?:async\s+)?(?:def|class)\s+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)
COMMON = frozenset(
    {
        "the",
        "and",
        "not",
        "are",
        "was",
        "were",
        "for",
        "with",
        "when",
        "what",
        "this",
        "that",
        "then",
        "else",
        "from",
        "import",
        "return",
        "def",
        "class",
        "self",
        "none",
        "true",
        "false",
        "test",
        "tests",
        "should",
        "would",
        "could",
        "does",
    }
)


def task_terms(task: str) -> Counter[str]:
    terms: Counter[str] = Counter()
    for match in IDENTIFIER.findall(task):
        for part in match.split("."):
            if len(part) > 2 and part.lower() not in COMMON:
                terms[part] += 1
    return terms


def shortlist(services: RoleServices, task: str, size: int) -> list[Location]:
    """The code graph's ranking when the job has a graph, else a plain text search."""
    graph = services.tools.code_graph
    if graph is None:
        return text_shortlist(services, task, size)
    from memory.codegraph import localize

    reranker = None
    if services.settings.localize_embeddings:
        from memory.codegraph.embeddings import home_reranker

        reranker = home_reranker(services.settings.home)
    found = localize(graph, task, size, reranker)
    ranked = [
        Location(path=f.path, symbol=f.qualname, start_line=f.start_line, end_line=f.end_line, reason=f.reason)
        for f in found.functions[:size]
    ]
    covered = {loc.path for loc in ranked}
    ranked += [Location(path=f.path, reason=f.reason) for f in found.files[:size] if f.path not in covered]
    return ranked[: size + 3]


def repo_map(services: RoleServices, task: str, token_budget: int) -> str:
    """The repository's most relevant definitions for this task, in a token budget ('' without a graph)."""
    graph = services.tools.code_graph
    if graph is None:
        return ""
    return str(graph.repo_map(list(task_terms(task)), token_budget=token_budget))


def text_shortlist(services: RoleServices, task: str, size: int) -> list[Location]:
    """Files ranked by how many task terms they define or mention; each with its best-matching definition."""
    workspace = services.tools.workspace
    terms = task_terms(task)
    scored: list[tuple[float, Location]] = []
    for path in workspace.list_files("."):
        if not path.endswith(".py"):
            continue
        text = workspace.read_file(path)
        lowered = text.lower()
        mention_score = sum(min(lowered.count(term.lower()), 5) * weight for term, weight in terms.items())
        path_score = sum(3 for term in terms if term.lower() in path.lower())
        best: Location | None = None
        best_hits = 0
        for definition in DEFINITION.finditer(text):
            name = definition.group(1)
            hits = terms.get(name, 0)
            if hits > best_hits:
                line = text.count("\n", 0, definition.start()) + 1
                best, best_hits = Location(path=path, symbol=name, start_line=line), hits
        score = mention_score + path_score + 4 * best_hits - (2 if "test" in path else 0)
        if score <= 0:
            continue
        location = best or Location(path=path)
        location.reason = f"mentions {', '.join(t for t in terms if t.lower() in lowered)[:120]}"
        scored.append((score, location))
    scored.sort(key=lambda item: -item[0])
    return [location for _, location in scored[:size]]
