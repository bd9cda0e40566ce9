"""Streaming a chat turn to an HTTP client: the turn runs in a thread pool (it blocks on the model) and its tokens
come back to the event loop through a queue; SSE framing, flushing and disconnect-cancels; OpenAI error objects."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from tornado.iostream import StreamClosedError

from ..chat import cancel as cancel_mod
from ..chat.upstream import UpstreamError
from ..errors import StudioError
from ..openai_wire import error_object, sse_event

_turns = ThreadPoolExecutor(max_workers=64, thread_name_prefix="sage-chat-turn")


# -- shared streaming of a chat turn -------------------------------------------------------------------------
class TurnStreamer:
    """Runs a ChatService call in the turn pool and yields ("token", text) / ("done", message) / ("error", exc)."""

    def __init__(self, call, cancel: cancel_mod.Cancellation):
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue = asyncio.Queue()
        self.cancel = cancel
        self.future = self.loop.run_in_executor(_turns, self._run, call)

    def _put(self, item) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, item)

    def _run(self, call):
        try:
            self._put(("done", call(lambda tok: self._put(("token", tok)))))
        except BaseException as exc:  # delivered to the handler, which answers with a clear error
            self._put(("error", exc))
        finally:
            cancel_mod.unregister(self.cancel)

    async def events(self):
        while True:
            kind, value = await self.queue.get()
            yield kind, value
            if kind in ("done", "error"):
                return


class SSEMixin:
    def start_sse(self, extra_headers: dict | None = None) -> None:
        self.set_status(200)
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Accel-Buffering", "no")
        for k, v in (extra_headers or {}).items():
            self.set_header(k, v)
        # Each event must leave at once: tornado keeps Nagle's algorithm on while a response streams (its
        # websockets turn it off too), which holds a small write until the client acknowledged the previous one.
        stream = getattr(self.request.connection, "stream", None)
        if stream is not None:
            stream.set_nodelay(True)

    async def send_bytes(self, data: bytes) -> bool:
        """Write and flush; False when the client went away."""
        try:
            self.write(data)
            await self.flush()
            return True
        except StreamClosedError:
            return False

    def on_connection_close(self):
        c = getattr(self, "_cancel", None)
        if c is not None:  # client disconnected: cancel generation upstream
            c.cancel()


_sse = sse_event


def openai_error(exc: BaseException, status: int) -> dict:
    message = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
    code = getattr(exc, "code", None) or (exc.details.get("code") if isinstance(exc, StudioError) else None)
    kind = (
        "invalid_request_error"
        if status < 500
        else "upstream_error"
        if isinstance(exc, UpstreamError)
        else "server_error"
    )
    return error_object(message, kind, code or status)
