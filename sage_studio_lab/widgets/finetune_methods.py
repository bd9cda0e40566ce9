"""Fine-tune methods of the widget transport that are not plain operations: the dataset upload (text), the
adapter download (a binary buffer) and the progress streams (the same messages as the REST sockets)."""

from __future__ import annotations

from .transport import plain, widget_method

DOWNLOAD_INLINE_MAX = 64 << 20  # larger adapter zips are named by path rather than sent over the comm


def service():
    from ..finetune import FinetuneService

    return FinetuneService()


@widget_method("finetune.upload")
def finetune_upload(widget, name: str, content: str):
    return plain(service().upload_dataset(name=name, content=content))


@widget_method("finetune.download")
def finetune_download(widget, task_id: str):
    """The adapter zip (the same file as `GET api/finetune/tasks/{task_id}/download`): its bytes as a buffer,
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


@widget_method("finetune.events", stream=True)
def finetune_events(widget, interval_s: float = 0.3, call=None):
    """The whole task table: a snapshot, then each change (new task, status, progress, deleted), read by
    the core's `TaskTableWatcher` (the same as the `api/finetune/events` socket), until cancelled."""
    from ..finetune.watch import TaskTableWatcher

    watcher = TaskTableWatcher()
    call.emit(watcher.snapshot())
    while not call.cancelled.wait(max(0.1, float(interval_s))):
        for message in watcher.poll():
            call.emit(message)
    return {"cancelled": True}


@widget_method("finetune.watch", stream=True)
def finetune_watch(widget, task_id: str, logs: bool = False, interval_s: float | None = None, call=None):
    """One task's events, past ones first (with `logs`, also each train.log line), status changes, until
    the task ends: the core's `TaskFollower`, the same messages as `api/finetune/tasks/{task_id}/events`.
    The result is the last message (the terminal `task_status`)."""
    from ..finetune.follow import TAIL_INTERVAL_S, TaskFollower

    follower = TaskFollower(task_id, logs=bool(logs))
    last = None
    for message in follower.follow(call.cancelled, interval_s or TAIL_INTERVAL_S):
        call.emit(message)
        last = message
    return last if follower.done else {"cancelled": True}
