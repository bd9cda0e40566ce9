"""Chat and completions serving (vLLM's OpenAIServingChat / …Completion): a validated request becomes a
scheduler `Sequence`, whose events become SSE chunks or one JSON answer. The routes are in api_server.py."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ... import openai_wire as wire
from ...openai_wire import ApiError
from .state import EngineState

DEFAULT_MAX_TOKENS = 512  # when a request gives none (a 135M model can ramble to the full context)


@dataclass(frozen=True)
class _Kind:
    """What differs between /v1/chat/completions and /v1/completions on the wire."""

    id_prefix: str
    chunk_object: str
    chunk: Callable[..., dict]  # (rid, model, created, delta, finish, with_usage)
    delta: Callable[[str], Any]
    end_delta: Any  # the delta of the chunk carrying finish_reason
    answer: Callable[..., dict]  # the non-streamed body
    role_first: bool  # a chat stream opens with the assistant's role


CHAT = _Kind(
    id_prefix="chatcmpl",
    chunk_object=wire.CHAT_CHUNK,
    chunk=wire.chat_chunk,
    delta=lambda text: {"content": text},
    end_delta={},
    answer=wire.chat_completion,
    role_first=True,
)
TEXT = _Kind(
    id_prefix="cmpl",
    chunk_object="text_completion",
    chunk=wire.completion_chunk,
    delta=lambda text: text,
    end_delta="",
    answer=wire.text_completion,
    role_first=False,
)


def render_chat(tokenizer, messages: list[dict], add_generation_prompt: bool, continue_final: bool) -> str:
    """The prompt text. `continue_final_message` (vLLM) leaves the last, assistant, message open so the model goes
    on from its text (a stopped answer continued); vLLM refuses it together with `add_generation_prompt`."""
    if continue_final and add_generation_prompt:
        raise ApiError(
            "Cannot set both `continue_final_message` and `add_generation_prompt` to True.",
            400,
            "continue_final_message",
        )
    if continue_final and messages[-1]["role"] != "assistant":
        raise ApiError("continue_final_message needs the last message to be the assistant's", 400, "messages")
    try:
        return tokenizer.apply_chat_template(
            messages,
            add_generation_prompt=add_generation_prompt,
            continue_final_message=continue_final,
            tokenize=False,
        )
    except Exception as exc:
        raise ApiError(f"messages cannot be rendered with this model's chat template: {exc}") from exc


class SSEResponse:
    """Server-sent events that stop generation as soon as the client goes away.

    Two tasks race: one pumps chunks, one waits for `http.disconnect`; the first to end cancels the other,
    and the sequence is always cancelled in the scheduler (a no-op when it already finished)."""

    def __init__(self, events, on_close):
        self.events, self.on_close = events, on_close

    async def __call__(self, scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache"),
                ],
            }
        )

        async def pump():
            async for batch in self.events:  # lists of framed events: one write each
                await send({"type": "http.response.body", "body": b"".join(batch), "more_body": True})
            await send({"type": "http.response.body", "body": wire.SSE_DONE, "more_body": False})

        async def watch():
            while (await receive())["type"] != "http.disconnect":
                pass

        tasks = [asyncio.ensure_future(pump()), asyncio.ensure_future(watch())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        except OSError:
            pass
        finally:
            for task in tasks:
                task.cancel()
            self.on_close()


def _event(obj: dict) -> bytes:
    return wire.sse_event(obj, compact=False)


class OpenAIServing:
    def __init__(self, state: EngineState):
        self.state = state
        self._default_penalty: float | None = None

    def check_ready(self) -> None:
        if not self.state.ready:
            raise ApiError(self.state.error or "the model is still loading", 503)

    def resolve_adapter(self, name: str | None) -> str | None:
        state = self.state
        if not name or name in (state.served_name, state.model_path):
            return None
        if name in state.scheduler.adapters:
            return name
        known = [state.served_name, *state.scheduler.adapters]
        raise ApiError(f"The model `{name}` does not exist. Served: {', '.join(known)}", 400, "model")

    def default_repetition_penalty(self) -> float:
        """As vLLM: the model's `generation_config.json` value when a request gives none."""
        if self._default_penalty is None:
            model = getattr(self.state.scheduler, "model", None)
            config = getattr(model, "generation_config", None)
            self._default_penalty = float(getattr(config, "repetition_penalty", None) or 1.0)
        return self._default_penalty

    def sampling(self, req, prompt_len: int):
        from .scheduler import SamplingParams

        limit = getattr(req, "max_completion_tokens", None) or req.max_tokens
        max_len = self.state.max_model_len
        room = max_len - prompt_len
        if room <= 0 or (limit and limit > room):
            raise ApiError(
                f"This model's maximum context length is {max_len} tokens. However, you "
                f"requested {prompt_len + (limit or 0)} tokens ({prompt_len} in the messages, "
                f"{limit or 0} in the completion). Please reduce the length.",
                400,
                "messages",
            )
        return SamplingParams(
            max_tokens=limit or min(DEFAULT_MAX_TOKENS, room),
            temperature=req.temperature,
            top_p=req.top_p,
            stop=list(req.stop or []),
            seed=req.seed,
            repetition_penalty=(
                req.repetition_penalty
                if req.repetition_penalty is not None
                else self.default_repetition_penalty()
            ),
            frequency_penalty=req.frequency_penalty,
            presence_penalty=req.presence_penalty,
        )

    # -- endpoints -------------------------------------------------------------------------------------------
    async def chat(self, req: wire.ChatCompletionRequest, request: Request) -> Response:
        tokenizer = self.state.tokenizer
        messages = [
            {"role": m.role if m.role != "developer" else "system", "content": m.text()} for m in req.messages
        ]
        text = render_chat(tokenizer, messages, req.add_generation_prompt, req.continue_final_message)
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        return await self.generate(req, ids, CHAT, request)

    async def completion(self, req: wire.CompletionRequest, request: Request) -> Response:
        tokenizer = self.state.tokenizer
        if isinstance(req.prompt, list):
            ids = list(req.prompt)
            if any(not 0 <= t < len(tokenizer) for t in ids):
                raise ApiError("prompt token ids are out of the vocabulary", 400, "prompt")
        else:
            ids = tokenizer(req.prompt)["input_ids"]
        if not ids:
            raise ApiError("prompt must not be empty", 400, "prompt")
        return await self.generate(req, ids, TEXT, request)

    # -- one request through the scheduler ---------------------------------------------------------------
    async def generate(self, req, prompt_ids: list[int], kind: _Kind, request: Request) -> Response:
        from .scheduler import Sequence

        state = self.state
        adapter = self.resolve_adapter(req.model)
        params = self.sampling(req, len(prompt_ids))
        seq = Sequence(prompt_ids=prompt_ids, params=params, loop=asyncio.get_running_loop(), adapter=adapter)
        model = req.model or state.served_name
        rid, created = wire.new_id(kind.id_prefix), wire.now_s()
        state.scheduler.submit(seq)

        def close():
            state.scheduler.cancel(seq)

        def done(reason) -> dict:
            state.metrics.finished(reason)
            return wire.usage(len(prompt_ids), len(seq.generated), seq.cached_tokens)

        if req.stream:
            with_usage = bool(req.stream_options and req.stream_options.include_usage)
            return SSEResponse(self._events(seq, kind, rid, model, created, with_usage, done), close)
        return await self._answer(seq, kind, rid, model, created, request, close, done)

    async def _events(self, seq, kind: _Kind, rid: str, model: str, created: int, with_usage: bool, done):
        """Lists of framed events, one network write each. The role chunk leaves with the first token, as in
        vLLM, so nothing wakes the client (or a relay on the same cores) while the prompt is prefilled;
        events already queued (a lagging client, a busy loop) leave together."""

        def render(what, value) -> list[bytes]:
            if what == "text":
                return [_event(kind.chunk(rid, model, created, kind.delta(value), None, with_usage))]
            if what == "error":
                return [_event(ApiError(value, 500).body())]
            used = done(value)
            final = [_event(kind.chunk(rid, model, created, kind.end_delta, value, with_usage))]
            if with_usage:
                usage_chunk = wire.choiceless_chunk(rid, model, created, kind.chunk_object, usage=used)
                final.append(_event(usage_chunk))
            return final

        batch = []
        if kind.role_first:
            role = {"role": "assistant", "content": ""}
            batch.append(_event(kind.chunk(rid, model, created, role, None, with_usage)))
        item = await seq.queue.get()
        while True:
            batch += render(*item)
            if item[0] != "text":
                yield batch
                return
            try:
                item = seq.queue.get_nowait()
                continue
            except asyncio.QueueEmpty:
                pass
            yield batch
            batch, item = [], await seq.queue.get()

    async def _answer(self, seq, kind: _Kind, rid, model, created, request: Request, close, done) -> Response:
        """Non-streaming: wait for the end, but stop generating if the client hangs up first."""

        async def wait_done():
            while True:
                what, value = await seq.queue.get()
                if what == "error":
                    raise ApiError(value, 500)
                if what == "done":
                    return value

        async def disconnected():
            while (await request.receive())["type"] != "http.disconnect":
                pass

        finish_task = asyncio.ensure_future(wait_done())
        watch_task = asyncio.ensure_future(disconnected())
        try:
            await asyncio.wait([finish_task, watch_task], return_when=asyncio.FIRST_COMPLETED)
        finally:
            watch_task.cancel()
            left = not finish_task.done()
            if left:  # the client left (or we are shutting down): stop generating
                finish_task.cancel()
                close()
        # Not `finish_task.cancelled()`: a cancel is only a request until the task runs again, so it is False here.
        if left:
            return Response(status_code=499)  # nginx's "client closed request"; nobody reads it
        reason = finish_task.result()
        return JSONResponse(kind.answer(rid, model, created, seq.text, reason, done(reason)))
