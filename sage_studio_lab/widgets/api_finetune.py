"""Fine-tune methods of the transport (`finetune.*`): task control by the fine-tune core, progress read
straight from the task's row in the store and its append-only `events.jsonl` (any process can read them)."""

from __future__ import annotations

from pathlib import Path

from .transport import plain, rpc

TERMINAL = {"completed", "failed", "cancelled"}


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
    def rpc_finetune_use_in_chat(self, id: str):
        task_row(id)
        return plain(service().use_in_chat(id))

    @rpc("finetune.merge")
    def rpc_finetune_merge(self, id: str):
        task_row(id)
        return plain(service().merge(id))

    @rpc("finetune.watch", stream=True)
    def rpc_finetune_watch(self, id: str | None = None, interval_s: float = 0.5, call=None):
        """Push new progress events and status changes; ends when the task ends (or on cancel)."""

        offsets: dict[str, int] = {}
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
                if statuses.get(task["id"]) != task["status"]:
                    statuses[task["id"]] = task["status"]
                    call.emit({"type": "status", "task_id": task["id"], "status": task["status"]})
            if id and tasks[0]["status"] in TERMINAL:
                return {"status": tasks[0]["status"]}
            call.cancelled.wait(interval_s)
        return {"cancelled": True}
