"""Chat turns over REST: a new message, a regenerated answer, a stopped answer continued, an edited user message (a
new branch), answered as
JSON or streamed as SSE events {type: start|token|done|error}. The rest of the sessions API is operations
(sage_studio_lab/api/chat.py)."""

from __future__ import annotations

from typing import Literal

import tornado.web
from pydantic import BaseModel, ConfigDict

from ..chat import cancel as cancel_mod
from ..chat.models import EditBody, SendBody
from ..chat.service import ChatService
from ..chat.sessions import SessionStore
from ..errors import InvalidInput
from ..request_json import PathName
from .base import StudioHandler
from .streaming import SSEMixin, _sse, openai_error

SID = r"(?P<session_id>[A-Za-z0-9_-]{1,64})"
MID = r"(?P<message_id>[A-Za-z0-9_-]{1,64})"


class _TurnHandler(SSEMixin, StudioHandler):
    """A chat turn over REST: JSON answer, or SSE events {type: start|token|done|error} when `stream` is true."""

    async def run_turn(self, session_id: str, stream: bool, call) -> None:
        """`call(on_token, cancel)` is the turn's ChatService coroutine, awaited here on the server's loop."""
        SessionStore().summary(session_id)  # 404 before anything is stored
        self._cancel = cancel_mod.register(session_id=session_id)
        try:
            if not stream:
                self.write_json(await call(None, self._cancel))
                return
            self.start_sse({"x-request-id": self._cancel.request_id})
            await self.send_bytes(_sse({"type": "start", "request_id": self._cancel.request_id}))
            try:
                message = await call(self._token, self._cancel)
            except Exception as exc:  # the headers are out: the error goes in-band
                status = getattr(exc, "status", 500)
                message = openai_error(exc, status)["error"]["message"]
                await self.send_bytes(_sse({"type": "error", "status": status, "message": message}))
            else:
                await self.send_bytes(_sse({"type": "done", "message": message}))
            self.finish()
        finally:
            cancel_mod.unregister(self._cancel)

    async def _token(self, text: str) -> None:
        if not await self.send_bytes(_sse({"type": "token", "text": text})):
            self._cancel.cancel()  # the client went away: stop generating


class SessionMessagesHandler(_TurnHandler):
    @tornado.web.authenticated
    async def post(self, session_id):
        body = self.parse_body(SendBody)
        await self.run_turn(
            session_id,
            body.stream,
            lambda on_token, c: ChatService().asend(
                session_id,
                body.content,
                source=body.source,
                model=body.model,
                on_token=on_token,
                cancel=c,
                context=[a.model_dump() for a in body.context],
            ),
        )


class RegenerateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Literal["local", "cloud", "auto"] | None = None
    model: PathName | None = None
    stream: bool = False


class SessionRegenerateHandler(_TurnHandler):
    @tornado.web.authenticated
    async def post(self, session_id):
        body = self.parse_body(RegenerateBody)
        SessionStore().last_user_message(session_id)  # 400 when there is nothing to answer again
        await self.run_turn(
            session_id,
            body.stream,
            lambda on_token, c: ChatService().aregenerate(
                session_id, source=body.source, model=body.model, on_token=on_token, cancel=c
            ),
        )


class SessionContinueHandler(_TurnHandler):
    @tornado.web.authenticated
    async def post(self, session_id):
        body = self.parse_body(RegenerateBody)
        SessionStore().stopped_answer(session_id)  # 400 when the last answer did not stop early
        await self.run_turn(
            session_id,
            body.stream,
            lambda on_token, c: ChatService().acontinue(
                session_id, source=body.source, model=body.model, on_token=on_token, cancel=c
            ),
        )


class MessageEditHandler(_TurnHandler):
    @tornado.web.authenticated
    async def post(self, session_id, message_id):
        body = self.parse_body(EditBody)
        store = SessionStore()
        msg = store.message(message_id)
        if msg["session_id"] != session_id or msg["role"] != "user":
            raise InvalidInput(f"message {message_id!r} is not a user message of session {session_id!r}")
        stream = bool(self.get_query_argument("stream", "")) and body.generate
        await self.run_turn(
            session_id,
            stream,
            lambda on_token, c: ChatService().aedit(
                session_id,
                message_id,
                body.content,
                generate=body.generate,
                source=body.source,
                model=body.model,
                on_token=on_token,
                cancel=c,
            ),
        )


def routes():
    return [
        (rf"api/chat/sessions/{SID}/messages", SessionMessagesHandler),
        (rf"api/chat/sessions/{SID}/regenerate", SessionRegenerateHandler),
        (rf"api/chat/sessions/{SID}/continue", SessionContinueHandler),
        (rf"api/chat/sessions/{SID}/messages/{MID}/edit", MessageEditHandler),
    ]
