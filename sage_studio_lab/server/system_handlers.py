"""GPU information pushed over a WebSocket at a client-chosen interval (`GET api/system/gpu` is the operation
`gpu.info`).

The WebSocket takes its first interval from `?interval=seconds` and accepts `{"interval": seconds}` at any time
(both clamped to 0.5..60); it sends a snapshot at once and then one per interval. NVML calls are quick but
blocking, so they run in a worker thread.
"""

from __future__ import annotations

import asyncio
import json
import math

import tornado.web
from jupyter_server.auth.decorator import ws_authenticated
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from ..api import invoke
from ..errors import StudioError
from ..request_json import parse_json

MIN_INTERVAL, MAX_INTERVAL, DEFAULT_INTERVAL = 0.5, 60.0, 2.0


def clamp_interval(value) -> float:
    """Seconds between pushes; raises ValueError/TypeError for anything that is not a finite number."""
    interval = float(value)
    if not math.isfinite(interval):
        raise ValueError(value)
    return min(MAX_INTERVAL, max(MIN_INTERVAL, interval))


def snapshot() -> dict:
    return invoke("gpu.info")


class GpuStreamHandler(WebSocketMixin, WebSocketHandler, JupyterHandler):
    interval = DEFAULT_INTERVAL
    _task: asyncio.Task | None = None

    @ws_authenticated
    async def get(self, *args, **kwargs):
        raw = self.get_argument("interval", None)
        if raw is not None:
            try:
                self.interval = clamp_interval(raw)
            except (ValueError, TypeError):
                # Refused before the upgrade: a plain 400 the client can read.
                raise tornado.web.HTTPError(
                    400, reason="interval must be a number of seconds (0.5 to 60)"
                ) from None
        await super().get(*args, **kwargs)

    def open(self, *args, **kwargs):
        super().open(*args, **kwargs)
        self._wake = asyncio.Event()
        self._task = asyncio.ensure_future(self._push())

    async def _push(self):
        try:
            while True:
                data = await asyncio.to_thread(snapshot)
                self.write_message(json.dumps({**data, "interval": self.interval}))
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
                except asyncio.TimeoutError:
                    pass
        except (WebSocketClosedError, asyncio.CancelledError):
            pass

    def on_message(self, message):
        try:
            self.interval = clamp_interval(parse_json(message)["interval"])  # the one body parser
        except (StudioError, ValueError, KeyError, TypeError):
            self.write_message(json.dumps({"error": 'send {"interval": seconds}'}))
            return
        self._wake.set()  # apply the new interval now (and send a fresh snapshot)

    def on_close(self):
        if self._task:
            self._task.cancel()


def routes():
    return [
        ("api/system/gpu/stream", GpuStreamHandler),
    ]
