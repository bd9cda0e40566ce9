"""Chat routes: the OpenAI-compatible gateway (`v1/...`) and the sessions REST API (`api/chat/...`).

Handlers only translate HTTP to `sage_studio_lab.chat` calls. Chat turns run in a dedicated thread pool
(they block on the model), tokens come back to the event loop through an asyncio queue.
"""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import tornado.web
from pydantic import BaseModel, ConfigDict, Field
from tornado.iostream import StreamClosedError

from ..chat import cancel as cancel_mod
from ..chat import gateway, knowledge
from ..chat import upstream as upstream_mod
from ..chat.models import EditBody, ImportBody, SendBody, SessionCreate, SessionPatch, SwitchBody
from ..chat.service import ChatService
from ..chat.sessions import SessionStore
from ..chat.upstream import UpstreamError
from ..errors import InvalidInput, StudioError
from .base import StudioHandler

SID = r"(?P<session_id>[A-Za-z0-9_-]{1,64})"
DOC = r"(?P<name>[^/]{1,255})"
MID = r"(?P<message_id>[A-Za-z0-9_-]{1,64})"
_turns = ThreadPoolExecutor(max_workers=64, thread_name_prefix="sage-chat-turn")


# -- request bodies ------------------------------------------------------------------------------------------
class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "user", "assistant", "tool", "developer", "function"]
    content: str | list | None = None


class ChatCompletionRequest(BaseModel):
    """OpenAI's body (unknown OpenAI fields pass through), plus ours: `session_id`, `source`."""

    model_config = ConfigDict(extra="allow")

    model: str | None = None
    messages: list[ChatMessage] = Field(..., min_length=1)
    stream: bool = False
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    max_tokens: int | None = Field(None, ge=1, le=32_768)
    session_id: str | None = Field(None, min_length=1, max_length=64)
    source: Literal["local", "cloud", "auto"] | None = None


class KnowledgeText(BaseModel):
    """A knowledge document sent as JSON (the multipart upload sends a file instead)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=255)
    text: str = Field(..., min_length=1)


class StopBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request_id: str | None = None
    session_id: str | None = None


def _text_of(content: Any) -> str:
    if isinstance(content, list):  # OpenAI content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


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


def _sse(obj: Any) -> bytes:
    return b"data: " + json.dumps(obj, separators=(",", ":"), default=str).encode() + b"\n\n"


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
    return {"error": {"message": message, "type": kind, "code": code or status, "param": None}}


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
        target, resp, tried = await gateway.open_upstream(payload, req.source)
        sage = {"source": target.source, "request_id": self._cancel.request_id, "tried": tried}
        headers = {"x-sage-source": target.source, "x-request-id": self._cancel.request_id}
        if not req.stream:
            data = json.loads(await gateway.read_all(resp))
            for k, v in headers.items():
                self.set_header(k, v)
            data["x_sage"] = sage
            self.write_json(data)
            return
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
        c = self._cancel
        turn = TurnStreamer(
            lambda on_token: ChatService().send(
                req.session_id, text, source=req.source, model=req.model, on_token=on_token, cancel=c
            ),
            c,
        )
        created, rid = int(time.time()), c.request_id
        started = False
        async for kind, value in turn.events():
            if kind == "error":
                if started:  # headers are out: report in-band, as OpenAI does
                    status = getattr(value, "status", 500)
                    await self.send_bytes(_sse(openai_error(value, status)) + b"data: [DONE]\n\n")
                    self.finish()
                    return
                raise value
            if not req.stream:
                if kind == "done":
                    self._finish_json(value, created)
                continue
            if not started:
                started = True
                self.start_sse({"x-sage-source": c.source or "", "x-request-id": rid})
                first = {"role": "assistant", "content": ""}
                await self.send_bytes(_sse(_chunk(rid, created, None, first)))
            if kind == "token":
                if not await self.send_bytes(_sse(_chunk(rid, created, None, {"content": value}))):
                    c.cancel()
            else:  # done: the final chunk carries finish_reason and the turn's metadata
                meta = value["metadata"]
                final = _chunk(rid, created, meta.get("model"), {}, meta.get("finish_reason") or "stop")
                final["x_sage"] = _sage(value)
                await self.send_bytes(_sse(final) + b"data: [DONE]\n\n")
                self.finish()

    def _finish_json(self, message: dict, created: int) -> None:
        meta = message["metadata"]
        self.set_header("x-sage-source", meta.get("source") or "")
        self.set_header("x-request-id", self._cancel.request_id)
        self.write_json(
            {
                "id": self._cancel.request_id,
                "object": "chat.completion",
                "created": created,
                "model": meta.get("model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": message["content"]},
                        "finish_reason": meta.get("finish_reason") or "stop",
                    }
                ],
                "usage": _usage(meta),
                "x_sage": _sage(message),
            }
        )


def _usage(meta: dict) -> dict:
    from ..chat.pipeline import prompt_tokens

    budget = meta.get("token_budget") or {}
    prompt = prompt_tokens(budget)
    completion = budget.get("completion_tokens")
    completion = completion if isinstance(completion, int) else meta.get("tokens", 0)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _chunk(rid: str, created: int, model: str | None, delta: dict, finish: str | None = None) -> dict:
    return {
        "id": rid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


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
    @tornado.web.authenticated
    async def post(self):
        body = self.parse_body(StopBody)
        if not body.request_id and not body.session_id:
            raise InvalidInput("give `request_id` or `session_id` of the generation to stop")
        stopped = cancel_mod.stop(body.request_id, body.session_id)
        self.write_json({"stopped": stopped})


class SourcesHandler(StudioHandler):
    """Local engine / cloud endpoint state for the chat panel's source picker (never a key or full URL)."""

    @tornado.web.authenticated
    async def get(self):
        loop = asyncio.get_running_loop()  # probes the cloud with a ~2 s timeout: not on the event loop
        self.write_json(await loop.run_in_executor(None, upstream_mod.sources_status))


