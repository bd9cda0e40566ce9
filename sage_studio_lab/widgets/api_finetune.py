"""Fine-tune methods of the transport (`finetune.*`): task control by the fine-tune core, progress read
straight from the task's row in the store and its append-only `events.jsonl` (any process can read them)."""

from __future__ import annotations

from pathlib import Path

from .transport import plain, rpc

TERMINAL = {"completed", "failed", "cancelled"}
PROGRESS_KEYS = ("step", "total_steps", "epoch", "loss", "eta_s", "tokens_per_s")
DOWNLOAD_INLINE_MAX = 64 << 20  # larger adapter zips are named by path rather than sent over the comm


def service():
    from ..finetune import FinetuneService

    return FinetuneService()


def task_row(task_id: str) -> dict:
    """The task as the fine-tune core describes it (re-derived: a dead trainer shows as failed)."""
    from ..finetune import tasks

    return tasks.get_task(task_id)


def read_events(task: dict, offset: int = 0) -> tuple[list[dict], int]:
    """Complete events of the task's events.jsonl after byte `offset` (a line being written waits)."""
    from ..finetune.events import read_events as read

    return read(Path(task["output_dir"]) / "events.jsonl", offset)


def summarize(task: dict, events: list[dict]) -> dict:
    """The task row plus its latest progress, in the shape of `finetune.get`."""
    history = [e for e in events if e.get("loss") is not None or e.get("eval_loss") is not None]
    last = next((e for e in reversed(events) if e.get("type") == "progress"), None) or next(
        (e for e in reversed(events) if e.get("step") is not None), {}
    )
    total = last.get("total_steps") or last.get("max_steps") or 0
    progress = last.get("progress")
    if progress is None and total:
        progress = min(1.0, (last.get("step") or 0) / total)
    if task["status"] == "completed":
        progress = 1.0
    return plain(
        {
            **{
                k: task[k]
                for k in (
                    "id",
                    "name",
                    "base_model",
                    "dataset_id",
                    "status",
                    "error",
                    "output_dir",
                    "adapter_path",
                    "merged_path",
                    "warnings",
                    "created_at",
                    "updated_at",
                )
                if k in task
            },
            "config": task.get("config", {}),
            "progress": progress or 0.0,
            "step": last.get("step"),
            "total_steps": total or None,
            "epoch": last.get("epoch"),
            "loss": next((e["loss"] for e in reversed(history) if e.get("loss") is not None), None),
            "eval_loss": next(
                (e["eval_loss"] for e in reversed(history) if e.get("eval_loss") is not None), None
            ),
            "eta_s": last.get("eta_s"),
            "tokens_per_s": last.get("tokens_per_s"),
            "history": [{k: e.get(k) for k in ("step", "loss", "eval_loss", "lr", "epoch")} for e in history],
        }
    )


def task_logs(task: dict, tail: int = 200) -> list[str]:
    return service().logs(task["id"], int(tail))


def _fraction(step, total, status) -> float:
    if status == "completed":
        return 1.0
    return min(1.0, step / total) if step is not None and total else 0.0


def flat_task(task: dict) -> dict:
    """A core task dict (latest `progress` / `eval` events nested) as the contract's flat table row."""
    progress = task.get("progress") if isinstance(task.get("progress"), dict) else {}
    evaluation = task.get("eval") if isinstance(task.get("eval"), dict) else {}
    row = {k: v for k, v in task.items() if k not in ("progress", "eval", "transitions")}
    row.update({k: progress[k] for k in PROGRESS_KEYS if progress.get(k) is not None})
    row["eval_loss"] = evaluation.get("eval_loss")
    row["progress"] = _fraction(progress.get("step"), progress.get("total_steps"), task.get("status"))
    return plain(row)


def flat_table_message(message: dict) -> dict:
    """A `TaskTableWatcher` message in the shape of `finetune.events` (docs/TRANSPORT.md): task rows flat,
    `progress` a fraction."""
    kind = message.get("type")
    if kind == "snapshot":
        return {"type": "snapshot", "tasks": [flat_task(t) for t in message["tasks"]]}
    if kind == "task":
        return {"type": "task", "task": flat_task(message["task"])}
    if kind == "progress":
        raw = message.get("progress") or {}
        out = {k: v for k, v in message.items() if k not in ("progress", "eval")}
        for key in PROGRESS_KEYS:
            if out.get(key) is None and raw.get(key) is not None:
                out[key] = raw[key]
        out["progress"] = _fraction(out.get("step"), out.get("total_steps"), out.get("status"))
        return plain(out)
    return plain(message)


