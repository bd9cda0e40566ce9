"""Stop requests cross processes through the store: a turn in a kernel / CLI process is stopped by the
Jupyter server's stop route (the real-engine version is in test_chat_engine_features.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from sage_studio_lab.chat import cancel
from sage_studio_lab.store import get_store


def rows(table: str) -> int:
    return get_store().query_one(f"SELECT COUNT(*) n FROM {table}")["n"]


def test_in_process_fast_path_needs_no_store_row():
    c = cancel.register(session_id="s1")
    try:
        assert cancel.stop(session_id="s1") == [c.request_id] and c.is_set()
        assert rows("chat_stop_requests") == 0  # nothing else to reach
    finally:
        cancel.unregister(c)


def until(predicate, timeout: float = 30.0) -> bool:
    """Wait for a state, not for a time tuned to a quiet machine (the watcher thread may be slow to run)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_watching_turn_sees_a_stop_written_by_someone_else():
    # `other` is not in this process's registry: only the store can reach it.
    other = cancel.Cancellation("chatcmpl-other", session_id="s2")
    other.watch_store()
    closed = []
    other.on_cancel(lambda: closed.append(True))
    assert not other.is_set()
    assert cancel.stop(session_id="s2") == ["chatcmpl-other"]
    assert until(other.is_set) and closed == [True]
    other.unwatch_store()
    assert rows("chat_turns") == 0
    # A session-wide stop does not reach a turn that starts afterwards.
    later = cancel.Cancellation("chatcmpl-later", session_id="s2")
    later.watch_store()
    time.sleep(cancel.POLL_S + 0.05)
    assert not later.is_set()
    # A stop by request id is consumed when the turn ends.
    assert cancel.stop(request_id="chatcmpl-later") == ["chatcmpl-later"]
    assert until(later.is_set)
    later.unwatch_store()
    assert get_store().query("SELECT request_id FROM chat_stop_requests WHERE request_id IS NOT NULL") == []


def test_turns_of_dead_processes_are_dropped():
    get_store().execute(
        "INSERT INTO chat_turns(request_id, session_id, pid, started_at) VALUES ('gone', 's3', 999999999, ?)",
        (time.time(),),
    )
    assert cancel.stop(session_id="s3") == []
    assert rows("chat_turns") == 0 and rows("chat_stop_requests") == 0


KERNEL = """
import sys, time
from sage_studio_lab.chat import cancel
c = cancel.register(session_id=sys.argv[1])
c.watch_store()
print("ready", flush=True)
deadline = time.monotonic() + 60
while not c.is_set() and time.monotonic() < deadline:
    time.sleep(0.01)  # a token loop calls is_set() on every chunk
c.unwatch_store()
print("stopped" if c.is_set() else "timeout", flush=True)
"""


async def test_stop_route_reaches_a_turn_in_another_process(jp_fetch):
    proc = subprocess.Popen(
        [sys.executable, "-c", KERNEL, "kernel-session"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        t0 = time.monotonic()
        resp = await jp_fetch(
            "sage-studio",
            "api",
            "chat",
            "stop",
            method="POST",
            body=json.dumps({"session_id": "kernel-session"}),
        )
        assert len(json.loads(resp.body)["stopped"]) == 1
        assert proc.stdout.readline().strip() == "stopped"
        assert time.monotonic() - t0 < 5
    finally:
        proc.kill()
        proc.wait()
    assert rows("chat_turns") == 0
