"""Feedback on answers: a 👍/👎 rating (with an optional comment) and the *ideal answer*, a corrected text the user
writes for an answer.

Both live in the message's `metadata` (no table of their own), so a session export carries them and an import
restores them with no extra step:
- `rating`: `{"value": "up"|"down", "comment": str|None, "at": epoch seconds}` on an assistant message;
- an ideal answer is a new assistant message beside the rated one (same parent: a sibling in the tree) with
  `{"preferred": true, "ideal_for": <original id>, "origin": "user"}`, and the original gets
  `{"rejected_by": <ideal id>}` (the latest correction). Which branch the chat shows does not change unless asked.

The dataset builder (finetune/dataset_builder.py) reads these keys; an import maps the ones that hold message ids
to the new ids (`transcripts.ID_KEYS`).
"""

from __future__ import annotations

from typing import Literal

from .. import store
from ..errors import InvalidInput, NotFound
from .sessions import SessionStore

Rating = Literal["up", "down"]


def _answer(sessions: SessionStore, session_id: str, message_id: str) -> dict:
    """The assistant message `message_id` of `session_id`, or a clear 404/400."""
    if not sessions.exists(session_id):
        raise NotFound(f"chat session {session_id!r} not found")
    try:
        message = sessions.message(message_id)
    except NotFound:
        raise NotFound(f"message {message_id!r} not found in session {session_id!r}") from None
    if message["session_id"] != session_id:
        raise NotFound(f"message {message_id!r} not found in session {session_id!r}")
    if message["role"] != "assistant":
        raise InvalidInput(
            f"message {message_id!r} is a {message['role']} message: only answers (assistant messages) "
            "are rated or corrected"
        )
    return message


def rate(
    session_id: str,
    message_id: str,
    rating: Rating | None,
    comment: str | None = None,
    user: str | None = None,
) -> dict:
    """Set (`up`/`down`) or clear (`None`) the rating of an answer; returns the message."""
    if rating not in ("up", "down", None):
        raise InvalidInput(f"rating {rating!r} is unknown: use 'up', 'down' or null to clear it")
    sessions = SessionStore(user)
    _answer(sessions, session_id, message_id)
    with sessions.db.tx() as conn:  # read-modify-write of the metadata in one write transaction
        row = conn.execute("SELECT metadata FROM messages WHERE id=?", (message_id,)).fetchone()
        if row is None:  # deleted meanwhile (the session cleared by another process)
            raise NotFound(f"message {message_id!r} not found in session {session_id!r}")
        meta = store.loads(row[0], {})
        if rating is None:
            meta.pop("rating", None)
        else:
            meta["rating"] = {"value": rating, "comment": (comment or "").strip() or None, "at": store.now()}
        conn.execute("UPDATE messages SET metadata=? WHERE id=?", (store.dumps(meta), message_id))
    return sessions.message(message_id)


def ideal_answer(
    session_id: str, message_id: str, content: str, activate: bool = False, user: str | None = None
) -> dict:
    """Store `content` as the preferred answer beside `message_id`; returns `{"ideal", "original"}` messages.

    `activate`: also show the new answer's branch in the chat (default: the conversation stays as it is)."""
    if not content or not content.strip():
        raise InvalidInput("the ideal answer is empty: write the answer the model should have given")
    sessions = SessionStore(user)
    original = _answer(sessions, session_id, message_id)
    with sessions.db.tx():  # both marks or neither (the inner writes join this transaction)
        ideal = sessions.add_message(
            session_id,
            "assistant",
            content,
            parent_id=original["parent_id"],
            metadata={"preferred": True, "ideal_for": message_id, "origin": "user", "at": store.now()},
            make_active=activate,
        )
        sessions.update_metadata(message_id, {"rejected_by": ideal["id"]})
    return {"ideal": ideal, "original": sessions.message(message_id)}
