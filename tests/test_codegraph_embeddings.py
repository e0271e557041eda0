"""The optional embedding re-ranker: its vector cache, how it moves the ranking, and the error without the extra."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.errors import SweTeamError
from memory.codegraph import CodeGraph, localize
from memory.codegraph.embeddings import Reranker, VectorCache, bundled_encoder

DIMENSIONS = 512


class HashedWordsEncoder:
    """A small deterministic encoder (hashed bag of words) standing in for the sentence model, counting its work."""

    name = "hashed-words"

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray[Any, Any]:
        self.encoded.extend(texts)
        rows = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().replace("_", " ").split():
                rows[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % DIMENSIONS] += 1.0
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


def test_vectors_are_encoded_once_and_then_read_from_disk(tmp_path: Path) -> None:
    encoder = HashedWordsEncoder()
    cache = VectorCache(tmp_path / "vectors")
    first = cache.vectors(encoder, ["alpha beta", "gamma", "alpha beta"])
    assert encoder.encoded == ["alpha beta", "gamma"]
    again = VectorCache(tmp_path / "vectors").vectors(encoder, ["gamma", "alpha beta"])
    assert encoder.encoded == ["alpha beta", "gamma"]
    assert np.allclose(again[0], first[1]) and np.allclose(again[1], first[0])
    assert len(list((tmp_path / "vectors" / "hashed-words").rglob("*.npy"))) == 2


def test_the_encoder_lifts_the_function_whose_body_reads_like_the_issue(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "a.py").write_text(
        "def first():\n    '''Undo a refund when the customer cancels the order.'''\n    return 1\n"
    )
    (repo / "app" / "b.py").write_text("def second():\n    '''Send the weekly newsletter.'''\n    return 2\n")
    graph = CodeGraph.build(repo, cache_dir=None)
    issue = "The function should undo a refund when the customer cancels the order"
    plain = localize(graph, issue, top_k=5)
    encoder = HashedWordsEncoder()
    reranked = localize(graph, issue, top_k=5, reranker=Reranker(encoder, VectorCache(tmp_path / "vectors")))
    assert reranked.functions[0].id == "app/a.py:first"
    assert reranked.functions[0].score > plain.functions[0].score
    assert encoder.encoded[0].startswith("The function should undo a refund")


def test_without_the_extra_the_error_says_how_to_install_it() -> None:
    if importlib.util.find_spec("sentence_transformers") is None:
        with pytest.raises(SweTeamError, match="optional extra") as raised:
            bundled_encoder()
        assert "swe-team[embeddings]" in raised.value.user_message()
    else:
        vectors = bundled_encoder().encode(["a refund is undone"])
        assert vectors.shape[0] == 1 and abs(float(np.linalg.norm(vectors[0])) - 1.0) < 1e-3


@pytest.mark.parametrize("asked_by", ["flag", "repository config"])
def test_locate_with_embeddings_needs_the_extra_or_uses_it(
    asked_by: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from swe_team.cli import app
    from tests.codegraph_fixtures import copy_fixture

    monkeypatch.setenv("SWE_TEAM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SWE_TEAM_USER_CONFIG", str(tmp_path / "no-user-config.toml"))
    repo = copy_fixture("python", tmp_path)
    flags = ["--embeddings"] if asked_by == "flag" else []
    if asked_by == "repository config":
        (repo / "swe-team.toml").write_text("localize_embeddings = true\n")
    located = CliRunner().invoke(app, ["locate", "--repo", str(repo), "--task", "discount rate", *flags])
    if importlib.util.find_spec("sentence_transformers") is None:
        assert located.exit_code == 1
        assert "swe-team[embeddings]" in located.output
    else:
        assert located.exit_code == 0, located.output
        assert (tmp_path / "home" / "cache" / "vectors").is_dir()
