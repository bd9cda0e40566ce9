"""One task's stream: the message sequence of `api/finetune/tasks/{task_id}/events` and of the widgets'
`finetune.watch`, produced here once so both transports send exactly the same messages.

Messages, in order (past events first, then live):
- every `events.jsonl` record with the task's id: `{"task_id", "type": start|progress|eval|checkpoint|status, ...}`;
- with `logs`, each complete train.log line: `{"task_id", "type": "log", "line"}`;
- on a status change in the store: `{"task_id", "type": "task_status", "status", "error"}`;
- when the task ends, its remaining events and log lines, then its terminal `task_status` last (`done` is set);
- a task deleted meanwhile ends the stream with `{"type": "deleted", "task_id"}`.

`poll()` does blocking file and store reads: the server calls it in a worker thread, a widget in its stream
thread. The store is read every `STORE_EVERY` polls, or at once when new events arrived.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from ..errors import NotFound
from .events import read_events, read_lines
from .task_store import row
from .tasks import events_path

TERMINAL = frozenset({"completed", "failed", "cancelled"})
TAIL_INTERVAL_S = 0.1  # how often the files are tailed while someone follows


class TaskFollower:
    STORE_EVERY = 10

    def __init__(self, task_id: str, logs: bool = False):
        self.task_id = task_id
        self.events_file = events_path(task_id)  # a bad or unknown id fails here, before any stream opens
        self.log_file = self.events_file.with_name("train.log") if logs else None
        self.done = False
        self._offset = 0
        self._log_offset = 0
        self._status: str | None = None
        self._polls = 0

    def _tail(self) -> list[dict]:
        events, self._offset = read_events(self.events_file, self._offset)
        out = [{"task_id": self.task_id, **event} for event in events]
        if self.log_file is not None:
            lines, self._log_offset = read_lines(self.log_file, self._log_offset)
            out += [{"task_id": self.task_id, "type": "log", "line": line} for line in lines]
        return out

    def poll(self) -> list[dict]:
        """The messages since the last call (blocking reads); after the last one `done` is true."""
        if self.done:
            return []
        out = self._tail()
        check = self._polls % self.STORE_EVERY == 0 or any(m["type"] != "log" for m in out)
        self._polls += 1
        if not check:
            return out
        try:
            task = row(self.task_id)
        except NotFound:
            self.done = True
            return [*out, {"type": "deleted", "task_id": self.task_id}]
        if task["status"] == self._status:
            return out
        self._status = task["status"]
        if self._status in TERMINAL:
            while more := self._tail():  # what the trainer wrote before it recorded the end
                out += more
            self.done = True
        out.append(
            {"task_id": self.task_id, "type": "task_status", "status": self._status, "error": task["error"]}
        )
        return out

    def follow(self, stop: threading.Event, interval_s: float = TAIL_INTERVAL_S) -> Iterator[dict]:
        """Every message until the task ends or `stop` is set (a thread's loop; the server awaits `poll`)."""
        while not stop.is_set():
            yield from self.poll()
            if self.done:
                return
            stop.wait(interval_s)