# -- knowledge documents ---------------------------------------------------------------------------------------
class KnowledgeHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self):
        self.write_json({"documents": knowledge.list_documents()})

    @tornado.web.authenticated
    def post(self):
        """multipart/form-data with a `file` field (optional `name` field), or JSON {name, text}."""
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("multipart/form-data"):
            files = self.request.files.get("file") or []
            if not files:
                raise InvalidInput("no file in the upload: send it in a multipart field named 'file'")
            upload = files[0]
            name = self.get_body_argument("name", None) or upload["filename"]
            entry = knowledge.add_document(name, upload["body"])
        else:
            body = self.parse_body(KnowledgeText)
            entry = knowledge.add_document(body.name, body.text)
        self.write_json(entry, status=201)


class KnowledgeDocumentHandler(StudioHandler):
    @tornado.web.authenticated
    def delete(self, name):
        knowledge.delete_document(name)
        self.set_status(204)
        self.finish()


# -- sessions REST -------------------------------------------------------------------------------------------
class SessionsHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self):
        q = self.get_query_argument("q", None)
        store = SessionStore()
        self.write_json({"sessions": store.search(q) if q is not None else store.list()})

    @tornado.web.authenticated
    def post(self):
        body = self.parse_body(SessionCreate)
        self.write_json(SessionStore().create(body.title, body.settings), status=201)


class SessionSearchHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self):
        self.write_json({"sessions": SessionStore().search(self.get_query_argument("q", ""))})


class SessionImportHandler(StudioHandler):
    @tornado.web.authenticated
    def post(self):
        body = self.parse_body(ImportBody)
        self.write_json(SessionStore().import_session(body), status=201)


class SessionCleanupHandler(StudioHandler):
    @tornado.web.authenticated
    def post(self):
        raw = self.get_query_argument("max_age_minutes", None)
        try:
            minutes = float(raw)
        except (TypeError, ValueError):
            raise InvalidInput("give ?max_age_minutes=N (a number of minutes)") from None
        self.write_json({"deleted": SessionStore().cleanup(minutes)})


class SessionHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self, session_id):
        self.write_json(SessionStore().get(session_id))

    @tornado.web.authenticated
    def patch(self, session_id):
        body = self.parse_body(SessionPatch)
        self.write_json(SessionStore().update(session_id, body.title, body.settings))

    @tornado.web.authenticated
    def delete(self, session_id):
        SessionStore().delete(session_id)
        self.set_status(204)
        self.finish()


