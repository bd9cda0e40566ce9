"""Fine-tune task records: the row, its allowed status transitions (each one recorded), and the task dict
every face shows. Reads here never touch processes; trainers.py runs them, tasks.py is the public API."""

from __future__ import annotations

from pathlib import Path

from .. import paths
from ..errors import InvalidInput, NotFound
from ..store import get_store, loads, now
from .events import last_event

STATUSES = ("pending", "queued", "running", "completed", "failed", "cancelled")
ACTIVE = ("pending", "queued", "running")
ALLOWED = {
    "pending": {"queued", "cancelled", "failed"},
    "queued": {"running", "cancelled", "failed"},
    "running": {"completed", "failed", "cancelled"},
    "failed": {"queued"},  # resume
    "cancelled": {"queued"},  # resume
    "completed": set(),
}


def tasks_root() -> Path:
    return paths.area_dir("finetune")


def task_dir(task_id: str) -> Path:
    try:
        return paths.child_path(tasks_root(), task_id)
    except ValueError as exc:
        raise InvalidInput(f"task id: {exc}") from exc


def row(task_id: str) -> dict:
    task_dir(task_id)  # refuses ids that are not plain names
    found = get_store().query_one("SELECT * FROM finetune_tasks WHERE id=?", (task_id,))
    if found is None:
        raise NotFound(f"task {task_id!r} not found")
    return found


def set_status(
    task_id: str,
    status: str,
    note: str | None = None,
    expect: tuple[str, ...] | None = None,
    expect_pid: int | None = None,
    **fields,
) -> bool:
    """Move a task to `status` if the transition is allowed (and it is in `expect`, and its trainer is
    `expect_pid`, when given); record it."""
    with get_store().tx() as conn:
        current = conn.execute("SELECT status, pid FROM finetune_tasks WHERE id=?", (task_id,)).fetchone()
        if current is None:
            return False
        if (expect and current[0] not in expect) or status not in ALLOWED[current[0]]:
            return False
        if expect_pid is not None and current[1] != expect_pid:
            return False  # another trainer runs the task now (resumed while the stopped one was exiting)
        sets = ", ".join(f"{k}=?" for k in ["status", "updated_at", *fields])
        conn.execute(
            f"UPDATE finetune_tasks SET {sets} WHERE id=?", (status, now(), *fields.values(), task_id)
        )
        conn.execute(
            "INSERT INTO finetune_transitions(task_id, status, at, note) VALUES (?,?,?,?)",
            (task_id, status, now(), note),
        )
    return True


def transitions(task_id: str) -> list[dict]:
    return get_store().query(
        "SELECT status, at, note FROM finetune_transitions WHERE task_id=? ORDER BY id", (task_id,)
    )


def latest_checkpoint(folder: Path) -> Path | None:
    root = Path(folder) / "checkpoints"
    if not root.is_dir():
        return None
    ckpts = [p for p in root.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()]
    return max(ckpts, key=lambda p: int(p.name.split("-")[-1])) if ckpts else None


def describe(task: dict) -> dict:
    """A store row → the task dict every face shows (latest progress/eval events, artefact paths)."""
    folder = Path(task["output_dir"])
    spec = loads((folder / "config.json").read_text()) if (folder / "config.json").exists() else {}
    ckpt = latest_checkpoint(folder)
    return {
        "id": task["id"],
        "name": task["name"],
        "status": task["status"],
        "base_model": task["base_model"],
        "dataset_id": task["dataset_id"],
        "config": loads(task["config"], {}),
        "pid": task["pid"],
        "error": task["error"],
        "created_at": task["created_at"],
        "updated_at": task["updated_at"],
        "output_dir": str(folder),
        "progress": last_event(folder / "events.jsonl", "progress"),
        "eval": last_event(folder / "events.jsonl", "eval"),
        "adapter_path": str(folder / "adapter")
        if (folder / "adapter" / "adapter_config.json").exists()
        else None,
        "merged_path": str(folder / "merged") if (folder / "merged" / "config.json").exists() else None,
        "last_checkpoint": ckpt.name if ckpt else None,
        "warnings": spec.get("warnings", []),
    }
