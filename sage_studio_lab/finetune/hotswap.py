"""Hot-swap a fine-tuned adapter into the running engine and make it the chat default — no engine restart.

What the engine can hot-load follows vLLM's rules: plain LoRA, rank ≤ the engine's max LoRA rank, no DoRA,
no `modules_to_save` (full-weight modules). Anything else is refused with the reason and the way out:
merge-and-export, then restart the engine on the merged model.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import Conflict, InvalidInput, NotFound, Unavailable
from . import catalog

MAX_LORA_RANK = 64  # vLLM's default --max-lora-rank upper bound we launch with


def hot_load_problems(adapter: Path, max_rank: int = MAX_LORA_RANK) -> list[str]:
    """Why the engine cannot hot-load this adapter (empty list: it can)."""
    cfg_path = Path(adapter) / "adapter_config.json"
    if not cfg_path.exists():
        return [f"{adapter} is not an adapter folder (no adapter_config.json)"]
    cfg = json.loads(cfg_path.read_text())
    problems = []
    if cfg.get("peft_type", "LORA") != "LORA":
        problems.append(f"peft type {cfg.get('peft_type')} is not LoRA")
    if cfg.get("use_dora"):
        problems.append("DoRA adapters cannot be hot-loaded")
    if cfg.get("modules_to_save"):
        problems.append(f"modules_to_save ({', '.join(cfg['modules_to_save'])}) changes full weights")
    rank = max([cfg.get("r") or 0, *(cfg.get("rank_pattern") or {}).values()])
    if rank > max_rank:
        problems.append(f"rank {rank} is above the engine's max LoRA rank {max_rank}")
    return problems


def same_model(a: str, b: str) -> bool:
    """Do two catalog ids / folders name the same weights?"""
    if a == b:
        return True
    from ..models import resolve_model

    try:
        return Path(resolve_model(a)).resolve() == Path(resolve_model(b)).resolve()
    except Exception:  # noqa: BLE001 - an unresolvable name is simply not the same model
        return False


def _engine():
    from ..engine import EngineManager

    return EngineManager()


def _require_running(manager) -> dict:
    status = manager.status()
    if status["status"] != "running":
        raise Unavailable("no engine is running: start the engine, then use the adapter in chat")
    return status


def use_adapter(name: str, adapter: Path, base_model: str | None = None) -> dict:
    """Load `adapter` into the running engine under `name` (idempotent) and make it the chat default."""
    adapter = Path(adapter)
    problems = hot_load_problems(adapter)
    if problems:
        raise Conflict(
            "this adapter cannot be hot-loaded: "
            + "; ".join(problems)
            + ". Merge it (POST finetune/tasks/{id}/merge) and restart the engine on the merged model.",
            reason=problems,
            action="merge-and-restart",
        )
    manager = _engine()
    status = _require_running(manager)
    served = status.get("model")
    if base_model and served and not same_model(base_model, served):
        raise Conflict(
            f"this adapter was trained on {base_model} but the engine serves {served}: restart the "
            f"engine on {base_model} (or merge the adapter and serve the merged model)",
            reason=[f"base model mismatch: {base_model} vs {served}"],
            action="restart-engine",
        )
    load_time = 0.0
    if name not in (status.get("adapters") or []):
        load_time = manager.load_adapter(name, str(adapter))["load_time_s"]
    current = catalog.set_current_chat_model(
        {
            "model": name,
            "kind": "adapter",
            "path": str(adapter.resolve()),
            "base_model": base_model or status.get("model"),
            "engine": status.get("id"),
        }
    )
    return {"current": current, "load_time_s": load_time, "engine": status.get("id"), "restarted": False}


def use_task(task_id: str) -> dict:
    from .tasks import get_task

    task = get_task(task_id, refresh=False)
    if not task["adapter_path"]:
        raise Conflict(f"task {task_id!r} has no adapter yet (status: {task['status']})")
    return use_adapter(task_id, Path(task["adapter_path"]), task["base_model"])


def switch_model(model_path: str) -> dict:
    """Chat default ← an adapter folder (hot-loaded), or a base/merged model that the engine already serves.
    `model_path` may be a catalog id or a folder inside the data dir / catalog."""
    from ..models import BUNDLED_MODEL_ID, list_models

    if not model_path or "\x00" in model_path:
        raise InvalidInput("model_path must not be empty")
    catalog_by_id = {m.id: m for m in list_models()}
    info = catalog_by_id.get(model_path)
    if info is None:
        wanted = Path(model_path).expanduser()
        if ".." in wanted.parts:
            raise InvalidInput(f"model_path {model_path!r} must not contain '..'")
        info = next(
            (m for m in catalog_by_id.values() if m.path and Path(m.path).resolve() == wanted.resolve()), None
        )
    if info is None:
        raise NotFound(
            f"model {model_path!r} is not in the catalog: use an id from GET finetune/models",
            models=sorted(catalog_by_id),
        )
    if info.type == "finetuned" and info.details.get("kind") == "adapter":
        return use_adapter(info.id, Path(info.path), info.base_model)
    manager = _engine()
    status = _require_running(manager)
    served = status.get("model")
    same = (
        info.id == served
        or (info.path and served and Path(info.path).resolve() == Path(served).resolve())
        or (info.id == BUNDLED_MODEL_ID and served == BUNDLED_MODEL_ID)
    )
    if not same:
        raise Conflict(
            f"the engine serves {served}; switching chat to {info.id} needs an engine restart on that "
            "model (POST engine/restart with it)",
            action="restart-engine",
            model=info.id,
        )
    current = catalog.set_current_chat_model(
        {
            "model": None,
            "kind": "base" if info.type == "base" else "merged",
            "path": info.path,
            "base_model": info.id,
            "engine": status.get("id"),
        }
    )
    return {"current": current, "load_time_s": 0.0, "engine": status.get("id"), "restarted": False}


def ensure_current_loaded() -> dict:
    """Make sure the chat default adapter (e.g. chosen by `sage-studio lab --use-finetuned` before the engine
    existed) is loaded in the running engine. Cheap when it already is; chat calls this before routing."""
    current = catalog.current_chat_model()
    if current.get("kind") != "adapter" or not current.get("model"):
        return current
    manager = _engine()
    status = _require_running(manager)
    if current["model"] not in (status.get("adapters") or []):
        manager.load_adapter(current["model"], current["path"])
    return current
