"""A FAISS inner-product index with int64 ids, persisted atomically to one file.

Vectors are expected L2-normalised (the embedder does that), so scores are cosine similarities.
Small indexes use exact `IndexFlatIP`; `kind="hnsw"` gives an approximate HNSW graph for large ones
(HNSW cannot delete, so `remove` on it rebuilds from the stored vectors).
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import numpy as np


def _faiss():
    import faiss  # imported lazily: keeps server start fast

    return faiss


class VectorIndex:
    def __init__(self, path: str | Path | None, dim: int, kind: str = "flat", hnsw_m: int = 32):
        if kind not in ("flat", "hnsw"):
            raise ValueError(f"kind must be 'flat' or 'hnsw', not {kind!r}")
        self.path = Path(path) if path is not None else None
        self.dim = int(dim)
        self.kind = kind
        self.hnsw_m = hnsw_m
        self._lock = threading.RLock()
        if self.path is not None and self.path.exists():
            faiss = _faiss()
            self.index = faiss.read_index(str(self.path))
            if self.index.d != self.dim:
                raise ValueError(f"index file {self.path} has dim {self.index.d}, expected {self.dim}")
            inner = getattr(self.index, "index", None)
            if inner is not None and isinstance(faiss.downcast_index(inner), faiss.IndexHNSW):
                self.kind = "hnsw"  # the file decides, whatever the caller guessed
        else:
            self.index = self._new_index()

    def _new_index(self):
        faiss = _faiss()
        if self.kind == "hnsw":
            inner = faiss.IndexHNSWFlat(self.dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        else:
            inner = faiss.IndexFlatIP(self.dim)
        return faiss.IndexIDMap2(inner)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def _as_matrix(self, vecs) -> np.ndarray:
        arr = np.ascontiguousarray(np.asarray(vecs, dtype=np.float32))
        if arr.ndim == 1:
            arr = arr.reshape(1, -1)
        if arr.shape[1] != self.dim:
            raise ValueError(f"vectors have dim {arr.shape[1]}, index expects {self.dim}")
        return arr

    def add(self, ids, vecs) -> None:
        """Add (or replace) vectors under the given int64 ids."""
        ids_arr = np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))
        mat = self._as_matrix(vecs)
        if len(ids_arr) != len(mat):
            raise ValueError(f"{len(ids_arr)} ids for {len(mat)} vectors")
        if len(ids_arr) == 0:
            return
        with self._lock:
            self.remove(ids_arr)  # re-adding an id replaces it instead of duplicating it
            self.index.add_with_ids(mat, ids_arr)

    def search(self, vecs, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k per query row: (scores, ids), each shaped (n_queries, k'); k' = min(k, len)."""
        mat = self._as_matrix(vecs)
        with self._lock:
            n = len(self)
            k = max(0, min(int(k), n))
            if k == 0:
                return np.zeros((len(mat), 0), np.float32), np.zeros((len(mat), 0), np.int64)
            scores, ids = self.index.search(mat, k)
        return scores, ids

    def remove(self, ids) -> int:
        ids_arr = np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))
        if len(ids_arr) == 0 or len(self) == 0:
            return 0
        with self._lock:
            if self.kind == "hnsw":
                return self._rebuild_without(ids_arr)
            return int(self.index.remove_ids(_faiss().IDSelectorArray(ids_arr)))

    def _rebuild_without(self, drop: np.ndarray) -> int:
        all_ids = self.ids()
        keep = ~np.isin(all_ids, drop)
        removed = int((~keep).sum())
        if removed:
            vecs = np.vstack([self.index.reconstruct(int(i)) for i in all_ids[keep]]) if keep.any() else None
            self.index = self._new_index()
            if vecs is not None:
                self.index.add_with_ids(vecs.astype(np.float32), all_ids[keep])
        return removed

    def ids(self) -> np.ndarray:
        with self._lock:
            return _faiss().vector_to_array(self.index.id_map).astype(np.int64)

    def get(self, id_: int) -> np.ndarray:
        with self._lock:
            return self.index.reconstruct(int(id_))

    def reset(self) -> None:
        with self._lock:
            self.index = self._new_index()

    def save(self, path: str | Path | None = None) -> Path:
        """Write to `path` (default: the one given at creation) via a temp file + rename: never half-written."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("this index has no path: pass one to save()")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(fd)
        try:
            with self._lock:
                _faiss().write_index(self.index, tmp)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return target

    @classmethod
    def load(cls, path: str | Path, dim: int | None = None) -> VectorIndex:
        path = Path(path)
        if dim is None:
            dim = _faiss().read_index(str(path)).d
        return cls(path, dim)
