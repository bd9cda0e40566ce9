"""Chat sessions in the store. Messages form a tree (`parent_id`): editing a user message or regenerating
an answer adds a sibling, and `active_leaf_id` says which branch the conversation shows.

Every write is one `BEGIN IMMEDIATE` transaction, so the server and a notebook kernel appending to the same
session interleave without losing a message.
"""

from __future__ import annotations

import re

from .. import store
from ..errors import InvalidInput, NotFound
from . import transcripts
from .models import ImportBody, SessionSettings, new_id

DEFAULT_TITLE = "New chat"


def _message(row: dict) -> dict:
    row = dict(row)
    row["metadata"] = store.loads(row.get("metadata"), {})
    return row


class SessionStore:
    def __init__(self, user: str | None = None):
        self.user = user
        self.db = store.get_store(user)

    # -- sessions ------------------------------------------------------------------------------------------
    def create(self, title: str | None = None, settings: SessionSettings | dict | None = None) -> dict:
        settings = SessionSettings.model_validate(settings or {})
        sid, now = new_id(), store.now()
        self.db.execute(
            "INSERT INTO sessions(id, title, settings, created_at, updated_at) VALUES (?,?,?,?,?)",
            (
                sid,
                (title or "").strip() or DEFAULT_TITLE,
                store.dumps(settings.model_dump(exclude_none=True)),
                now,
                now,
            ),
        )
        return self.summary(sid)

    def _row(self, session_id: str) -> dict:
        row = self.db.query_one("SELECT * FROM sessions WHERE id=?", (session_id,))
        if row is None:
            raise NotFound(f"chat session {session_id!r} not found")
        return row

    def exists(self, session_id: str) -> bool:
        return self.db.query_one("SELECT 1 AS x FROM sessions WHERE id=?", (session_id,)) is not None

    def settings(self, session_id: str) -> SessionSettings:
        return SessionSettings.model_validate(store.loads(self._row(session_id)["settings"], {}))

    def summary(self, session_id: str) -> dict:
        return (
            self._summaries("WHERE s.id=?", (session_id,))[0]
            if self.exists(session_id)
            else self._row(session_id)
        )

    def _summaries(self, where: str = "", params: tuple = (), limit: int = 500) -> list[dict]:
        rows = self.db.query(
            f"""SELECT s.id, s.title, s.settings, s.active_leaf_id, s.created_at, s.updated_at,
                   (SELECT COUNT(*) FROM messages m WHERE m.session_id=s.id) AS message_count,
                   (SELECT COUNT(*) FROM messages m WHERE m.session_id=s.id AND m.role='user') AS user_message_count,
                   (SELECT m.content FROM messages m WHERE m.id=s.active_leaf_id) AS last_message
                FROM sessions s {where} ORDER BY s.updated_at DESC, s.rowid DESC LIMIT ?""",
            (*params, limit),
        )
        for r in rows:
            r["settings"] = store.loads(r["settings"], {})
            if r["last_message"] and len(r["last_message"]) > 200:
                r["last_message"] = r["last_message"][:200] + "…"
        return rows

    def count(self) -> int:
        return self.db.query_one("SELECT COUNT(*) AS n FROM sessions")["n"]

    def list(self, limit: int = 500) -> list[dict]:
        """Newest activity first, with title, last message, counts and the model's context length."""
        return _with_context_length(self._summaries(limit=limit))

    def search(self, query: str, limit: int = 100) -> list[dict]:
        """Sessions whose title or any message contains `query` (case-insensitive), with matching snippets."""
        q = query.strip()
        if not q:
            raise InvalidInput("search needs a non-empty query `q`")
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        results = self._summaries(
            "WHERE s.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m WHERE m.session_id=s.id "
            "AND m.content LIKE ? ESCAPE '\\')",
            (like, like),
            limit,
        )
        pattern = re.compile(re.escape(q), re.IGNORECASE)
        for r in results:
            hits = self.db.query(
                "SELECT id, role, content FROM messages WHERE session_id=? AND content LIKE ? ESCAPE '\\' "
                "ORDER BY created_at LIMIT 5",
                (r["id"], like),
            )
            r["matches"] = [
                {"message_id": h["id"], "role": h["role"], "snippet": _snippet(h["content"], pattern)}
                for h in hits
            ]
        return _with_context_length(results)

    def update(
        self, session_id: str, title: str | None = None, settings: SessionSettings | None = None
    ) -> dict:
        with self.db.tx() as conn:
            row = conn.execute("SELECT settings FROM sessions WHERE id=?", (session_id,)).fetchone()
            if row is None:
                raise NotFound(f"chat session {session_id!r} not found")
            merged = store.loads(row[0], {})
            if settings is not None:
                merged.update(settings.model_dump(exclude_unset=True))
                merged = {k: v for k, v in merged.items() if v is not None}
            conn.execute(
                "UPDATE sessions SET title=COALESCE(?, title), settings=?, updated_at=? WHERE id=?",
                (title.strip() if title else None, store.dumps(merged), store.now(), session_id),
            )
        return self.summary(session_id)

    def clear(self, session_id: str) -> dict:
        from ..memory.service import MemoryService

        with self.db.tx() as conn:
            self._row(session_id)
            conn.execute("DELETE FROM messages WHERE session_id=?", (session_id,))
            conn.execute(
                "UPDATE sessions SET active_leaf_id=NULL, updated_at=? WHERE id=?", (store.now(), session_id)
            )
        MemoryService(self.user).clear(session_id)
        return self.summary(session_id)

    def delete(self, session_id: str) -> None:
        from ..memory.service import MemoryService

        with self.db.tx() as conn:
            if conn.execute("DELETE FROM sessions WHERE id=?", (session_id,)).rowcount == 0:
                raise NotFound(f"chat session {session_id!r} not found")
            conn.execute("DELETE FROM messages WHERE session_id=?", (session_id,))
        MemoryService(self.user).forget_session(session_id)

    def cleanup(self, max_age_minutes: float) -> list[str]:
        """Delete sessions without activity for `max_age_minutes` (and their memory); returns their ids."""
        if max_age_minutes < 0:
            raise InvalidInput("max_age_minutes must be >= 0")
        cutoff = store.now() - max_age_minutes * 60
        ids = [r["id"] for r in self.db.query("SELECT id FROM sessions WHERE updated_at < ?", (cutoff,))]
        for sid in ids:
            try:
                self.delete(sid)
            except NotFound:  # deleted meanwhile by another process
                pass
        return ids

    # -- messages --------------------------------------------------------------------------------------------
    def add_message(
        self,
        session_id: str,
        role: str,
        content: str,
        parent_id: str | None = "active",
        metadata: dict | None = None,
        make_active: bool = True,
    ) -> dict:
        """Append a message under `parent_id` ("active": the current leaf). Titles an untitled session."""
        mid, now = new_id(), store.now()
        with self.db.tx() as conn:
            row = conn.execute(
                "SELECT active_leaf_id, title FROM sessions WHERE id=?", (session_id,)
            ).fetchone()
            if row is None:
                raise NotFound(f"chat session {session_id!r} not found")
            parent = row["active_leaf_id"] if parent_id == "active" else parent_id
            if (
                parent is not None
                and conn.execute(
                    "SELECT 1 FROM messages WHERE id=? AND session_id=?", (parent, session_id)
                ).fetchone()
                is None
            ):
                raise NotFound(f"message {parent!r} not found in session {session_id!r}")
            conn.execute(
                "INSERT INTO messages(id, session_id, parent_id, role, content, metadata, created_at) VALUES (?,?,?,?,?,?,?)",
                (mid, session_id, parent, role, content, store.dumps(metadata or {}), now),
            )
            title = row["title"]
            if role == "user" and title == DEFAULT_TITLE:
                title = _title_from(content)
            conn.execute(
                "UPDATE sessions SET active_leaf_id=CASE WHEN ? THEN ? ELSE active_leaf_id END, "
                "title=?, updated_at=? WHERE id=?",
                (make_active, mid, title, now, session_id),
            )
        return self.message(mid)

    def message(self, message_id: str) -> dict:
        row = self.db.query_one("SELECT * FROM messages WHERE id=?", (message_id,))
        if row is None:
            raise NotFound(f"message {message_id!r} not found")
        return _message(row)

    def update_metadata(self, message_id: str, extra: dict) -> None:
        with self.db.tx() as conn:
            row = conn.execute("SELECT metadata FROM messages WHERE id=?", (message_id,)).fetchone()
            if row is None:
                raise NotFound(f"message {message_id!r} not found")
            meta = store.loads(row[0], {})
            meta.update(extra)
            conn.execute("UPDATE messages SET metadata=? WHERE id=?", (store.dumps(meta), message_id))

    def stopped_answer(self, session_id: str) -> dict:
        """The active branch's last message when it is an answer that stopped early (stopped by the user, or at
        max_tokens): what `continue` goes on from."""
        path = self.path(session_id)
        last = path[-1] if path else None
        meta = (last or {}).get("metadata") or {}
        if (
            not last
            or last["role"] != "assistant"
            or not (meta.get("cancelled") or meta.get("finish_reason") == "length")
        ):
            raise InvalidInput(
                "the last answer of this session did not stop early: there is nothing to continue"
            )
        return last

    def extend_answer(self, message_id: str, content: str, metadata: dict) -> dict:
        """A continued answer: the same message gets the longer text and the new metadata."""
        now = store.now()
        with self.db.tx() as conn:
            row = conn.execute("SELECT session_id FROM messages WHERE id=?", (message_id,)).fetchone()
            if row is None:
                raise NotFound(f"message {message_id!r} not found")
            conn.execute(
                "UPDATE messages SET content=?, metadata=? WHERE id=?",
                (content, store.dumps(metadata), message_id),
            )
            conn.execute("UPDATE sessions SET updated_at=? WHERE id=?", (now, row["session_id"]))
        return self.message(message_id)

    def path(self, session_id: str, leaf_id: str | None = "active") -> list[dict]:
        """Messages from the root to `leaf_id` (default: the active leaf), oldest first."""
        if leaf_id == "active":
            leaf_id = self._row(session_id)["active_leaf_id"]
        if leaf_id is None:
            return []
        rows = self.db.query(
            """WITH RECURSIVE chain(id, parent_id, depth) AS (
                   SELECT id, parent_id, 0 FROM messages WHERE id=? AND session_id=?
                   UNION ALL SELECT m.id, m.parent_id, c.depth+1 FROM messages m JOIN chain c ON m.id=c.parent_id)
               SELECT m.* FROM chain c JOIN messages m ON m.id=c.id ORDER BY c.depth DESC""",
            (leaf_id, session_id),
        )
        return [_message(r) for r in rows]

    def get(self, session_id: str) -> dict:
        """The session with the messages of its active branch; each message lists its siblings."""
        session = self.summary(session_id)
        messages = self.path(session_id)
        siblings: dict = {}
        for r in self.db.query(
            "SELECT id, parent_id FROM messages WHERE session_id=? ORDER BY created_at, rowid", (session_id,)
        ):
            siblings.setdefault(r["parent_id"], []).append(r["id"])
        for m in messages:
            group = siblings.get(m["parent_id"], [m["id"]])
            m["sibling_ids"] = group
            m["sibling_index"] = group.index(m["id"])
        session["messages"] = messages
        return _with_context_length([session])[0]

    def switch_branch(self, session_id: str, message_id: str) -> dict:
        """Show the branch through `message_id`: the active leaf becomes its newest descendant."""
        leaf = message_id
        with self.db.tx() as conn:
            if (
                conn.execute(
                    "SELECT 1 FROM messages WHERE id=? AND session_id=?", (message_id, session_id)
                ).fetchone()
                is None
            ):
                raise NotFound(f"message {message_id!r} not found in session {session_id!r}")
            while True:
                child = conn.execute(
                    "SELECT id FROM messages WHERE parent_id=? ORDER BY created_at DESC, rowid DESC LIMIT 1",
                    (leaf,),
                ).fetchone()
                if child is None:
                    break
                leaf = child[0]
            conn.execute(
                "UPDATE sessions SET active_leaf_id=?, updated_at=? WHERE id=?",
                (leaf, store.now(), session_id),
            )
        return self.get(session_id)

    def edit_user_message(self, session_id: str, message_id: str, content: str) -> dict:
        """A new user message beside `message_id` (same parent): the conversation branches there."""
        original = self.message(message_id)
        if original["session_id"] != session_id or original["role"] != "user":
            raise InvalidInput(f"message {message_id!r} is not a user message of session {session_id!r}")
        return self.add_message(
            session_id, "user", content, parent_id=original["parent_id"], metadata={"edited_from": message_id}
        )

    def last_user_message(self, session_id: str) -> dict:
        """The user message the last answer replied to (what `regenerate` answers again)."""
        for m in reversed(self.path(session_id)):
            if m["role"] == "user":
                return m
        raise InvalidInput("this session has no user message to answer again")

    # -- export / import (formats in transcripts.py) ----------------------------------------------------------
    def export(self, session_id: str, fmt: str = "json") -> dict | str:
        session = self._row(session_id)
        if fmt == "markdown":
            return transcripts.to_markdown(session["title"], self.path(session_id))
        if fmt != "json":
            raise InvalidInput(f"unknown export format {fmt!r}: use json or markdown")
        messages = self.db.query(
            "SELECT * FROM messages WHERE session_id=? ORDER BY created_at, rowid", (session_id,)
        )
        return transcripts.to_json(session, messages)

    def import_session(self, body: ImportBody | dict) -> dict:
        """A new session from an export: the whole tree from JSON, a linear chat from Markdown."""
        return self.get(transcripts.insert(self.db, body))


def _with_context_length(sessions: list[dict]) -> list[dict]:
    """`context_length`: the maximum context of the model that would answer each session now (null when
    no model is up). One cached lookup per source, so listing sessions costs no HTTP call per session."""
    from .upstream import context_length

    known: dict = {}
    for s in sessions:
        source = (s.get("settings") or {}).get("source")
        if source not in known:
            try:
                known[source] = context_length(source)
            except Exception:  # a listing must not fail because the engine cannot be asked
                known[source] = None
        s["context_length"] = known[source]
    return sessions


def _title_from(content: str) -> str:
    text = " ".join(content.split())
    return (text[:60] + "…") if len(text) > 60 else (text or DEFAULT_TITLE)


def _snippet(text: str, pattern: re.Pattern, width: int = 60) -> str:
    m = pattern.search(text)
    if not m:
        return text[: 2 * width]
    start, end = max(0, m.start() - width), min(len(text), m.end() + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
