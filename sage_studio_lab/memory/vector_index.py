"""The vector memory of one session: a `retrieval.VectorIndex` (FAISS) file beside the database, shared
safely by several processes (the Jupyter server and notebook kernels).

Writers hold an fcntl lock, re-read the file if another process changed it, and save atomically; readers
reload when the file's stamp changed. Small indexes are exact (flat); from `HNSW_THRESHOLD` vectors on the
index is rebuilt as HNSW (efSearch 128: recall@10 ≥ 0.95, measured in bench/gateway.py).
"""

from __future__ import annotations

import fcntl
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..retrieval import VectorIndex

HNSW_THRESHOLD = 20_000
HNSW_EF_SEARCH = 128
HNSW_EF_CONSTRUCTION = 40  # build time matters on 2 cores; efSearch 128 keeps recall@10 ≥ 0.95


def tune(index: VectorIndex) -> VectorIndex:
    """Search-time accuracy of HNSW (not every faiss version keeps efSearch in the file)."""
    if index.kind == "hnsw" or _is_hnsw(index):
        import faiss

        index.kind = "hnsw"
        faiss.downcast_index(index.index.index).hnsw.efSearch = HNSW_EF_SEARCH
    return index


def _is_hnsw(index: VectorIndex) -> bool:
    import faiss

    return isinstance(faiss.downcast_index(index.index.index), faiss.IndexHNSWFlat)


def build(vectors: np.ndarray, ids: np.ndarray, path: Path | None = None) -> VectorIndex:
    """A new index holding `vectors` (L2-normalised float32) under int64 `ids`; HNSW when large."""
    kind = "hnsw" if len(vectors) >= HNSW_THRESHOLD else "flat"
    index = tune(VectorIndex(None, vectors.shape[1], kind=kind))
    if kind == "hnsw":
        import faiss

        faiss.downcast_index(index.index.index).hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    if len(vectors):
        index.index.add_with_ids(
            np.ascontiguousarray(vectors, dtype="float32"), np.asarray(ids, dtype="int64")
        )
    index.path = path
    return index


class SessionVectorIndex:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._index: VectorIndex | None = None
        self._stamp: tuple | None = None

    @contextmanager
    def _file_lock(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            yield

    def _file_stamp(self) -> tuple | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _load(self) -> VectorIndex | None:
        stamp = self._file_stamp()
        if stamp != self._stamp:
            self._index = tune(VectorIndex.load(self.path)) if stamp else None
            self._stamp = stamp
        return self._index

    def _save(self, index: VectorIndex) -> None:
        index.save(self.path)
        self._index, self._stamp = index, self._file_stamp()

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        with self._lock, self._file_lock():
            index = self._load()
            vectors = np.ascontiguousarray(vectors, dtype="float32")
            ids_arr = np.asarray(ids, dtype="int64")
            if index is None:
                index = build(vectors, ids_arr, self.path)
            elif index.kind == "flat" and len(index) + len(ids_arr) >= HNSW_THRESHOLD:
                old_ids = index.ids()
                old = index.index.index.reconstruct_n(0, len(index))
                index = build(np.vstack([old, vectors]), np.concatenate([old_ids, ids_arr]), self.path)
            else:
                index.add(ids_arr, vectors)
            self._save(index)

    def remove(self, ids: list[int]) -> None:
        with self._lock, self._file_lock():
            index = self._load()
            if index is not None and ids and index.remove(ids):
                self._save(index)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        with self._lock:
            index = self._load()
            if index is None or len(index) == 0:
                return []
            scores, ids = index.search(vector, k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def ids(self) -> set[int]:
        with self._lock:
            index = self._load()
            return set() if index is None else set(index.ids().tolist())

    def count(self) -> int:
        with self._lock:
            index = self._load()
            return 0 if index is None else len(index)

    def size_bytes(self) -> int:
        stamp = self._file_stamp()
        return stamp[1] if stamp else 0

    def drop(self) -> None:
        with self._lock, self._file_lock():
            self.path.unlink(missing_ok=True)
            self._index, self._stamp = None, None
