"""In-flight generations of this process, so `POST …/chat/stop {request_id | session_id}` can cancel them.

A cancellation is a `threading.Event` (set from any thread or the event loop) plus callbacks that close
the upstream stream at once, which makes the engine see a disconnect and stop generating.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable


class Cancellation:
    def __init__(self, request_id: str, session_id: str | None = None):
        self.request_id = request_id
        self.session_id = session_id
        self.source: str | None = None  # which upstream is answering, once known
        self.event = threading.Event()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def is_set(self) -> bool:
        return self.event.is_set()

    def on_cancel(self, callback: Callable[[], None]) -> None:
        with self._lock:
            self._callbacks.append(callback)
            fire = self.event.is_set()
        if fire:
            _safe(callback)

    def cancel(self) -> None:
        with self._lock:
            self.event.set()
            callbacks, self._callbacks = self._callbacks, []
        for cb in callbacks:
            _safe(cb)


def _safe(cb: Callable[[], None]) -> None:
    try:
        cb()
    except Exception:  # closing an already-closed stream must not break the stop request
        pass


_active: dict[str, Cancellation] = {}
_lock = threading.Lock()


def new_request_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex[:24]


def register(request_id: str | None = None, session_id: str | None = None) -> Cancellation:
    c = Cancellation(request_id or new_request_id(), session_id)
    with _lock:
        _active[c.request_id] = c
    return c


def unregister(c: Cancellation) -> None:
    with _lock:
        _active.pop(c.request_id, None)


def find(request_id: str | None) -> Cancellation | None:
    with _lock:
        return _active.get(request_id) if request_id else None


def stop(request_id: str | None = None, session_id: str | None = None) -> list[str]:
    """Cancel the matching in-flight generations; returns their request ids."""
    with _lock:
        found = [
            c
            for c in _active.values()
            if (request_id and c.request_id == request_id) or (session_id and c.session_id == session_id)
        ]
    for c in found:
        c.cancel()
    return [c.request_id for c in found]


def active() -> list[dict]:
    with _lock:
        return [{"request_id": c.request_id, "session_id": c.session_id} for c in _active.values()]
