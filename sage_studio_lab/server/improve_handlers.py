"""The arena over REST: `POST api/improve/arena` answers one prompt with two models at once, streamed as SSE
events {type: start | token (with its side) | done | error}. The pick and the list of duels are operations
(api/improve.py)."""

from __future__ import annotations

import tornado.web

from ..api.improve import ArenaArgs
from ..chat import arena, gateway
from ..chat import cancel as cancel_mod
from ..errors import InvalidInput
from .base import StudioHandler
from .streaming import SSEMixin, _sse, openai_error


class ArenaHandler(SSEMixin, StudioHandler):
    @tornado.web.authenticated
    async def post(self):
        body = self.parse_body(ArenaArgs)
        if not body.prompt.strip():
            raise InvalidInput("the prompt is empty: write what both models should answer")
        # A 503 before the stream starts when no model can answer (nothing stored, no headers sent).
        await gateway.targets(body.source)
        self._cancel = cancel_mod.register()
        try:
            self.start_sse({"x-request-id": self._cancel.request_id})
            await self.send_bytes(_sse({"type": "start", "request_id": self._cancel.request_id}))
            try:
                result = await arena.duel(**body.model_dump(), on_event=self._event, cancel=self._cancel)
            except Exception as exc:  # the headers are out: the error goes in-band
                status = getattr(exc, "status", 500)
                message = openai_error(exc, status)["error"]["message"]
                await self.send_bytes(_sse({"type": "error", "status": status, "message": message}))
            else:
                await self.send_bytes(_sse(result))
            self.finish()
        finally:
            cancel_mod.unregister(self._cancel)

    def _event(self, event: dict) -> None:
        """Token events are written in order as they come (both sides interleaved); the done event is sent by
        `post` after the duel returns."""
        if event.get("type") != "token":
            return
        self.write(_sse(event))
        self.flush().add_done_callback(self._flushed)

    def _flushed(self, future) -> None:
        if future.exception() is not None:  # the client went away: stop both answers
            self._cancel.cancel()


def routes():
    return [(r"api/improve/arena", ArenaHandler)]