class SessionClearHandler(StudioHandler):
    @tornado.web.authenticated
    def post(self, session_id):
        self.write_json(SessionStore().clear(session_id))


class SessionExportHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self, session_id):
        fmt = self.get_query_argument("format", "json")
        out = SessionStore().export(session_id, fmt)
        if fmt == "markdown":
            self.set_header("Content-Type", "text/markdown; charset=utf-8")
            self.finish(out)
        else:
            self.write_json(out)


class SessionSwitchHandler(StudioHandler):
    @tornado.web.authenticated
    def post(self, session_id):
        body = self.parse_body(SwitchBody)
        self.write_json(SessionStore().switch_branch(session_id, body.message_id))


class _TurnHandler(SSEMixin, StudioHandler):
    """A chat turn over REST: JSON answer, or SSE events {type: token|done|error} when `stream` is true."""

    async def run_turn(self, session_id: str, stream: bool, call) -> None:
        SessionStore().summary(session_id)  # 404 before anything is stored
        self._cancel = cancel_mod.register(session_id=session_id)
        turn = TurnStreamer(lambda on_token: call(on_token, self._cancel), self._cancel)
        if stream:
            self.start_sse({"x-request-id": self._cancel.request_id})
            await self.send_bytes(_sse({"type": "start", "request_id": self._cancel.request_id}))
        async for kind, value in turn.events():
            if not stream:
                if kind == "error":
                    raise value
                if kind == "done":
                    self.write_json(value)
                continue
            if kind == "token":
                if not await self.send_bytes(_sse({"type": "token", "text": value})):
                    self._cancel.cancel()
            elif kind == "done":
                await self.send_bytes(_sse({"type": "done", "message": value}))
            else:
                status = getattr(value, "status", 500)
                await self.send_bytes(
                    _sse(
                        {
                            "type": "error",
                            "status": status,
                            "message": openai_error(value, status)["error"]["message"],
                        }
                    )
                )
        if stream:
            self.finish()


class SessionMessagesHandler(_TurnHandler):
    @tornado.web.authenticated
    async def post(self, session_id):
        body = self.parse_body(SendBody)
        await self.run_turn(
            session_id,
            body.stream,
            lambda on_token, c: ChatService().send(
                session_id, body.content, source=body.source, model=body.model, on_token=on_token, cancel=c
            ),
        )


class RegenerateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Literal["local", "cloud", "auto"] | None = None
    model: str | None = None
    stream: bool = False


class SessionRegenerateHandler(_TurnHandler):
    @tornado.web.authenticated
    async def post(self, session_id):
        body = self.parse_body(RegenerateBody)
        SessionStore().last_user_message(session_id)  # 400 when there is nothing to answer again
        await self.run_turn(
            session_id,
            body.stream,
            lambda on_token, c: ChatService().regenerate(
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
            lambda on_token, c: ChatService().edit(
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
        (r"v1/models", ModelsHandler),
        (r"v1/chat/completions", ChatCompletionsHandler),
        (r"v1/chat/stop", StopHandler),
        (r"api/chat/stop", StopHandler),
        (r"api/chat/sources", SourcesHandler),
        (r"api/chat/knowledge", KnowledgeHandler),
        (rf"api/chat/knowledge/{DOC}", KnowledgeDocumentHandler),
        (r"api/chat/sessions", SessionsHandler),
        (r"api/chat/sessions/search", SessionSearchHandler),
        (r"api/chat/sessions/import", SessionImportHandler),
        (r"api/chat/sessions/cleanup", SessionCleanupHandler),
        (rf"api/chat/sessions/{SID}", SessionHandler),
        (rf"api/chat/sessions/{SID}/clear", SessionClearHandler),
        (rf"api/chat/sessions/{SID}/export", SessionExportHandler),
        (rf"api/chat/sessions/{SID}/switch", SessionSwitchHandler),
        (rf"api/chat/sessions/{SID}/messages", SessionMessagesHandler),
        (rf"api/chat/sessions/{SID}/regenerate", SessionRegenerateHandler),
        (rf"api/chat/sessions/{SID}/messages/{MID}/edit", MessageEditHandler),
    ]
