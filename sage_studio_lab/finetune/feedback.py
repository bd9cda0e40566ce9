"""Rated and corrected chat answers (chat/ratings.py) as training material: which answers the filters select,
the conversation each answered, and the good answer to learn — the answer itself when rated 👍, its ideal answer
when it was rated 👎 and corrected, or the ideal answer itself — plus TRL's preference rows. Reads the chat store,
writes nothing (finetune/dataset_builder.py stores what it gives).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..chat import arena
from ..chat.sessions import SessionStore
from ..errors import InvalidInput, NotFound
from ..request_json import Name
from ..store import dumps, loads

Kind = Literal["up", "down", "corrected"]


class Selection(BaseModel):
    """Which answers: by session, by time written, by the model (or adapter) that answered."""

    model_config = ConfigDict(extra="forbid")

    session_ids: list[Name] | None = Field(None, description="only these chat sessions (default: all)")
    since: datetime | None = Field(
        None, description="only answers written at or after this time (ISO 8601; without a zone: UTC)"
    )
    until: datetime | None = Field(None, description="only answers written before this time")
    models: list[Name] | None = Field(
        None, description="only answers by these models or adapters (the `model` recorded with the answer)"
    )


class Filters(Selection):
    ratings: list[Kind] = Field(
        ["up", "corrected"],
        min_length=1,
        description="up: answers rated 👍; corrected: ideal answers; down: answers rated 👎, trained on "
        "their ideal answer (skipped without one)",
    )
    dedupe: bool = Field(True, description="keep one row of identical rows (same messages)")


@dataclass
class Example:
    messages: list[dict]  # the row: context then the good answer
    session_id: str
    answer_id: str  # the message whose text the row's last turn is
    rated_id: str  # the message whose rating or correction selected it
    kind: str
    model: str | None  # what wrote the machine answer


def _timestamp(value: datetime | None) -> float | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def candidates(sessions: SessionStore, sel: Selection, where: str) -> list[dict]:
    """Assistant messages matching `sel` and the extra SQL condition `where`, oldest first."""
    clauses, params = ["m.role='assistant'", where], []
    if sel.session_ids is not None:
        unknown = [sid for sid in sel.session_ids if not sessions.exists(sid)]
        if unknown:  # a 404 naming them, not an empty dataset
            raise NotFound(f"chat session(s) not found: {', '.join(map(repr, unknown))}")
        clauses.append(f"m.session_id IN ({','.join('?' * len(sel.session_ids)) or 'NULL'})")
        params += sel.session_ids
    for op, value in ((">=", _timestamp(sel.since)), ("<", _timestamp(sel.until))):
        if value is not None:
            clauses.append(f"m.created_at {op} ?")
            params.append(value)
    rows = sessions.db.query(
        f"SELECT m.* FROM messages m WHERE {' AND '.join(clauses)} ORDER BY m.created_at, m.rowid",
        tuple(params),
    )
    for r in rows:
        r["metadata"] = loads(r["metadata"], {})
    return rows


def _sibling(sessions: SessionStore, message: dict, key: str) -> dict | None:
    """The message `message.metadata[key]` names, when it is still in the same session."""
    mid = message["metadata"].get(key)
    row = sessions.db.query_one("SELECT * FROM messages WHERE id=?", (mid,)) if isinstance(mid, str) else None
    if row is None or row["session_id"] != message["session_id"]:
        return None
    return row | {"metadata": loads(row["metadata"], {})}


def _as_corrected(sessions: SessionStore, message: dict) -> str:
    """A message's text, or — for an earlier answer the user corrected — its ideal answer: a row must not teach
    the answers the user rejected (training learns every assistant turn of a row)."""
    if message["role"] == "assistant":
        meta = (
            message["metadata"] if isinstance(message["metadata"], dict) else loads(message["metadata"], {})
        )
        ideal = _sibling(sessions, {**message, "metadata": meta}, "rejected_by")
        if ideal is not None:
            return ideal["content"]
    return message["content"]


def _context(sessions: SessionStore, answer: dict, prompts: dict) -> list[dict]:
    """The conversation the answer replied to, as {role, content}, the session's system prompt first; earlier
    answers the user corrected appear as their ideal answers."""
    sid = answer["session_id"]
    if sid not in prompts:
        prompts[sid] = sessions.settings(sid).system_prompt
    parent = answer["parent_id"]
    messages = (
        [{"role": m["role"], "content": _as_corrected(sessions, m)} for m in sessions.path(sid, parent)]
        if parent
        else []
    )
    if prompts[sid] and not (messages and messages[0]["role"] == "system"):
        messages.insert(0, {"role": "system", "content": prompts[sid]})
    return messages


def model_of(message: dict | None) -> str | None:
    return (message or {}).get("metadata", {}).get("model")


def select(filters: Filters, user: str | None = None) -> tuple[list[Example], dict]:
    """The deduplicated rows the filters pick, and a report: {selected, duplicates, skipped: {reason: n}}."""
    sessions = SessionStore(user)
    rows = candidates(
        sessions,
        filters,
        "(json_extract(m.metadata, '$.rating.value') IS NOT NULL OR json_extract(m.metadata, '$.preferred'))",
    )
    examples, seen_answers, seen_rows, prompts = [], set(), set(), {}
    report = {"selected": 0, "duplicates": 0, "skipped": {}}

    def skip(reason: str) -> None:
        report["skipped"][reason] = report["skipped"].get(reason, 0) + 1

    for row in rows:
        meta = row["metadata"]
        rating = (meta.get("rating") or {}).get("value")
        if meta.get("preferred"):
            kind, good, machine = "corrected", row, _sibling(sessions, row, "ideal_for")
        else:
            kind, good, machine = rating, row, row
            if rating == "down":
                good = _sibling(sessions, row, "rejected_by")
        if kind not in filters.ratings:
            continue
        if filters.models is not None and model_of(machine) not in filters.models:
            continue
        if good is None:
            skip("rated down without an ideal answer")
            continue
        if good["id"] in seen_answers:  # a 👎 answer and its correction both selected: one row
            continue
        seen_answers.add(good["id"])
        context = _context(sessions, good, prompts)
        if not any(m["role"] == "user" for m in context):
            skip("no user message before the answer")
            continue
        messages = [*context, {"role": "assistant", "content": good["content"]}]
        key = dumps(messages)
        if filters.dedupe and key in seen_rows:
            report["duplicates"] += 1
            continue
        seen_rows.add(key)
        examples.append(Example(messages, row["session_id"], good["id"], row["id"], kind, model_of(machine)))
    report["selected"] = len(examples)
    return examples, report


# -- preference pairs ---------------------------------------------------------------------------------------
def _message(value, role: str = "assistant") -> dict:
    if isinstance(value, str):
        return {"role": role, "content": value}
    if isinstance(value, dict) and isinstance(value.get("content"), str):
        return {"role": value.get("role", role), "content": value["content"]}
    raise InvalidInput(f"a {role} message must be a string or {{role, content}}: got {type(value).__name__}")


def preference_rows(triples) -> list[dict]:
    """TRL's conversational preference rows from (prompt messages, chosen, rejected) triples — corrected chat
    answers here, arena picks later. chosen/rejected: an answer's text or an assistant message."""
    rows = []
    for i, (prompt, chosen, rejected) in enumerate(triples):
        prompt = [_message(m, "user") for m in prompt]
        if not prompt or prompt[-1]["role"] != "user":
            raise InvalidInput(f"pair {i}: the prompt must end with a user message")
        rows.append({"prompt": prompt, "chosen": [_message(chosen)], "rejected": [_message(rejected)]})
    return rows


