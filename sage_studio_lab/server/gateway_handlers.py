"""The OpenAI-compatible gateway: `v1/models`, `v1/chat/completions` (relayed to the local engine or the cloud, or
run through a session's pipeline with `session_id`) and `v1/chat/stop`."""

from __future__ import annotations

import json
import time
from typing import Any, Literal

import tornado.web
from pydantic import BaseModel, ConfigDict, Field

from ..api import invoke
from ..chat import cancel as cancel_mod
from ..chat import gateway
from ..chat.service import ChatService
from ..chat.sessions import SessionStore
from ..errors import InvalidInput
from ..openai_wire import SSE_DONE, chat_chunk, chat_completion, usage
from ..request_json import PathName
from .base import StudioHandler
from .streaming import SSEMixin, _sse, openai_error


# -- request bodies ------------------------------------------------------------------------------------------
class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "user", "assistant", "tool", "developer", "function"]
    content: str | list | None = None


class ChatCompletionRequest(BaseModel):
    """OpenAI's body (unknown OpenAI fields pass through), plus ours: `session_id`, `source`."""

    model_config = ConfigDict(extra="allow")

    model: PathName | None = None  # a name or a folder: request_json.PathName bounds it
    messages: list[ChatMessage] = Field(..., min_length=1)
    stream: bool = False
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    max_tokens: int | None = Field(None, ge=1, le=32_768)
    session_id: str | None = Field(None, min_length=1, max_length=64)
    source: Literal["local", "cloud", "auto"] | None = None


def _text_of(content: Any) -> str:
    if isinstance(content, list):  # OpenAI content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


# -- gateway ---------------------------------------------------------------------------------------------------
class OpenAIStyleHandler(StudioHandler):
    """Errors in OpenAI's shape ({"error": {...}}), plus our `status`/`message` for the Studio UI."""

    def write_error(self, status_code: int, **kwargs) -> None:
        exc = (kwargs.get("exc_info") or (None, None, None))[1]
        if exc is None or isinstance(exc, tornado.web.HTTPError):
            exc = Exception(getattr(exc, "log_message", None) or self._reason)
        body = openai_error(exc, status_code)
        body.update(status=status_code, message=body["error"]["message"])
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, default=str))


class ModelsHandler(OpenAIStyleHandler):
    @tornado.web.authenticated
    async def get(self):
        self.write_json(await gateway.list_models())


