"""Streaming a chat turn to an HTTP client: SSE framing, flushing and disconnect-cancels; OpenAI error objects.
The turn itself runs on the server's loop (`ChatService.asend` …), its tokens written as they come."""

from __future__ import annotations

from tornado.iostream import StreamClosedError

from ..chat.upstream import UpstreamError
from ..errors import StudioError
from ..openai_wire import error_object, sse_event


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