class FinetuneApi:
    @rpc("finetune.models")
    def rpc_finetune_models(self):
        from ..models import list_models

        return {
            "models": [
                {"name": m.id, "type": m.type, "path": m.path, "base_model": m.base_model}
                for m in list_models()
            ]
        }

    @rpc("finetune.datasets")
    def rpc_finetune_datasets(self):
        from .. import store

        return {
            "datasets": store.get_store().query(
                "SELECT id, name, format, rows, created_at FROM datasets ORDER BY created_at DESC"
            )
        }

    @rpc("finetune.upload")
    def rpc_finetune_upload(self, name: str, content: str):
        return plain(service().upload_dataset(name=name, content=content))

    @rpc("finetune.tasks")
    def rpc_finetune_tasks(self):
        from ..finetune.tasks import list_tasks

        out = []
        for row in list_tasks():
            summary = summarize(row, read_events(row)[0])
            summary.pop("history")
            out.append(summary)
        return {"tasks": out}

    @rpc("finetune.create")
    def rpc_finetune_create(
        self,
        dataset_id: str,
        name: str | None = None,
        base_model: str | None = None,
        config: dict | None = None,
    ):
        return plain(
            service().create_task(
                name=name, base_model=base_model, dataset_id=dataset_id, config=config or {}
            )
        )

    @rpc("finetune.get")
    def rpc_finetune_get(self, id: str):
        task = task_row(id)
        return summarize(task, read_events(task)[0])

    @rpc("finetune.logs")
    def rpc_finetune_logs(self, id: str, tail: int = 200):
        return {"lines": task_logs(task_row(id), tail)}

    @rpc("finetune.cancel")
    def rpc_finetune_cancel(self, id: str):
        task_row(id)
        return plain(service().cancel(id))

    @rpc("finetune.delete")
    def rpc_finetune_delete(self, id: str):
        task_row(id)
        service().delete(id)
        return {"deleted": id}

    @rpc("finetune.use_in_chat")
    def rpc_finetune_use_in_chat(self, id: str, merge_and_restart: bool = False):
        task_row(id)
        return plain(service().use_in_chat(id, merge_and_restart=bool(merge_and_restart)))

    @rpc("finetune.download")
    def rpc_finetune_download(self, id: str):
        """The adapter zip (the same file as `GET api/finetune/tasks/{id}/download`): its bytes as a buffer,
        or only its path when it is too large for the comm."""
        from ..finetune import tasks

        path = tasks.adapter_zip(id)
        size = path.stat().st_size
        value = {
            "filename": f"{id}-adapter.zip",
            "size": size,
            "content_type": "application/zip",
            "path": str(path),
        }
        if size > DOWNLOAD_INLINE_MAX:
            return value
        return value, [path.read_bytes()]

    @rpc("finetune.merge")
    def rpc_finetune_merge(self, id: str):
        task_row(id)
        return plain(service().merge(id))

    @rpc("finetune.events", stream=True)
    def rpc_finetune_events(self, interval_s: float = 0.3, call=None):
        """The whole task table: a snapshot, then each change (new task, status, progress, deleted), read by
        the core's `TaskTableWatcher` (the same as the `api/finetune/events` socket), until cancelled."""
        from ..finetune.watch import TaskTableWatcher

        watcher = TaskTableWatcher()
        call.emit(flat_table_message(watcher.snapshot()))
        ticks = 0
        while not call.cancelled.wait(max(0.1, float(interval_s))):
            ticks += 1
            for message in watcher.poll(refresh=ticks % 10 == 0):  # reap dead trainers now and then
                call.emit(flat_table_message(message))
        return {"cancelled": True}

    @rpc("finetune.watch", stream=True)
    def rpc_finetune_watch(
        self, id: str | None = None, interval_s: float = 0.5, logs: bool = False, call=None
    ):
        """Push new progress events and status changes (with `logs`, also each train.log line); ends when the
        task ends (or on cancel)."""
        from ..finetune.events import read_lines

        offsets: dict[str, int] = {}
        log_offsets: dict[str, int] = {}
        statuses: dict[str, str] = {}
        while not call.cancelled.is_set():
            if id:
                tasks = [task_row(id)]
            else:
                from ..finetune.tasks import list_tasks

                tasks = [t for t in list_tasks() if t["status"] not in TERMINAL]
            for task in tasks:
                events, offsets[task["id"]] = read_events(task, offsets.get(task["id"], 0))
                for event in events:
                    kind = event.get("type")
                    if kind in ("progress", "eval"):
                        call.emit({**event, "type": "progress", "task_id": task["id"]})
                    elif kind == "checkpoint":
                        call.emit(
                            {
                                "type": "log",
                                "task_id": task["id"],
                                "line": f"checkpoint saved at step {event.get('step')}: {event.get('path')}",
                            }
                        )
                if logs:
                    lines, log_offsets[task["id"]] = read_lines(
                        Path(task["output_dir"]) / "train.log", log_offsets.get(task["id"], 0)
                    )
                    for line in lines:
                        call.emit({"type": "log", "task_id": task["id"], "line": line})
                if statuses.get(task["id"]) != task["status"]:
                    statuses[task["id"]] = task["status"]
                    call.emit({"type": "status", "task_id": task["id"], "status": task["status"]})
            if id and tasks[0]["status"] in TERMINAL:
                return {"status": tasks[0]["status"]}
            call.cancelled.wait(interval_s)
        return {"cancelled": True}
