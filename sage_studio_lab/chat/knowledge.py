"""User-added documents for the KnowledgeRAG step: text / Markdown files in `<user dir>/knowledge/`,
split into paragraphs and searched with BM25 (rebuilt only when the folder changes)."""

from __future__ import annotations

import threading

from .. import paths

SUFFIXES = {".md", ".txt", ".rst"}
_cache: dict = {}
_lock = threading.Lock()


def knowledge_dir():
    return paths.area_dir("knowledge")


def _stamp(files) -> tuple:
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)


def search(query: str, k: int = 3) -> list[dict]:
    """Best paragraphs for `query`: [{source, text, score}] (empty when no document is there)."""
    from ..retrieval import BM25Index

    root = knowledge_dir()
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not files:
        return []
    stamp = _stamp(files)
    with _lock:
        entry = _cache.get(str(root))
        if entry is None or entry[0] != stamp:
            chunks = {}
            for f in files:
                for j, para in enumerate(p.strip() for p in f.read_text(errors="replace").split("\n\n")):
                    if para:
                        chunks[f"{f.relative_to(root)}#{j}"] = para[:2000]
            entry = _cache[str(root)] = (stamp, BM25Index(chunks.items()), chunks)
        _, index, chunks = entry
    return [
        {"source": cid, "text": chunks[cid], "score": round(score, 4)}
        for cid, score in index.search(query, k)
    ]
