"""Languages the graph understands: file extensions, tree-sitter grammars and the tag query of each."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Parser, Query

QUERY_DIR = Path(__file__).parent / "queries"


@dataclass(frozen=True)
class LanguageSpec:
    name: str
    grammar: str
    """Name of the grammar in tree-sitter-language-pack."""
    query_file: str
    extensions: tuple[str, ...]


LANGUAGES: dict[str, LanguageSpec] = {
    spec.name: spec
    for spec in (
        LanguageSpec("python", "python", "python.scm", (".py", ".pyi")),
        LanguageSpec("javascript", "javascript", "javascript.scm", (".js", ".jsx", ".mjs", ".cjs")),
        LanguageSpec("typescript", "typescript", "typescript.scm", (".ts", ".mts", ".cts")),
        LanguageSpec("tsx", "tsx", "typescript.scm", (".tsx",)),
        LanguageSpec("java", "java", "java.scm", (".java",)),
        LanguageSpec("go", "go", "go.scm", (".go",)),
    )
}

ALIASES = {"js": "javascript", "ts": "typescript", "py": "python", "golang": "go"}


def normalize_languages(names: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """The language names to index; None means all. `typescript` brings `tsx` along."""
    from core.errors import ConfigError

    if not names:
        return tuple(LANGUAGES)
    chosen: list[str] = []
    for raw in names:
        for part in raw.split(","):
            name = ALIASES.get(part.strip().lower(), part.strip().lower())
            if name not in LANGUAGES:
                raise ConfigError(f"unknown language {part!r}", hint=f"choose among {', '.join(sorted(LANGUAGES))}")
            chosen.append(name)
            if name == "typescript":
                chosen.append("tsx")
    return tuple(dict.fromkeys(chosen))


def language_of(path: str, enabled: tuple[str, ...]) -> str | None:
    suffix = Path(path).suffix.lower()
    for name in enabled:
        if suffix in LANGUAGES[name].extensions:
            return name
    return None


@cache
def parser_for(language: str) -> Parser:
    from tree_sitter_language_pack import get_parser

    return get_parser(LANGUAGES[language].grammar)  # type: ignore[arg-type]


@cache
def query_for(language: str) -> Query:
    from tree_sitter import Query
    from tree_sitter_language_pack import get_language

    spec = LANGUAGES[language]
    source = (QUERY_DIR / spec.query_file).read_text(encoding="utf-8")
    return Query(get_language(spec.grammar), source)  # type: ignore[arg-type]
