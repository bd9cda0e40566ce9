"""Helpers the operators share: document shapes and path resolution."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .. import policy


def as_text(value) -> str:
    """A message as plain text: documents are joined, chat messages show their content."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "text" in value:
            return str(value["text"])
        if "content" in value:
            return str(value["content"])
    if isinstance(value, (list, tuple)):
        return "\n\n".join(as_text(v) for v in value)
    return str(value)


def as_documents(value) -> list[dict]:
    """Normalise a message to a list of {"id", "text", "metadata"} documents."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            out.extend(as_documents(v))
        return out
    if isinstance(value, dict) and "text" in value:
        doc = dict(value)
        doc.setdefault("metadata", {})
        doc.setdefault("id", doc_id(doc["text"], doc["metadata"]))
        return [doc]
    text = as_text(value)
    return [{"id": doc_id(text), "text": text, "metadata": {}}]


def doc_id(text: str, metadata: dict | None = None) -> str:
    key = f"{(metadata or {}).get('source', '')}\x00{(metadata or {}).get('chunk', '')}\x00{text}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def resolve_path(path: str, base_dir: str | None, config: dict | None = None) -> Path:
    """Where a file operator's path points for this run (flow/policy.py: the flow's folder, the run's root,
    the shipped templates' folders); `allowed()` then checks it against the run's roots."""
    return policy.resolve(path, base_dir, policy.policy_of(config or {}))


def allowed(path: Path, config: dict, what: str, write: bool = False) -> Path:
    """`path` when this run may read (write) it; Forbidden naming the allowed folder otherwise."""
    return policy.check(path, policy.policy_of(config), what, write=write)
