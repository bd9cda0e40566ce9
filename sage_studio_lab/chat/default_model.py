"""The chat default model: what a chat turn that names no model is answered by (the engine's base model, a
fine-tuned adapter loaded into it, or a merged model it serves). Stored, so every process agrees on it.

Fine-tuning sets it ("use in chat"); chat reads it. It lives in the finetune area's key/value table
`finetune_settings`, where it was introduced: moving it would need a migration across two areas.
"""

from __future__ import annotations

from ..settings import get_settings
from ..store import dumps, get_store, loads, now

KEY = "chat_model"


def current_chat_model() -> dict:
    """{"model": served model name, "kind": base|adapter|merged, "path", "base_model", "since", ...};
    `None` model means "the engine's base model"."""
    row = get_store().query_one("SELECT value FROM finetune_settings WHERE key=?", (KEY,))
    value = loads(row["value"], None) if row else None
    return value or {
        "model": None,
        "kind": "base",
        "base_model": get_settings().default_model,
        "path": None,
        "since": None,
    }


def set_current_chat_model(value: dict) -> dict:
    value = {**value, "since": now()}
    get_store().execute(
        "INSERT OR REPLACE INTO finetune_settings(key, value, updated_at) VALUES (?,?,?)",
        (KEY, dumps(value), now()),
    )
    return value


def is_adapter(current: dict) -> bool:
    return current.get("kind") == "adapter" and bool(current.get("model"))


def ensure_loaded() -> dict:
    """Load the chat default adapter into the running engine when it is not there (e.g. it was chosen by
    `sage-studio lab --use-finetuned` before the engine started, or the engine was restarted on its own).
    An explicit step: routing a chat turn calls it, reading the default never does."""
    from ..engine import EngineManager
    from ..errors import Unavailable

    current = current_chat_model()
    if not is_adapter(current):
        return current
    manager = EngineManager()
    status = manager.status()
    if status["status"] != "running":
        raise Unavailable("no engine is running: start the engine, then use the adapter in chat")
    if current["model"] not in (status.get("adapters") or []):
        manager.load_adapter(current["model"], current["path"])
    return current
