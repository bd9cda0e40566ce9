"""Fine-tune tasks, the public API: create, get, list, cancel, delete, resume, logs, adapter zip, merge.

State lives in the store (row + transitions, task_store.py) and the task folder; nothing is kept only in
memory, so any process (Jupyter server, kernel, CLI, a finishing trainer) sees the same queue. Writes
schedule the queue (trainers.py); reads (`get_task`, `list_tasks`) only read.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

from ..errors import Conflict, InvalidInput, NotFound
from ..store import dumps, get_store, now
from .config import TaskConfig
from .events import tail_lines
from .task_store import describe, latest_checkpoint, row, set_status, task_dir, tasks_root, transitions
from .trainers import pid_alive, schedule, stop_trainer

# Callers (faces, tests) reach these through the API module.
__all__ = [
    "adapter_zip",
    "cancel_task",
    "create_task",
    "delete_task",
    "describe",
    "events_path",
    "get_task",
    "latest_checkpoint",
    "list_tasks",
    "logs",
    "merge_task",
    "pid_alive",
    "resume_task",
    "schedule",
    "set_status",
    "task_dir",
    "tasks_root",
    "transitions",
]
CANCEL_GRACE_S = 15


def create_task(config: TaskConfig) -> dict:
    """Validate, write config.json and the dataset snapshot, queue, and schedule. Nothing is stored on error."""
    from ..models import resolve_model
    from .advice import advise
    from .datasets import get_dataset

    dataset = get_dataset(config.dataset_id)
    model_dir = resolve_model(config.model)  # ModelNotFound (404) before anything is written
    if config.quantization != "none":
        from .advice import quantization_available

        ok, why = quantization_available()
        if not ok:
            raise InvalidInput(f"quantization {config.quantization!r} is not available here: {why}")
    warnings = advise(config, Path(model_dir), dataset["rows"])
    task_id = "ft-" + time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
    folder = task_dir(task_id)
    tmp = folder.with_name(f".{task_id}.tmp")
    tmp.mkdir(parents=True)
    spec = {
        "task_id": task_id,
        "config": config.model_dump(),
        "model_path": str(model_dir),
        "warnings": warnings,
    }
    (tmp / "config.json").write_text(json.dumps(spec, indent=2))
    shutil.copyfile(
        dataset["path"], tmp / "dataset.jsonl"
    )  # the task keeps its data if the dataset is deleted
    tmp.rename(folder)
    name = config.name or f"{Path(str(config.model)).name} on {dataset['name']}"
    try:
        with get_store().tx() as conn:
            t = now()
            conn.execute(
                "INSERT INTO finetune_tasks(id, name, base_model, dataset_id, config, status, output_dir, created_at,"
                " updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    task_id,
                    name,
                    config.model,
                    config.dataset_id,
                    dumps(spec["config"]),
                    "pending",
                    str(folder),
                    t,
                    t,
                ),
            )
            conn.execute(
                "INSERT INTO finetune_transitions(task_id, status, at, note) VALUES (?,?,?,?)",
                (task_id, "pending", t, "created"),
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    set_status(task_id, "queued", note="waiting for a training slot")
    schedule()
    return get_task(task_id) | {"warnings": warnings}


def get_task(task_id: str) -> dict:
    return describe(row(task_id)) | {"transitions": transitions(task_id)}


def list_tasks() -> list[dict]:
    return [describe(r) for r in get_store().query("SELECT * FROM finetune_tasks ORDER BY created_at DESC")]


def cancel_task(task_id: str, grace_s: float = CANCEL_GRACE_S) -> dict:
    """Queued → cancelled at once; running → SIGTERM (the trainer saves a checkpoint and stops), then SIGKILL."""
    task = row(task_id)
    if task["status"] in ("pending", "queued"):
        set_status(task_id, "cancelled", note="cancelled before start", expect=("pending", "queued"))
    elif task["status"] == "running":
        pid = stop_trainer(task, grace_s)
        # The trainer records 'cancelled' itself on a graceful stop; a killed one is recorded here, unless the
        # task was resumed meanwhile (its 'cancelled' is visible before the stopped trainer has exited).
        set_status(task_id, "cancelled", note="cancelled by user", expect=("running",), expect_pid=pid)
    else:
        raise Conflict(
            f"task {task_id!r} is {task['status']}: only pending, queued or running tasks can be cancelled"
        )
    schedule()
    return get_task(task_id)


def delete_task(task_id: str) -> None:
    schedule()  # a trainer that died is reaped first, so its task can be deleted
    task = row(task_id)
    if task["status"] == "running":
        raise Conflict(f"task {task_id!r} is running: cancel it before deleting")
    get_store().execute("DELETE FROM finetune_tasks WHERE id=?", (task_id,))
    shutil.rmtree(Path(task["output_dir"]), ignore_errors=True)


def resume_task(task_id: str) -> dict:
    """Queue a failed or cancelled task again; the trainer continues from its last checkpoint."""
    task = row(task_id)
    if task["status"] not in ("failed", "cancelled"):
        raise Conflict(f"task {task_id!r} is {task['status']}: only failed or cancelled tasks can be resumed")
    (Path(task["output_dir"]) / "cancel.requested").unlink(missing_ok=True)
    ckpt = latest_checkpoint(Path(task["output_dir"]))
    set_status(
        task_id,
        "queued",
        note=f"resume from {ckpt.name}" if ckpt else "restart from scratch",
        error=None,
        exit_code=None,
    )
    schedule()
    return get_task(task_id)


def logs(task_id: str, lines: int = 200) -> list[str]:
    return tail_lines(task_dir(row(task_id)["id"]) / "train.log", lines)


def events_path(task_id: str) -> Path:
    return Path(row(task_id)["output_dir"]) / "events.jsonl"


def adapter_zip(task_id: str) -> Path:
    """The adapter folder as a zip (built once, next to it)."""
    folder = Path(row(task_id)["output_dir"])
    adapter = folder / "adapter"
    if not (adapter / "adapter_config.json").exists():
        raise NotFound(f"task {task_id!r} has no adapter yet (status: {row(task_id)['status']})")
    target = folder / "adapter.zip"
    if not target.exists() or target.stat().st_mtime < (adapter / "adapter_config.json").stat().st_mtime:
        tmp = shutil.make_archive(str(folder / ".adapter-zip"), "zip", root_dir=adapter)
        os.replace(tmp, target)
    return target


def merge_task(task_id: str, timeout_s: float = 1800) -> dict:
    """Merge the adapter into its base model as a standalone HF folder `merged/` (in a subprocess, so the
    caller's memory is not taken by a second copy of the model)."""
    task = row(task_id)
    folder = Path(task["output_dir"])
    if not (folder / "adapter" / "adapter_config.json").exists():
        raise Conflict(f"task {task_id!r} has no adapter to merge (status: {task['status']})")
    proc = subprocess.run(
        [sys.executable, "-m", "sage_studio_lab.finetune.merge", str(folder)],
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    if proc.returncode != 0:
        raise InvalidInput(f"merge failed: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}")
    return get_task(task_id)
