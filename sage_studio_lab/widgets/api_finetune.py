"""Fine-tune methods of the widget transport that are not plain operations: the dataset upload (text), the
adapter download (a binary buffer) and the progress streams (the same messages as the REST sockets)."""

from __future__ import annotations

from pathlib import Path

from .transport import plain, rpc

TERMINAL = {"completed", "failed", "cancelled"}
DOWNLOAD_INLINE_MAX = 64 << 20  # larger adapter zips are named by path rather than sent over the comm


def service():
    from ..finetune import FinetuneService

    return FinetuneService()


class FinetuneApi:
    @rpc("finetune.upload")
    def rpc_finetune_upload(self, name: str, content: str):
        return plain(service().upload_dataset(name=name, content=content))

    @rpc("finetune.download")
    def rpc_finetune_download(self, task_id: str):
        """The adapter zip (the same file as `GET api/finetune/tasks/{id}/download`): its bytes as a buffer,
        or only its path when it is too large for the comm."""
        from ..finetune import tasks

        path = tasks.adapter_zip(task_id)
        size = path.stat().st_size
        value = {
            "filename": f"{task_id}-adapter.zip",
            "size": size,
            "content_type": "application/zip",
            "path": str(path),
        }
        if size > DOWNLOAD_INLINE_MAX:
            return value
        return value, [path.read_bytes()]

    @rpc("finetune.events", stream=True)
    def rpc_finetune_events(self, interval_s: float = 0.3, call=None):
        """The whole task table: a snapshot, then each change (new task, status, progress, deleted), read by
        the core's `TaskTableWatcher` (the same as the `api/finetune/events` socket), until cancelled."""
        from ..finetune.watch import TaskTableWatcher

        watcher = TaskTableWatcher()
        call.emit(watcher.snapshot())
        while not call.cancelled.wait(max(0.1, float(interval_s))):
            for message in watcher.poll():
                call.emit(message)
        return {"cancelled": True}

    @rpc("finetune.watch", stream=True)
    def rpc_finetune_watch(
        self, task_id: str | None = None, interval_s: float = 0.5, logs: bool = False, call=None
    ):
        """Push new progress events and status changes (with `logs`, also each train.log line); ends when the
        task ends (or on cancel)."""
        from ..finetune.events import read_lines
        from ..finetune.progress import read_events
        from ..finetune.tasks import get_task

        offsets: dict[str, int] = {}
        log_offsets: dict[str, int] = {}
        statuses: dict[str, str] = {}
        while not call.cancelled.is_set():
            if task_id:
                tasks = [get_task(task_id)]
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
            if task_id and tasks[0]["status"] in TERMINAL:
                return {"status": tasks[0]["status"]}
            call.cancelled.wait(interval_s)
        return {"cancelled": True}
