"""Fine-tuned models in the catalog, and the chat default model (stored, so every process agrees on it)."""

from __future__ import annotations

import json
from pathlib import Path

from ..store import dumps, get_store, loads, now

CURRENT_MODEL_KEY = "chat_model"


def finetuned_models() -> list:
    """Adapters (and merged models) of completed tasks, oldest first, as `models.ModelInfo`."""
    from ..models import ModelInfo

    out = []
    rows = get_store().query(
        "SELECT id, name, base_model, output_dir, updated_at FROM finetune_tasks "
        "WHERE status='completed' ORDER BY updated_at"
    )
    for row in rows:
        folder = Path(row["output_dir"])
        adapter = folder / "adapter"
        if (adapter / "adapter_config.json").exists():
            out.append(
                ModelInfo(
                    id=row["id"],
                    name=row["name"],
                    type="finetuned",
                    source="finetune",
                    path=str(adapter),
                    base_model=row["base_model"],
                    details={"kind": "adapter", "task_id": row["id"], **adapter_details(adapter)},
                )
            )
        if (folder / "merged" / "config.json").exists():
            out.append(
                ModelInfo(
                    id=f"{row['id']}-merged",
                    name=f"{row['name']} (merged)",
                    type="finetuned",
                    source="finetune",
                    path=str(folder / "merged"),
                    base_model=row["base_model"],
                    details={"kind": "merged", "task_id": row["id"]},
                )
            )
    return out


def adapter_details(adapter: Path) -> dict:
    try:
        cfg = json.loads((Path(adapter) / "adapter_config.json").read_text())
    except (OSError, json.JSONDecodeError):
        return {}
    return {
        "rank": cfg.get("r"),
        "alpha": cfg.get("lora_alpha"),
        "target_modules": cfg.get("target_modules"),
        "use_dora": bool(cfg.get("use_dora")),
    }


def get_setting(key: str, default=None):
    row = get_store().query_one("SELECT value FROM finetune_settings WHERE key=?", (key,))
    return loads(row["value"], default) if row else default


def set_setting(key: str, value) -> None:
    get_store().execute(
        "INSERT OR REPLACE INTO finetune_settings(key, value, updated_at) VALUES (?,?,?)",
        (key, dumps(value), now()),
    )


def current_chat_model() -> dict:
    """What chat uses by default: {"model": served model name, "kind": base|adapter|merged, ...}.
    The chat gateway reads this; `None` model means "the engine's base model"."""
    from ..settings import get_settings

    return get_setting(CURRENT_MODEL_KEY) or {
        "model": None,
        "kind": "base",
        "base_model": get_settings().default_model,
        "path": None,
        "since": None,
    }


def set_current_chat_model(value: dict) -> dict:
    value = {**value, "since": now()}
    set_setting(CURRENT_MODEL_KEY, value)
    return value
