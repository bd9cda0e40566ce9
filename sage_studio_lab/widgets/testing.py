"""A recording comm: drive widgets without a frontend (tests, scripts) through the real ipywidgets protocol.

`with recording_comms() as comms:` makes every widget opened inside use a `RecordingComm` that keeps what
the kernel sent (state updates, custom messages, buffers); `frontend_call(widget, ...)` plays the view's side.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import comm
from comm.base_comm import BaseComm


class RecordingComm(BaseComm):
    def __init__(self, *args, **kwargs):
        self.sent: list[dict] = []
        self._cond = threading.Condition()
        super().__init__(*args, **kwargs)

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        with self._cond:
            self.sent.append(
                {"msg_type": msg_type, "data": data or {}, "buffers": [bytes(b) for b in (buffers or [])]}
            )
            self._cond.notify_all()

    # -- what the view would have received ---------------------------------------------------------
    def custom(self) -> list[tuple[dict, list[bytes]]]:
        with self._cond:
            return [
                (m["data"]["content"], m["buffers"]) for m in self.sent if m["data"].get("method") == "custom"
            ]

    def wait_for(self, predicate, timeout: float = 60.0):
        """Block until `predicate(custom messages)` is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate(
                    [
                        (m["data"]["content"], m["buffers"])
                        for m in self.sent
                        if m["data"].get("method") == "custom"
                    ]
                )
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the expected widget message did not arrive")
                self._cond.wait(left)

    def states(self) -> list[dict]:
        with self._cond:
            return [m["data"].get("state", {}) for m in self.sent if m["data"].get("method") == "update"]

    # -- what the view would send ------------------------------------------------------------------
    def receive(self, data: dict, buffers: list[bytes] | None = None) -> None:
        self.handle_msg({"content": {"comm_id": self.comm_id, "data": data}, "buffers": buffers or []})


@contextmanager
def recording_comms() -> Iterator[list[RecordingComm]]:
    made: list[RecordingComm] = []
    original = comm.create_comm

    def create(*args, **kwargs):
        c = RecordingComm(*args, **kwargs)
        made.append(c)
        return c

    comm.create_comm = create
    try:
        yield made
    finally:
        comm.create_comm = original


def frontend_call(
    widget, method: str, args: dict | None = None, timeout: float = 120.0, buffers: list[bytes] | None = None
) -> tuple[dict, list[dict]]:
    """Send `{type: call}` as the view does and wait for its result; returns (result, events)."""
    call_id = uuid.uuid4().hex
    c: RecordingComm = widget.comm
    c.receive(
        {
            "method": "custom",
            "content": {"type": "call", "id": call_id, "method": method, "args": args or {}},
        },
        buffers,
    )
    result = c.wait_for(
        lambda msgs: next((m for m, _ in msgs if m.get("type") == "result" and m.get("id") == call_id), None),
        timeout,
    )
    events = [m["event"] for m, _ in c.custom() if m.get("type") == "event" and m.get("id") == call_id]
    return result, events


def frontend_set(widget, **state) -> None:
    """Set synced traits as the view does (an `update` message)."""
    widget.comm.receive({"method": "update", "state": state, "buffer_paths": []})