def preference_pairs(sel: Selection, user: str | None = None) -> tuple[list[dict], list[str]]:
    """(rows, session ids): an answer that has an ideal answer (its correction; rated 👎 or not) is `rejected`,
    the ideal answer `chosen`, the conversation before them the `prompt`. Identical pairs appear once. Then the
    picked arena duels (`models` filters on the rejected answer's model)."""
    sessions = SessionStore(user)
    triples, seen, session_ids, prompts = [], set(), set(), {}
    for row in candidates(sessions, sel, "json_extract(m.metadata, '$.rejected_by') IS NOT NULL"):
        ideal = _sibling(sessions, row, "rejected_by")
        if ideal is None or (sel.models is not None and model_of(row) not in sel.models):
            continue
        prompt = _context(sessions, row, prompts)
        key = dumps([prompt, ideal["content"], row["content"]])
        if key in seen or not prompt or prompt[-1]["role"] != "user":
            continue
        seen.add(key)
        session_ids.add(row["session_id"])
        triples.append((prompt, ideal["content"], row["content"]))
    # Arena picks (chat/arena.py): the winner chosen, the other answer rejected. A duel belongs to no chat
    # session, so a filter on sessions leaves them out.
    if sel.session_ids is None:
        triples += arena.preference_triples(_timestamp(sel.since), _timestamp(sel.until), sel.models, user)
    return preference_rows(triples), sorted(session_ids)
