"""The whole task table as a stream of changes, so one push socket (`api/finetune/events`) keeps a task table
current: a snapshot, then a message when a task appears, changes status, reports progress, or goes away.

Cheap enough to poll a few times a second while someone watches: one store query, plus a tail read of a
task's `events.jsonl` only when that file grew. Message shapes: docs/TRANSPORT.md (`finetune.events`).
"""

from __future__ import annotations

from pathlib import Path

from ..store import get_store
from . import tasks
from .events import last_event
from .task_store import describe

PROGRESS_FIELDS = ("step", "total_steps", "epoch", "loss", "eta_s")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _mark(progress: dict | None, evaluation: dict | None) -> tuple:
    return ((progress or {}).get("time"), (evaluation or {}).get("time"))


def progress_message(task_id: str, status: str, progress: dict | None, evaluation: dict | None) -> dict:
    """The latest progress of one task: the raw `progress`/`eval` events (the same keys as a task dict, so a
    client can merge them into its row) plus the fields a table shows, flat."""
    flat = {k: (progress or {}).get(k) for k in PROGRESS_FIELDS}
    return {
        "type": "progress",
        "task_id": task_id,
        "status": status,
        **flat,
        "eval_loss": (evaluation or {}).get("eval_loss"),
        "progress": progress,
        "eval": evaluation,
    }


class TaskTableWatcher:
    """Remembers what the client was told; `poll()` returns only what changed since."""

    def __init__(self):
        self._known: dict[str, tuple] = {}  # id -> (status, updated_at) last sent
        self._sizes: dict[str, int] = {}  # id -> events.jsonl size last read
        self._marks: dict[str, tuple] = {}  # id -> times of the last progress / eval event sent

    def snapshot(self) -> dict:
        """`{"type": "snapshot", "tasks": [...]}` — the same dicts as `GET api/finetune/tasks`."""
        rows = tasks.list_tasks()
        for task in rows:
            self._known[task["id"]] = (task["status"], task["updated_at"])
            self._sizes[task["id"]] = _size(Path(task["output_dir"]) / "events.jsonl")
            self._marks[task["id"]] = _mark(task["progress"], task["eval"])
        return {"type": "snapshot", "tasks": rows}

    def poll(self) -> list[dict]:
        """Changes since the last call (a read: trainers are looked after by `trainers.supervise`)."""
        out: list[dict] = []
        seen = set()
        for row in get_store().query("SELECT * FROM finetune_tasks ORDER BY created_at, rowid"):
            task_id = row["id"]
            seen.add(task_id)
            events_file = Path(row["output_dir"]) / "events.jsonl"
            size = _size(events_file)
            if size != self._sizes.get(task_id):
                self._sizes[task_id] = size
                progress = last_event(events_file, "progress")
                evaluation = last_event(events_file, "eval")
                mark = _mark(progress, evaluation)
                if task_id in self._known and mark != self._marks.get(task_id) and (progress or evaluation):
                    out.append(progress_message(task_id, row["status"], progress, evaluation))
                self._marks[task_id] = mark
            key = (row["status"], row["updated_at"])
            if self._known.get(task_id) != key:
                # new, or its status changed: the whole task dict (adapter path, error, ... may be new too)
                out.append({"type": "task", "task": describe(row)})
                self._known[task_id] = key
        for task_id in [t for t in self._known if t not in seen]:
            out.append({"type": "deleted", "task_id": task_id})
            for memo in (self._known, self._sizes, self._marks):
                memo.pop(task_id, None)
        return out