class ChatCompletionsHandler(SSEMixin, OpenAIStyleHandler):
    @tornado.web.authenticated
    async def post(self):
        raw = self.json_body()
        req = self.validate(ChatCompletionRequest, raw)
        self._cancel = cancel_mod.register(session_id=req.session_id)
        try:
            if req.session_id:
                await self._pipeline(req)
            else:
                await self._proxy(req, raw)
        finally:
            cancel_mod.unregister(self._cancel)

    async def _proxy(self, req: ChatCompletionRequest, payload: dict) -> None:
        """Forward the client's own body (unknown OpenAI fields included) and relay the answer's bytes."""
        if not req.stream:
            answered = await gateway.answer(payload, req.source, self._cancel)
            if (
                answered is None
            ):  # the client went away (`on_connection_close`): the upstream request is closed
                self.set_status(499, "Client Closed Request")
                return
            target, data, tried = answered
            self.set_header("x-sage-source", target.source)
            self.set_header("x-request-id", self._cancel.request_id)
            sage = {"source": target.source, "request_id": self._cancel.request_id, "tried": tried}
            self.write_json({**data, "x_sage": sage})
            return
        target, resp, tried = await gateway.open_upstream(payload, req.source)
        sage = {"source": target.source, "request_id": self._cancel.request_id, "tried": tried}
        headers = {"x-sage-source": target.source, "x-request-id": self._cancel.request_id}
        self.start_sse(headers)
        # The headers go out now, as an engine sends them: the client learns `x-request-id` (to stop a long
        # prefill) before the first token.
        if not await self.send_bytes(b""):
            self._cancel.cancel()
        async for chunk in gateway.relay_sse(resp, self._cancel, sage):
            if not await self.send_bytes(chunk):
                self._cancel.cancel()
                break
        self.finish()

    async def _pipeline(self, req: ChatCompletionRequest) -> None:
        """`session_id` given: the last user message is a new turn of that session (Studio chat pipeline)."""
        sessions = SessionStore()
        sessions.summary(req.session_id)  # 404 before anything is stored
        users = [m for m in req.messages if m.role == "user"]
        if not users or not _text_of(users[-1].content).strip():
            raise InvalidInput("messages: a session turn needs a last message with role 'user' and some text")
        text = _text_of(users[-1].content)
        c, created = self._cancel, int(time.time())
        self._started = False

        async def on_token(token: str) -> None:
            await self._start_stream(created)
            if not await self.send_bytes(_sse(chat_chunk(c.request_id, None, created, {"content": token}))):
                c.cancel()  # the client went away: stop generating

        try:
            message = await ChatService().asend(
                req.session_id,
                text,
                source=req.source,
                model=req.model,
                on_token=on_token if req.stream else None,
                cancel=c,
            )
        except Exception as exc:
            if not self._started:
                raise
            status = getattr(exc, "status", 500)  # headers are out: report in-band, as OpenAI does
            await self.send_bytes(_sse(openai_error(exc, status)) + SSE_DONE)
            self.finish()
            return
        if not req.stream:
            self._finish_json(message, created)
            return
        await self._start_stream(created)
        # the final chunk carries finish_reason and the turn's metadata
        meta = message["metadata"]
        final = chat_chunk(c.request_id, meta.get("model"), created, {}, meta.get("finish_reason") or "stop")
        final["x_sage"] = _sage(message)
        await self.send_bytes(_sse(final) + SSE_DONE)
        self.finish()

    async def _start_stream(self, created: int) -> None:
        """Headers at the first token (its source is known by then), with an empty assistant chunk."""
        if self._started:
            return
        self._started = True
        c = self._cancel
        self.start_sse({"x-sage-source": c.source or "", "x-request-id": c.request_id})
        first = {"role": "assistant", "content": ""}
        await self.send_bytes(_sse(chat_chunk(c.request_id, None, created, first)))

    def _finish_json(self, message: dict, created: int) -> None:
        meta = message["metadata"]
        self.set_header("x-sage-source", meta.get("source") or "")
        self.set_header("x-request-id", self._cancel.request_id)
        answer = chat_completion(
            self._cancel.request_id,
            meta.get("model"),
            created,
            message["content"],
            meta.get("finish_reason") or "stop",
            _usage(meta),
        )
        self.write_json({**answer, "x_sage": _sage(message)})


def _usage(meta: dict) -> dict:
    from ..chat.pipeline import prompt_tokens

    budget = meta.get("token_budget") or {}
    prompt = prompt_tokens(budget)
    completion = budget.get("completion_tokens")
    completion = completion if isinstance(completion, int) else meta.get("tokens", 0)
    return usage(prompt, completion)


def _sage(message: dict) -> dict:
    meta = message["metadata"]
    return {
        "source": meta.get("source"),
        "request_id": meta.get("request_id"),
        "session_id": message["session_id"],
        "message_id": message["id"],
        "parent_id": message["parent_id"],
        "cancelled": meta.get("cancelled"),
        "metadata": meta,
    }


class StopHandler(StudioHandler):
    """`v1/chat/stop`, beside the gateway, for OpenAI clients (`api/chat/stop` is the operation itself)."""

    @tornado.web.authenticated
    def post(self):
        self.write_json(invoke("chat.stop", self.json_body()))


def routes():
    return [
        (r"v1/models", ModelsHandler),
        (r"v1/chat/completions", ChatCompletionsHandler),
        (r"v1/chat/stop", StopHandler),
    ]
