"""A named, persistent document collection: a FAISS index file plus the documents' texts (JSON).

Lives under `<user>/collections/<name>/`; both files are written atomically (temp + rename). Document ids
are strings; FAISS gets a stable int64 derived from them, so re-adding a document replaces it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .. import paths
from .vector_index import VectorIndex

_locks: dict[Path, threading.RLock] = {}
_locks_guard = threading.Lock()


def int_id(doc_id: str) -> int:
    return int.from_bytes(hashlib.sha1(str(doc_id).encode()).digest()[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


def collection_dir(name: str, user: str | None = None) -> Path:
    return paths.child_path(paths.area_dir("collections", user), paths.safe_name(name))


class Collection:
    def __init__(self, name: str, user: str | None = None, dim: int | None = None):
        self.name = name
        self.dir = collection_dir(name, user)
        with _locks_guard:
            self.lock = _locks.setdefault(self.dir, threading.RLock())
        self._dim = dim

    @contextmanager
    def _write_lock(self):
        """Threads of this process (RLock) and other processes (flock: the server and kernels) write in turn."""
        with self.lock:
            self.dir.mkdir(parents=True, exist_ok=True)
            with open(self.dir / ".lock", "w") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                yield

    @property
    def index_path(self) -> Path:
        return self.dir / "index.faiss"

    @property
    def docs_path(self) -> Path:
        return self.dir / "docs.json"

    def documents(self) -> dict[str, dict]:
        if not self.docs_path.exists():
            return {}
        return json.loads(self.docs_path.read_text(encoding="utf-8"))

    def _index(self, dim: int | None) -> VectorIndex | None:
        if self.index_path.exists():
            return VectorIndex.load(self.index_path)
        return VectorIndex(self.index_path, dim) if dim else None

    def add(self, docs: list[dict], vectors: np.ndarray) -> int:
        if not docs:
            return 0
        with self._write_lock():
            index = self._index(vectors.shape[1])
            stored = self.documents()
            for doc in docs:
                stored[str(int_id(doc["id"]))] = {k: v for k, v in doc.items() if k != "embedding"}
            index.add([int_id(d["id"]) for d in docs], vectors)
            index.save()
            _atomic_write(self.docs_path, json.dumps(stored, ensure_ascii=False))
        return len(docs)

    def search(self, vector: np.ndarray, k: int) -> list[dict]:
        with self.lock:
            index = self._index(None)
            if index is None:
                return []
            scores, ids = index.search(vector, k)
            stored = self.documents()
        out = []
        for score, i in zip(scores[0].tolist(), ids[0].tolist(), strict=False):
            doc = stored.get(str(i))
            if doc is not None and i >= 0:
                out.append({**doc, "score": float(score)})
        return out

    def clear(self) -> None:
        with self._write_lock():
            for p in (self.index_path, self.docs_path):
                if p.exists():
                    p.unlink()

    def __len__(self) -> int:
        return len(self.documents())


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
