"""The one bridge from sync code to the async core, and values that live as long as an event loop.

The core is async (chat turns, flow runs, the upstream client); the Jupyter server awaits it on its own loop.
Sync callers — the CLI, scripts, a kernel's widgets and magics — call `run_sync(coro)`. Imports nothing of the
package, so every module may use it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to the end and return its result (or raise its exception), from any sync code.

    No loop runs in this thread (CLI, script, a worker thread): `asyncio.run`. A loop already runs here (a
    notebook cell, whose kernel loop cannot be re-entered): a private loop in a helper thread, and this thread
    waits; an interrupt (the notebook's stop button) cancels the coroutine."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict = {}
    started = threading.Event()

    async def main():
        box["loop"], box["task"] = asyncio.get_running_loop(), asyncio.current_task()
        started.set()
        return await coro

    def target():
        try:
            box["result"] = asyncio.run(main())
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc
        finally:
            started.set()

    thread = threading.Thread(target=target, name="sage-run-sync", daemon=True)
    thread.start()
    try:
        thread.join()
    except BaseException:  # KeyboardInterrupt: stop the work instead of leaving it running unseen
        started.wait()
        if "task" in box:
            box["loop"].call_soon_threadsafe(box["task"].cancel)
        raise
    if "error" in box:
        raise box["error"]
    return box["result"]


async def when_set(flag: threading.Event, action: Callable[[], Any], interval: float = 0.05) -> None:
    """Call `action()` on this loop once another thread sets `flag` (a widget's cancel button); run it as a task
    and cancel that when the work ends."""
    while not flag.is_set():
        await asyncio.sleep(interval)
    action()


# -- values bound to one event loop (an aiohttp session belongs to the loop that created it) ------------------
_scoped: dict[tuple[asyncio.AbstractEventLoop, str], tuple[Any, Any, Any]] = {}  # -> (value, keeper, aclose)
_scoped_lock = threading.Lock()


def loop_scoped(key: str, create: Callable[[], T], aclose: Callable[[T], Awaitable[None]]) -> T:
    """The running loop's value for `key`, made by `create()` on first use and closed by `aclose(value)` when
    the loop shuts down (`asyncio.run`, hence `run_sync`, closes open async generators before closing the loop:
    the closer runs in one's `finally`) or when `close_scoped(key)` is awaited (the server's shutdown)."""
    loop = asyncio.get_running_loop()
    with _scoped_lock:
        for stale in [k for k in _scoped if k[0].is_closed()]:  # a loop closed without shutting down
            del _scoped[stale]
        entry = _scoped.get((loop, key))
        if entry is not None:
            return entry[0]
        value = create()
        keeper = _keep(loop, key, value)
        _scoped[(loop, key)] = (value, keeper, aclose)  # strong: a loop holds its generators weakly
    # Run the keeper to its `yield` at the loop's next step (the caller is about to await I/O): a generator
    # that never started has no `finally` to run.
    loop.create_task(_start(keeper))
    return value


async def _start(keeper) -> None:
    try:
        await keeper.__anext__()
    except StopAsyncIteration:  # closed before it started (close_scoped): nothing to keep
        pass


async def _keep(loop, key: str, value):
    try:
        yield
    finally:
        await _release(loop, key, value)


async def _release(loop, key: str, value) -> None:
    with _scoped_lock:
        entry = _scoped.get((loop, key))
        if entry is None or entry[0] is not value:  # released already
            return
        del _scoped[(loop, key)]
    await entry[2](value)


async def close_scoped(key: str) -> None:
    """Close the running loop's value for `key` now (a later `loop_scoped` call makes a new one)."""
    loop = asyncio.get_running_loop()
    with _scoped_lock:
        entry = _scoped.get((loop, key))
    if entry is not None:
        await _release(loop, key, entry[0])
        await entry[1].aclose()  # the keeper ends too (its release finds nothing left to do)
