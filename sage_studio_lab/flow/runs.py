"""Background runs for long-lived processes (the Jupyter server): a run is an asyncio task on the caller's loop
(the server's), its sync operators in worker threads (`blocking`), so a busy operator never stalls the server;
watchers get the events so far, then live ones. Everything is also recorded in the store, so a finished run is
readable from any process later."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

from ..aio import run_sync
from ..errors import Conflict, NotFound
from .flow import Flow, normalise_inputs, recordable_inputs
from .repository import FlowRepository

TERMINAL = ("succeeded", "failed", "cancelled", "interrupted")


class _LiveRun:
    def __init__(self, run_id: str, flow: Flow, loop: asyncio.AbstractEventLoop | None):
        self.run_id, self.flow, self.loop = run_id, flow, loop
        self.events: list[dict] = []
        self.watchers: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = []
        self.task: asyncio.Task | None = None  # held here: the loop keeps only a weak reference to a task
        self.done = threading.Event()
        self.lock = threading.Lock()  # watchers may be on another loop (thread) than the run

    def publish(self, ev: dict) -> None:
        with self.lock:
            self.events.append(ev)
            watchers = list(self.watchers)
        for loop, queue in watchers:
            loop.call_soon_threadsafe(queue.put_nowait, ev)


class RunManager:
    def __init__(self):
        self._live: dict[str, _LiveRun] = {}
        self._lock = threading.Lock()

    def start(
        self,
        flow: Flow,
        inputs: Any = None,
        flow_id: str | None = None,
        executor: str = "local",
        user: str | None = None,
    ) -> str:
        """Start a run and return its id at once. On a running loop (the server's) the run is a task on it;
        called from plain sync code (a script) it runs on a private loop in a helper thread."""
        run_id = uuid.uuid4().hex[:12]
        # validate now: an invalid flow is a 400, not a failed run
        kind = flow._executor(executor, user=user).kind
        inputs = normalise_inputs(inputs)
        recordable_inputs(inputs)
        # The run's row exists before its id is answered: `GET runs/<id>` right after finds it (status running).
        FlowRepository(user).start_run(run_id, flow.spec, inputs, kind, flow_id or flow.spec.id)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        live = _LiveRun(run_id, flow, loop)
        with self._lock:
            self._live[run_id] = live

        async def consume():
            live.loop = asyncio.get_running_loop()
            try:
                async for ev in flow.stream(
                    inputs, executor=executor, flow_id=flow_id, run_id=run_id, user=user, recorded=True
                ):
                    live.publish(ev)
            except Exception as exc:  # a failed run, in the store too; the task must not die silently
                ev = {
                    "type": "run_finished",
                    "run_id": run_id,
                    "status": "failed",
                    "error": f"{type(exc).__name__}: {exc}",
                    "seq": max((e.get("seq", 0) for e in live.events), default=0) + 1,
                    "outputs": {},
                }
                live.publish(ev)
                await asyncio.to_thread(_record_failure, user, ev)
            finally:
                live.done.set()
                with self._lock:
                    self._live.pop(run_id, None)

        if loop is not None:
            live.task = loop.create_task(consume(), name=f"flow-run-{run_id}")
        else:
            threading.Thread(
                target=run_sync, args=(consume(),), name=f"flow-run-{run_id}", daemon=True
            ).start()
        return run_id

    def is_live(self, run_id: str) -> bool:
        return run_id in self._live

    def live_ids(self) -> set[str]:
        return set(self._live)

    def cancel(self, run_id: str, user: str | None = None) -> dict:
        live = self._live.get(run_id)
        if live is None:
            run = FlowRepository(user).run(run_id)  # NotFound if there is no such run
            raise Conflict(f"run {run_id} is not running here (status: {run['status']})")
        while live.loop is None and not live.done.is_set():  # a helper thread's loop is starting
            live.done.wait(0.01)
        if live.loop is not None and not live.loop.is_closed():
            live.loop.call_soon_threadsafe(live.flow.cancel)  # the run's own loop cancels its executor
        return {"run_id": run_id, "status": "cancelling"}

    def wait(self, run_id: str, timeout: float | None = None) -> bool:
        """For sync callers off the run's loop (a run on this thread's loop cannot progress while it waits)."""
        live = self._live.get(run_id)
        return True if live is None else live.done.wait(timeout)

    async def watch(self, run_id: str, user: str | None = None):
        """Every event of the run: the ones so far, then live ones until `run_finished`."""
        live = self._live.get(run_id)
        if live is None:
            events = FlowRepository(user).events(run_id)
            if not events:
                FlowRepository(user).run(run_id)  # NotFound for an unknown run
            for ev in events:
                yield ev
            return
        queue: asyncio.Queue = asyncio.Queue()
        with live.lock:
            snapshot = list(live.events)
            live.watchers.append((asyncio.get_running_loop(), queue))
        try:
            last = 0
            for ev in snapshot:
                last = ev.get("seq", last)
                yield ev
                if ev["type"] == "run_finished":
                    return
            while True:
                ev = await queue.get()
                if ev.get("seq", 0) <= last and ev["type"] != "run_finished":
                    continue
                yield ev
                if ev["type"] == "run_finished":
                    return
        finally:
            with live.lock:
                live.watchers = [w for w in live.watchers if w[1] is not queue]


def _record_failure(user: str | None, ev: dict) -> None:
    """Best effort: the store may be what failed."""
    repo = FlowRepository(user)
    for write in (
        lambda: repo.add_events(ev["run_id"], [ev]),
        lambda: repo.finish_run(ev["run_id"], "failed", {}, ev["error"]),
    ):
        try:
            write()
        except Exception:  # noqa: BLE001 - nothing more to do than leave the row to `mark_interrupted`
            pass


_manager: RunManager | None = None


def get_run_manager() -> RunManager:
    global _manager
    if _manager is None:
        _manager = RunManager()
    return _manager


__all__ = ["TERMINAL", "NotFound", "RunManager", "get_run_manager"]
