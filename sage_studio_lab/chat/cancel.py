"""In-flight generations, so `POST …/chat/stop {request_id | session_id}` can cancel them.

A cancellation is a `threading.Event` (set from any thread or the event loop) plus callbacks that close
the upstream stream at once, which makes the engine see a disconnect and stop generating.

Turns of this process are stopped at once (in-process registry). A chat turn may run in another process
(a notebook kernel, the CLI), so a turn that `watch_store()`s is also listed in the store's `chat_turns`,
`stop()` writes a row to `chat_stop_requests`, and the turn looks for one at most every `POLL_S` seconds
from its token loop (`is_set()`), then cancels itself. Request rows are consumed; all rows expire.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable

log = logging.getLogger(__name__)

POLL_S = 0.25  # how often a watching turn reads the store (a cheap indexed SELECT)
STOP_TTL_S = 120.0  # stop requests older than this are dropped
TURN_TTL_S = 6 * 3600.0  # a turn row older than this belongs to a process that died without cleaning up


class Cancellation:
    def __init__(self, request_id: str, session_id: str | None = None):
        self.request_id = request_id
        self.session_id = session_id
        self.source: str | None = None  # which upstream is answering, once known
        self.event = threading.Event()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._db = None  # the store, once `watch_store()` was called
        self._since = 0.0
        self._next_poll = 0.0

    def is_set(self) -> bool:
        if self.event.is_set():
            return True
        if self._db is not None and time.monotonic() >= self._next_poll:
            self._next_poll = time.monotonic() + POLL_S
            if self._stop_requested():
                self.cancel()
                return True
        return False

    # -- stop requests from other processes ---------------------------------------------------------------
    def watch_store(self, user: str | None = None) -> None:
        """List this turn in the store, so `stop()` in another process finds it and can stop it."""
        from .. import store

        db = store.get_store(user)
        self._since = store.now()
        db.execute(
            "INSERT OR REPLACE INTO chat_turns(request_id, session_id, pid, started_at) VALUES (?,?,?,?)",
            (self.request_id, self.session_id, os.getpid(), self._since),
        )
        self._db = db

    def unwatch_store(self) -> None:
        db, self._db = self._db, None
        if db is None:
            return
        try:
            with db.tx() as conn:
                conn.execute("DELETE FROM chat_turns WHERE request_id=?", (self.request_id,))
                conn.execute("DELETE FROM chat_stop_requests WHERE request_id=?", (self.request_id,))
        except sqlite3.Error as exc:  # a busy store must not fail a finished turn; the rows expire
            log.warning("could not clear chat turn %s from the store: %s", self.request_id, exc)

    def _stop_requested(self) -> bool:
        try:
            # A session-wide stop only applies to turns that had started when it was asked.
            row = self._db.query_one(
                "SELECT id FROM chat_stop_requests WHERE request_id=? "
                "OR (session_id IS NOT NULL AND session_id=? AND created_at >= ?) LIMIT 1",
                (self.request_id, self.session_id, self._since),
            )
        except sqlite3.Error:  # busy: look again at the next poll
            return False
        return row is not None

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


def stop(request_id: str | None = None, session_id: str | None = None, user: str | None = None) -> list[str]:
    """Cancel the matching in-flight generations of this process at once, and ask those running in other
    processes (listed in the store) to stop; returns the request ids of both."""
    with _lock:
        found = [
            c
            for c in _active.values()
            if (request_id and c.request_id == request_id) or (session_id and c.session_id == session_id)
        ]
    for c in found:
        c.cancel()
    ids = [c.request_id for c in found]
    try:
        remote = _request_stop(request_id, session_id, set(ids), user)
    except sqlite3.Error as exc:  # the in-process stop above still happened
        log.warning("could not record the stop request in the store: %s", exc)
        remote = []
    return ids + remote


def _request_stop(request_id: str | None, session_id: str | None, local: set, user: str | None) -> list[str]:
    """Write a stop request for matching turns of other processes; returns their request ids."""
    import psutil

    from .. import store

    db = store.get_store(user)
    now = store.now()
    with db.tx() as conn:
        conn.execute("DELETE FROM chat_stop_requests WHERE created_at < ?", (now - STOP_TTL_S,))
        conn.execute("DELETE FROM chat_turns WHERE started_at < ?", (now - TURN_TTL_S,))
        rows = conn.execute(
            "SELECT request_id, pid FROM chat_turns WHERE request_id=? OR (session_id IS NOT NULL AND "
            "session_id=?)",
            (request_id, session_id),
        ).fetchall()
        remote = []
        for rid, pid in rows:
            if rid in local:
                continue
            if pid != os.getpid() and not psutil.pid_exists(pid):  # its process is gone
                conn.execute("DELETE FROM chat_turns WHERE request_id=?", (rid,))
                continue
            remote.append(rid)
        if remote:
            conn.execute(
                "INSERT INTO chat_stop_requests(request_id, session_id, created_at) VALUES (?,?,?)",
                (request_id, session_id, now),
            )
    return remote


def active() -> list[dict]:
    with _lock:
        return [{"request_id": c.request_id, "session_id": c.session_id} for c in _active.values()]
