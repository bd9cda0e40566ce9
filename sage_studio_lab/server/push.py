"""`PushSocket`: the base of the server's one-way WebSocket streams (task events, the task table, flow runs).

On open it starts `self._run()` (a coroutine the subclass writes: push messages until done, then return or
close); closing the socket cancels it, so nothing is read or tailed for a client that has gone. Subclasses
authenticate their `get` with `@ws_authenticated` (the route-enumeration test checks every route).
"""

from __future__ import annotations

import asyncio

import tornado.websocket
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin


class PushSocket(WebSocketMixin, tornado.websocket.WebSocketHandler, JupyterHandler):
    _pump: asyncio.Future | None = None

    def open(self, *args, **kwargs):
        super().open(*args, **kwargs)
        self._pump = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        raise NotImplementedError

    def on_close(self):
        if self._pump is not None:
            self._pump.cancel()

    def on_message(self, message):
        pass  # one-way by default; a subclass may accept commands (e.g. "cancel")
