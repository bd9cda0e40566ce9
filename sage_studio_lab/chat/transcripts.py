"""Session transcripts: the export formats (JSON with the whole message tree, Markdown of the active branch)
and importing them as a new session. `SessionStore.export` / `import_session` are the entry points."""

from __future__ import annotations

import re

from .. import store
from ..errors import InvalidInput
from .models import ImportBody, new_id

# metadata keys whose value is another message's id (edits, ideal answers: chat/ratings.py); an import maps them
ID_KEYS = ("edited_from", "ideal_for", "rejected_by")


def to_markdown(title: str, messages: list[dict]) -> str:
    lines = [f"# {title}", ""]
    for m in messages:
        lines += [f"## {m['role']}", "", m["content"], ""]
    return "\n".join(lines)


def to_json(session: dict, messages: list[dict]) -> dict:
    """`session`: its row; `messages`: every message row of the session (all branches), oldest first."""
    return {
        "format": "json",
        "version": 1,
        "id": session["id"],
        "title": session["title"],
        "settings": store.loads(session["settings"], {}),
        "active_leaf_id": session["active_leaf_id"],
        "created_at": session["created_at"],
        "updated_at": session["updated_at"],
        "messages": [
            {k: m[k] for k in ("id", "parent_id", "role", "content", "created_at")}
            | {"metadata": store.loads(m["metadata"], {})}
            for m in map(dict, messages)
        ],
    }


def insert(db: store.Store, body: ImportBody | dict) -> str:
    """Write an export as a new session (new ids, the tree kept) in one transaction; returns its id."""
    body = body if isinstance(body, ImportBody) else ImportBody.model_validate(body)
    if body.format == "markdown":
        if not body.markdown:
            raise InvalidInput("markdown import needs the transcript in `markdown`")
        title, messages = parse_markdown(body.markdown)
        body = ImportBody(title=body.title or title, settings=body.settings, messages=messages)
    if not body.messages:
        raise InvalidInput("nothing to import: `messages` is empty")
    id_map = {m.id: new_id() for m in body.messages if m.id}
    sid, now = new_id(), store.now()
    with db.tx() as conn:
        conn.execute(
            "INSERT INTO sessions(id, title, settings, created_at, updated_at) VALUES (?,?,?,?,?)",
            (
                sid,
                (body.title or "Imported chat")[:300],
                store.dumps(body.settings.model_dump(exclude_none=True)),
                now,
                now,
            ),
        )
        previous = None
        for i, m in enumerate(body.messages):
            mid = id_map.get(m.id) or new_id()
            if m.parent_id is not None and m.parent_id not in id_map:
                raise InvalidInput(f"messages[{i}].parent_id {m.parent_id!r} is not an earlier message's id")
            parent = id_map[m.parent_id] if m.parent_id else (previous if not m.id else None)
            conn.execute(
                "INSERT INTO messages(id, session_id, parent_id, role, content, metadata, created_at) "
                "VALUES (?,?,?,?,?,?,?)",
                (
                    mid,
                    sid,
                    parent,
                    m.role,
                    m.content,
                    store.dumps(_remap(m.metadata, id_map)),
                    now + i * 1e-6,
                ),
            )
            previous = mid
        leaf = id_map.get(body.active_leaf_id) if body.active_leaf_id else previous
        conn.execute("UPDATE sessions SET active_leaf_id=? WHERE id=?", (leaf or previous, sid))
    return sid


def _remap(metadata: dict, id_map: dict[str, str]) -> dict:
    """The ids `metadata` refers to (`ID_KEYS`) as the imported session's ids (ratings travel in metadata)."""
    return {k: id_map.get(v, v) if k in ID_KEYS and isinstance(v, str) else v for k, v in metadata.items()}


def parse_markdown(text: str) -> tuple[str | None, list[dict]]:
    """The transcript `to_markdown` writes: `# title`, then `## role` sections."""
    title, messages, role, buf = None, [], None, []
    for line in text.splitlines():
        heading = re.match(r"^##\s+(system|user|assistant)\s*$", line.strip(), re.IGNORECASE)
        if heading:
            if role:
                messages.append({"role": role, "content": "\n".join(buf).strip()})
            role, buf = heading.group(1).lower(), []
        elif line.startswith("# ") and role is None and title is None:
            title = line[2:].strip()
        elif role:
            buf.append(line)
    if role:
        messages.append({"role": role, "content": "\n".join(buf).strip()})
    return title, messages
