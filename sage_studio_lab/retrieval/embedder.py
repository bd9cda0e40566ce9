"""One process-wide sentence embedder over the bundled all-MiniLM-L6-v2 (offline, CPU)."""

from __future__ import annotations

import threading

import numpy as np

_lock = threading.Lock()
_embedders: dict[str, Embedder] = {}


class Embedder:
    """`embed(texts)` -> float32 matrix (n, dim), rows L2-normalised (so inner product = cosine)."""

    def __init__(self, model_dir: str):
        from sentence_transformers import SentenceTransformer  # heavy: imported on first use

        self.model_dir = str(model_dir)
        self._model = SentenceTransformer(self.model_dir, device="cpu", local_files_only=True)
        dim_of = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dim_of())
        self._encode_lock = threading.Lock()  # torch modules are not safe to call from many threads at once

    def embed(self, texts: list[str] | str, batch_size: int = 32) -> np.ndarray:
        if isinstance(texts, str):
            texts = [texts]
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._encode_lock:
            vecs = self._model.encode(
                texts,
                batch_size=batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


def get_embedder(model_dir: str | None = None) -> Embedder:
    """The shared embedder (default: the bundled MiniLM); loaded once per process and model."""
    if model_dir is None:
        from ..models import embedding_model_dir

        model_dir = str(embedding_model_dir())
    key = str(model_dir)
    with _lock:
        emb = _embedders.get(key)
        if emb is None:
            emb = _embedders[key] = Embedder(key)
        return emb
