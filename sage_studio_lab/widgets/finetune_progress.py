"""`FinetuneProgress(task_id)`: live progress, loss curves (binary float32 buffers), logs, cancel and
"use in chat" for one fine-tune task; `finetune(...)` starts a task and returns this widget.

A background thread tails the task's `events.jsonl` (written by the trainer subprocess), so the widget
keeps updating while the user runs other cells, and re-attaches to a task started anywhere (Lab panel, CLI).
"""

from __future__ import annotations

import array
import threading
from pathlib import Path

import traitlets

from ..errors import InvalidInput
from ..finetune.follow import TERMINAL
from ..finetune.progress import read_events, summarize
from ..finetune.tasks import get_task
from .base import StudioWidget, asset
from .finetune_methods import service
from .transport import plain


def curve_bytes(points: list[tuple[float, float]]) -> bytes:
    """[(step, value), ...] as little-endian float32 pairs (the view wraps it in a Float32Array)."""
    return array.array("f", [v for point in points for v in point]).tobytes()


class FinetuneProgress(StudioWidget):
    _esm = asset("finetune", "js")
    _css = asset("finetune", "css")
    view = traitlets.Unicode("finetune").tag(sync=True)
    task_id = traitlets.Unicode("").tag(sync=True)
    task = traitlets.Dict().tag(sync=True)
    progress = traitlets.Float(0.0).tag(sync=True)
    train_curve = traitlets.Bytes(b"").tag(sync=True)
    eval_curve = traitlets.Bytes(b"").tag(sync=True)
    logs = traitlets.List().tag(sync=True)

    def __init__(self, task_id: str | None = None, poll_s: float = 0.5, **kwargs):
        """`task_id`: the task to follow; without one the view is the whole fine-tune center (the create form,
        every task, their details), as in the Lab panel."""
        if task_id:
            get_task(task_id)  # NotFound now, not later in a thread
        super().__init__(task_id=task_id or "", **kwargs)
        self._events: list[dict] = []
        self._offset = 0
        self._stop = threading.Event()
        self._poll_s = poll_s
        if not task_id:
            return
        self.refresh()
        if self.task.get("status") not in TERMINAL:
            self._watcher = threading.Thread(target=self._watch, daemon=True, name=f"sage-finetune-{task_id}")
            self._watcher.start()

    def refresh(self) -> dict:
        if not self.task_id:
            raise InvalidInput(
                "this widget follows no task: pass one, FinetuneProgress(task_id), or start one from its form"
            )
        row = get_task(self.task_id)
        new, self._offset = read_events(row, self._offset)
        self._events += new
        summary = summarize(row, self._events)
        history = summary["history"]
        if new or summary.get("status") != self.task.get("status"):
            self.train_curve = curve_bytes(
                [(h["step"] or 0, h["loss"]) for h in history if h["loss"] is not None]
            )
            self.eval_curve = curve_bytes(
                [(h["step"] or 0, h["eval_loss"]) for h in history if h["eval_loss"] is not None]
            )
            self.logs = service().logs(row["id"], 50)
        self.progress = float(summary["progress"] or 0.0)
        self.task = {k: v for k, v in summary.items() if k != "history"}
        self.status = summary["status"]
        return summary

    def _watch(self) -> None:
        while not self._stop.wait(self._poll_s):
            try:
                if self.refresh()["status"] in TERMINAL:
                    return
            except Exception as exc:  # a deleted task or DB hiccup: show it, stop watching
                self.error = str(exc)
                return

    def wait(self, timeout: float | None = None) -> dict:
        """Block until the task ends (or `timeout` seconds); returns the final summary."""
        watcher = getattr(self, "_watcher", None)
        if watcher is not None:
            watcher.join(timeout)
        return self.refresh()

    @property
    def history(self) -> list[dict]:
        return summarize(get_task(self.task_id), self._events)["history"]

    def cancel(self) -> dict:
        result = plain(service().cancel(self.task_id))
        self.refresh()
        return result

    def use_in_chat(self) -> dict:
        return plain(service().use_in_chat(self.task_id))

    def close(self):
        if hasattr(self, "_stop"):
            self._stop.set()
        super().close()


def finetune(
    data, model: str | None = None, epochs: float | None = None, name: str | None = None, **config
) -> FinetuneProgress:
    """Start a fine-tune task on `data` — a dataset file, or the id of a stored dataset (e.g. one built from rated
    chats: `improve.build_dataset`) — and return its live progress widget."""
    svc = service()
    if epochs is not None:
        config["epochs"] = epochs
    if Path(str(data)).exists():
        task = plain(svc.start(data=str(data), model=model, name=name, config=config))
    else:
        task = plain(svc.create_task(str(data), base_model=model, name=name, config=config))
    return FinetuneProgress(task["id"])
