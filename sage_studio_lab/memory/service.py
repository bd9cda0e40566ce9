"""Memory of chat sessions: stored dialogs (SQLite) + recall by backend.

- `short_term`: only the last `window` dialogs of the conversation go into the prompt (done by the chat
  pipeline from the session's history); nothing is recalled beyond them.
- `vector`: older dialogs are recalled by cosine similarity of MiniLM embeddings in a FAISS index file.
- `kv`: older dialogs are recalled by BM25 keyword scores over the stored dialogs.
The database is the source of truth; a missing or stale vector file is rebuilt from it.
"""

from __future__ import annotations

import threading

from pydantic import ValidationError

from .. import paths, store
from ..errors import InvalidInput, NotFound
from .config import MemoryConfig, MemoryConfigPatch, merged_config
from .vector_index import SessionVectorIndex

_indexes: dict[str, SessionVectorIndex] = {}
_indexes_lock = threading.Lock()


def dialog_text(user: str, assistant: str) -> str:
    return f"User: {user}\nAssistant: {assistant}"


class MemoryService:
    def __init__(self, user: str | None = None):
        self.user = user
        self.db = store.get_store(user)

    # -- config ------------------------------------------------------------------------------------------
    def _state(self, session_id: str) -> dict:
        row = self.db.query_one("SELECT * FROM memory_sessions WHERE session_id=?", (session_id,))
        return row or {"config": "{}", "last_hits": "[]", "token_budget": "{}"}

    def get_config(self, session_id: str | None = None) -> MemoryConfig:
        overrides = store.loads(self._state(session_id)["config"], {}) if session_id else {}
        return merged_config(overrides)

    def set_config(self, session_id: str, patch: MemoryConfigPatch | dict) -> MemoryConfig:
        if not isinstance(patch, MemoryConfigPatch):
            try:
                patch = MemoryConfigPatch.model_validate(patch)
            except ValidationError as exc:
                raise InvalidInput(
                    f"invalid memory config: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}"
                ) from exc
        with self.db.tx() as conn:
            row = conn.execute(
                "SELECT config FROM memory_sessions WHERE session_id=?", (session_id,)
            ).fetchone()
            overrides = store.loads(row[0], {}) if row else {}
            overrides.update(patch.model_dump(exclude_none=True))
            merged_config(overrides)  # validate before writing
            conn.execute(
                "INSERT INTO memory_sessions(session_id, config, updated_at) VALUES (?,?,?) "
                "ON CONFLICT(session_id) DO UPDATE SET config=excluded.config, updated_at=excluded.updated_at",
                (session_id, store.dumps(overrides), store.now()),
            )
        return self.get_config(session_id)

    # -- stored dialogs ----------------------------------------------------------------------------------
    def remember(
        self,
        session_id: str,
        user_text: str,
        assistant_text: str,
        metadata: dict | None = None,
        config: MemoryConfig | None = None,
    ) -> int:
        """Store one dialog; embed it now when the session uses vector memory (else lazily on first recall)."""
        text = dialog_text(user_text, assistant_text)
        with self.db.tx() as conn:
            cur = conn.execute(
                "INSERT INTO memories(session_id, kind, text, metadata, created_at) VALUES (?,?,?,?,?)",
                (session_id, "dialog", text, store.dumps(metadata or {}), store.now()),
            )
            memory_id = int(cur.lastrowid)
        if (config or self.get_config(session_id)).backend == "vector":
            self._sync_vectors(session_id)
        return memory_id

    def list(self, session_id: str, limit: int = 500) -> list[dict]:
        rows = self.db.query(
            "SELECT id, session_id, kind, text, metadata, created_at FROM memories WHERE session_id=? "
            "ORDER BY id DESC LIMIT ?",
            (session_id, limit),
        )
        for r in rows:
            r["metadata"] = store.loads(r["metadata"], {})
        return rows

    def sessions_with_memories(self) -> list[str]:
        return [
            r["session_id"]
            for r in self.db.query("SELECT DISTINCT session_id FROM memories ORDER BY session_id")
        ]

    def delete(self, session_id: str, memory_id: int) -> None:
        with self.db.tx() as conn:
            cur = conn.execute("DELETE FROM memories WHERE id=? AND session_id=?", (memory_id, session_id))
            if cur.rowcount == 0:
                raise NotFound(f"memory {memory_id} not found in session {session_id}")
        self._index(session_id).remove([memory_id])

    def clear(self, session_id: str) -> int:
        with self.db.tx() as conn:
            n = conn.execute("DELETE FROM memories WHERE session_id=?", (session_id,)).rowcount
            conn.execute(
                "UPDATE memory_sessions SET last_hits='[]', token_budget='{}' WHERE session_id=?",
                (session_id,),
            )
        self._index(session_id).drop()
        return n

    def forget_session(self, session_id: str) -> None:
        """Everything memory holds for a deleted session."""
        self.clear(session_id)
        self.db.execute("DELETE FROM memory_sessions WHERE session_id=?", (session_id,))

    # -- recall ------------------------------------------------------------------------------------------
    def recall(
        self,
        session_id: str,
        query: str,
        config: MemoryConfig | None = None,
        exclude_message_ids: set[str] | None = None,
    ) -> list[dict]:
        """Memories relevant to `query`, best first: [{id, text, score, backend}]. Dialogs whose user
        message is in `exclude_message_ids` (already in the prompt's recent window) are skipped."""
        config = config or self.get_config(session_id)
        if config.backend == "short_term" or not query.strip():
            return []
        rows = self.db.query("SELECT id, text, metadata FROM memories WHERE session_id=?", (session_id,))
        exclude = exclude_message_ids or set()
        candidates = {
            r["id"]: r for r in rows if store.loads(r["metadata"], {}).get("user_message_id") not in exclude
        }
        if not candidates:
            return []
        if config.backend == "vector":
            hits = self._vector_hits(session_id, query, config, candidates, len(rows))
        else:
            hits = self._bm25_hits(query, config, candidates)
        return [
            {"id": mid, "text": candidates[mid]["text"], "score": round(score, 4), "backend": config.backend}
            for mid, score in hits
        ]

    def _vector_hits(self, session_id, query, config, candidates, total) -> list[tuple[int, float]]:
        from ..retrieval import get_embedder

        index = self._sync_vectors(session_id)
        qvec = get_embedder().embed_one(query)
        # Ask for extra hits: some may be excluded because they are already in the recent window.
        raw = index.search(qvec, min(total, config.top_k + (total - len(candidates))))
        return [(i, s) for i, s in raw if i in candidates and s >= config.min_score][: config.top_k]

    def _bm25_hits(self, query, config, candidates) -> list[tuple[int, float]]:
        from ..retrieval import BM25Index

        return BM25Index((i, r["text"]) for i, r in candidates.items()).search(query, config.top_k)

    # -- vectors -----------------------------------------------------------------------------------------
    def _index(self, session_id: str) -> SessionVectorIndex:
        path = paths.area_dir("memory", self.user) / "vectors" / f"{paths.safe_name(session_id)}.faiss"
        key = str(path)
        with _indexes_lock:
            if key not in _indexes:
                _indexes[key] = SessionVectorIndex(path)
            return _indexes[key]

    def _sync_vectors(self, session_id: str) -> SessionVectorIndex:
        """Embed stored dialogs the index lacks (new ones, or all after a lost file), drop deleted ones."""
        from ..retrieval import get_embedder

        index = self._index(session_id)
        rows = self.db.query("SELECT id, text FROM memories WHERE session_id=?", (session_id,))
        have = index.ids()
        missing = [r for r in rows if r["id"] not in have]
        if missing:
            index.add([r["id"] for r in missing], get_embedder().embed([r["text"] for r in missing]))
        stale = have - {r["id"] for r in rows}
        if stale:
            index.remove(sorted(stale))
        return index

    # -- per-turn record and stats -------------------------------------------------------------------------
    def record_turn(self, session_id: str, hits: list[dict], token_budget: dict) -> None:
        with self.db.tx() as conn:
            conn.execute(
                "INSERT INTO memory_sessions(session_id, last_hits, token_budget, updated_at) VALUES (?,?,?,?) "
                "ON CONFLICT(session_id) DO UPDATE SET last_hits=excluded.last_hits, "
                "token_budget=excluded.token_budget, updated_at=excluded.updated_at",
                (session_id, store.dumps(hits), store.dumps(token_budget), store.now()),
            )

    def stats(self, session_id: str) -> dict:
        config = self.get_config(session_id)
        state = self._state(session_id)
        dialogs = self.db.query_one("SELECT COUNT(*) AS n FROM memories WHERE session_id=?", (session_id,))[
            "n"
        ]
        index = self._index(session_id)
        maximum = config.window
        return {
            "session_id": session_id,
            "backend": config.backend,
            "config": config.model_dump(),
            "dialogs": dialogs,
            "max_dialogs": maximum,
            "usage_percent": round(min(100.0, 100.0 * dialogs / maximum), 1) if maximum else 0.0,
            "vector_count": index.count(),
            "index_size_bytes": index.size_bytes(),
            "last_hits": store.loads(state["last_hits"], []),
            "token_budget": store.loads(state["token_budget"], {}),
        }
