"""Hot-swap a fine-tuned adapter into the running engine and make it the chat default — no engine restart.

What the engine can hot-load follows vLLM's rules: plain LoRA, rank ≤ the engine's max LoRA rank, no DoRA,
no `modules_to_save` (full-weight modules). Anything else is refused with the reason and the way out:
merge-and-restart — `use_task_merged` does it in one call: merge into `merged/` (when missing or stale),
restart the engine on it (same backend and port), and make it the chat default.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..chat import default_model
from ..errors import Conflict, InvalidInput, NotFound, StudioError, Unavailable

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


def use_adapter(name: str, adapter: Path, base_model: str | None = None, label: str | None = None) -> dict:
    """Load `adapter` into the running engine under `name` (idempotent) and make it the chat default.
    `label`: what people call it (the task's name), shown by every face; `name` is the served model id."""
    adapter = Path(adapter)
    problems = hot_load_problems(adapter)
    if problems:
        raise Conflict(
            "this adapter cannot be hot-loaded: "
            + "; ".join(problems)
            + '. Merge it and restart the engine on the merged model: send {"merge_and_restart": true}.',
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
    current = default_model.set_current_chat_model(
        {
            "model": name,
            "label": label or name,
            "kind": "adapter",
            "path": str(adapter.resolve()),
            "base_model": base_model or status.get("model"),
            "engine": status.get("id"),
        }
    )
    return {"current": current, "load_time_s": load_time, "engine": status.get("id"), "restarted": False}


def use_task(task_id: str, merge_and_restart: bool = False) -> dict:
    from .tasks import get_task

    if merge_and_restart:
        return use_task_merged(task_id)
    task = get_task(task_id)
    if not task["adapter_path"]:
        raise Conflict(f"task {task_id!r} has no adapter yet (status: {task['status']})")
    return use_adapter(task_id, Path(task["adapter_path"]), task["base_model"], label=task.get("name"))


def switch_model(model_path: str, restart: bool = False) -> dict:
    """Chat default ← an adapter folder (hot-loaded), or a base/merged model that the engine already serves.
    `model_path` may be a catalog id or a folder inside the data dir / catalog. With `restart`, a model the
    engine does not serve is served by restarting the engine on it (an adapter it cannot hot-load is merged
    first; an adapter for another base restarts the engine on that base, then hot-loads)."""
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
        if restart:
            return _use_adapter_restarting(info)
        return use_adapter(info.id, Path(info.path), info.base_model, label=info.name)
    manager = _engine()
    status = _require_running(manager)
    served = status.get("model")
    same = (
        info.id == served
        or (info.path and served and Path(info.path).resolve() == Path(served).resolve())
        or (info.id == BUNDLED_MODEL_ID and served == BUNDLED_MODEL_ID)
    )
    if not same and restart:
        kind = "base" if info.type == "base" else "merged"
        return _serve_restarting(manager, info.path if kind == "merged" else info.id, kind, info.id)
    if not same:
        raise Conflict(
            f"the engine serves {served}; switching chat to {info.id} needs an engine restart on that "
            'model: send {"restart": true} to restart it on that model',
            action="restart-engine",
            model=info.id,
        )
    current = default_model.set_current_chat_model(
        {
            "model": None,
            "kind": "base" if info.type == "base" else "merged",
            "path": info.path,
            "base_model": info.id,
            "engine": status.get("id"),
        }
    )
    return {"current": current, "load_time_s": 0.0, "engine": status.get("id"), "restarted": False}


# -- merge-and-restart ---------------------------------------------------------------------------------------
RESTART_TIMEOUT_S = 300  # loading a model on a busy CPU can take a while; a GPU engine (vLLM) longer still


def _switch_lock(manager):
    """One engine switch at a time across processes: two merge-and-restarts must not interleave."""
    from ..paths import file_lock

    return file_lock(manager.engines_dir / ".switch.lock")


def merged_is_fresh(task_dir: Path) -> bool:
    """Is `merged/` there and newer than every file of `adapter/` (a re-trained adapter needs a new merge)?"""
    merged = Path(task_dir) / "merged" / "config.json"
    adapter = Path(task_dir) / "adapter"
    if not merged.exists() or not adapter.is_dir():
        return False
    newest = max((p.stat().st_mtime for p in adapter.iterdir() if p.is_file()), default=0.0)
    return merged.stat().st_mtime >= newest


def _serves(status: dict, model: str) -> bool:
    served = status.get("model")
    if not served:
        return False
    if Path(model).is_dir() and Path(served).is_dir():
        return Path(model).resolve() == Path(served).resolve()
    return same_model(model, served)


def _restart_on(manager, status: dict, model: str, timeout: float = RESTART_TIMEOUT_S) -> tuple[dict, float]:
    """Stop the running engine and start it on `model` (same backend, host, GPU options; same port when
    free). If the new engine does not come up, the previous one (model + adapters) is started again and
    `Unavailable` carries the failed engine's log tail."""
    from ..chat.upstream import forget_local
    from ..engine.manager import port_is_free

    options = status.get("options") or {}

    def start(name: str, adapters: dict | None = None) -> dict:
        port = status.get("port")
        return manager.start(
            model=name,
            backend=status["backend"],
            port=port if port and port_is_free(port, status["host"]) else None,
            gpu_memory_utilization=options.get("gpu_memory_utilization", 0.9),
            quantization=options.get("quantization"),
            timeout=timeout,
            host=status["host"],
            adapters=adapters,
        )

    t0 = time.perf_counter()
    manager.stop()
    try:
        return start(model), round(time.perf_counter() - t0, 3)
    except StudioError as exc:
        log_tail = manager.logs(30)
        try:
            restored = start(
                options.get("requested_model") or status["model"], options.get("adapters") or None
            )
        except StudioError as again:
            restored = {"status": "failed", "error": again.message}
        raise Unavailable(
            f"the engine did not start on {model}: {exc.message.splitlines()[0]}. "
            + (
                "The previous engine was started again; the chat default is unchanged."
                if restored.get("status") == "running"
                else "The previous engine could not be started again either: start it from the engine panel."
            ),
            log_tail=log_tail,
            restored_engine=restored.get("status") == "running",
        ) from exc
    finally:
        forget_local()  # the chat gateway re-reads the engine (port, served model) on its next request


def _serve_restarting(
    manager, model: str, kind: str, catalog_id: str, merged_path: str | None = None, merge_s: float = 0.0
) -> dict:
    """Serve `model` (restarting the engine when it serves something else) and make it the chat default."""
    with _switch_lock(manager):
        status = _require_running(manager)
        previous = default_model.current_chat_model()
        dropped, restart_s, restarted = [], 0.0, False
        if not _serves(status, model):
            # Adapters were trained on the old base weights: they do not fit the new model, so they go.
            dropped = list(status.get("adapters") or [])
            status, restart_s = _restart_on(manager, status, model)
            restarted = True
        current = default_model.set_current_chat_model(
            {
                "model": None,  # the engine's own model
                "kind": kind,
                "path": merged_path or (model if Path(model).is_dir() else None),
                "base_model": catalog_id,
                "engine": status.get("id"),
            }
        )
    parts = [f"chat now uses {catalog_id}"]
    if restarted:
        parts.append(f"the engine was restarted on {status.get('model')} ({status.get('backend')})")
    if dropped:
        parts.append(
            f"adapters {', '.join(dropped)} were unloaded: they were trained on the previous base weights"
        )
    return {
        "current": current,
        "previous": previous,
        "merged_path": merged_path,
        "restarted": restarted,
        "dropped_adapters": dropped,
        "engine": status.get("id"),
        "load_time_s": 0.0,
        "timings": {"merge_s": merge_s, "restart_s": restart_s},
        "message": "; ".join(parts),
    }


def use_task_merged(task_id: str) -> dict:
    """Merge-and-restart: fold the task's adapter into `merged/` (reused when fresh), restart the running
    engine on it and make it the chat default. A failed merge leaves the engine untouched."""
    from . import tasks

    task = tasks.get_task(task_id)
    if not task["adapter_path"]:
        raise Conflict(f"task {task_id!r} has no adapter yet (status: {task['status']})")
    manager = _engine()
    _require_running(manager)  # 503 before minutes of merging
    folder = Path(task["output_dir"])
    merge_s = 0.0
    if not merged_is_fresh(folder):
        t0 = time.perf_counter()
        tasks.merge_task(task_id)
        merge_s = round(time.perf_counter() - t0, 3)
    merged = str((folder / "merged").resolve())
    return _serve_restarting(manager, merged, "merged", f"{task_id}-merged", merged, merge_s)


def _use_adapter_restarting(info) -> dict:
    """`switch_model(adapter, restart=True)`: merge-and-restart when the engine cannot hot-load it, else
    restart the engine on the adapter's base model when it serves another one, then hot-load."""
    task_id = info.details.get("task_id")
    if hot_load_problems(Path(info.path)):
        if not task_id:
            raise Conflict(f"{info.id} cannot be hot-loaded and is not a fine-tune task: merge it yourself")
        return use_task_merged(task_id)
    manager = _engine()
    status = _require_running(manager)
    restart = None
    if info.base_model and not _serves(status, info.base_model):
        restart = _serve_restarting(manager, info.base_model, "base", info.base_model)
    result = use_adapter(info.id, Path(info.path), info.base_model, label=info.name)
    if restart:
        result |= {k: restart[k] for k in ("restarted", "dropped_adapters", "timings")}
    return result
