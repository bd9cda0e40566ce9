"""The chat pipeline's calls to the model: one streamed answer (`stream_chat`) and one short classification
(`complete_short`), both async on the gateway's upstream path (aiohttp, `chat/gateway.py`), routed local / cloud /
auto like a gateway request. `auto` moves on to the next upstream only while none of its answer has arrived, so an
answer is never mixed from two models.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from .. import openai_wire as wire
from ..settings import get_settings
from . import gateway
from . import upstream as up
from .cancel import Cancellation

SAMPLING = (
    "temperature",
    "top_p",
    "max_tokens",
    "seed",
    "stop",
    "repetition_penalty",
    "frequency_penalty",
    "presence_penalty",
    "continue_final_message",
    "add_generation_prompt",
)


@dataclass
class Completion:
    text: str = ""
    source: str | None = None
    model: str | None = None
    finish_reason: str | None = None
    tokens: int = 0
    ttft_s: float | None = None
    latency_s: float = 0.0
    cancelled: bool = False
    tried: list = field(default_factory=list)
    # What the server counted (`stream_options.include_usage`); None when it does not report usage.
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    context_length: int | None = None  # the answering model's maximum context (cached lookup)
    decode_s: float | None = None  # from the first piece of text to the last
    tok_s: float | None = None  # the decode rate (`decode_rate`)

    def to_dict(self) -> dict:
        return asdict(self)


async def stream_chat(
    messages: list[dict],
    source: str | None = None,
    model: str | None = None,
    sampling: dict | None = None,
    on_token: Callable[[str], None] | None = None,
    cancel: Cancellation | None = None,
) -> Completion:
    """Stream one answer, passing each piece to `on_token`; a set `cancel` closes the upstream connection (the
    engine stops generating) and the answer so far is returned with `cancelled`."""
    import aiohttp

    result = Completion()
    t0 = time.perf_counter()
    params = {k: v for k, v in (sampling or {}).items() if v is not None and k in SAMPLING}
    params.setdefault("max_tokens", get_settings().chat_max_tokens)  # never "up to the whole context"
    payload = {
        "model": model,
        "messages": messages,
        "stream": True,
        "stream_options": {"include_usage": True},
        **params,
        # a small model answering greedily can loop until max_tokens: the local engine gets a repetition guard
        # (a session's own value goes to any source)
        "local_defaults": {"repetition_penalty": get_settings().chat_repetition_penalty},
    }
    candidates = await gateway.targets(source)
    while True:
        i, target, resp = await gateway.open_first(candidates, payload, result.tried)
        result.model = target.model_for(model)
        if cancel is not None:
            cancel.source = target.source
        try:
            await _read(resp, target, result, on_token, cancel, t0)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:  # it died before / while answering
            if target.source == "local":
                up.forget_local()
            if result.tokens or i == len(candidates) - 1:
                raise gateway.failure(target, exc) from exc
            candidates = candidates[i + 1 :]  # nothing of its answer arrived: the next one may answer
            continue
        result.source, result.latency_s = target.source, round(time.perf_counter() - t0, 4)
        counted = result.completion_tokens if result.completion_tokens is not None else result.tokens
        result.tok_s = decode_rate(counted, result.decode_s)
        result.context_length = await context_length(target)
        return result


def decode_rate(tokens: int, decode_s: float | None) -> float | None:
    """Tokens per second while the answer streams: the tokens after the first over the time from the first to the
    last. The wait for the first token (queue, prefill, the engine loading an adapter) is TTFT, not speed:
    dividing every token by the whole request's time made a short answer behind a slow first token read 0.2 tok/s.
    None when there is no interval to measure (fewer than two tokens)."""
    if tokens < 2 or not decode_s or decode_s <= 0:
        return None
    return round((tokens - 1) / decode_s, 2)


async def _read(
    resp, target: up.Upstream, result: Completion, on_token, cancel: Cancellation | None, t0: float
) -> None:
    import aiohttp

    if cancel is not None:  # from any thread: closing the response ends the read at once
        loop = asyncio.get_running_loop()
        cancel.on_cancel(lambda: loop.call_soon_threadsafe(resp.close))
    reader, parts, done, ended = wire.SSEReader(), [], False, False
    first_at = last_at = None
    try:
        while True:
            if cancel is not None and cancel.is_set():
                result.cancelled = True
                break
            read = resp.content.readany()
            # after [DONE] the end of the body is due at once (read it, so the connection is reused)
            chunk = await (asyncio.wait_for(read, 1.0) if done else read)
            if not chunk:
                ended = True
                break
            for data in [] if done else reader.feed(chunk):
                if data == wire.DONE:
                    done = True
                    break
                delta = wire.chunk_delta(data)
                if delta.error:  # the upstream reported an error in-band
                    raise up.UpstreamError(
                        f"the {target.source} model server failed: {delta.error.get('message')}",
                        status=502,
                        source=target.source,
                    )
                if delta.usage:
                    result.prompt_tokens = delta.usage.get("prompt_tokens")
                    result.completion_tokens = delta.usage.get("completion_tokens")
                if delta.text:
                    last_at = time.perf_counter()
                    if result.ttft_s is None:
                        first_at = last_at
                        result.ttft_s = round(first_at - t0, 4)
                    result.tokens += 1
                    parts.append(delta.text)
                    if on_token is not None:
                        on_token(delta.text)
                if delta.finish_reason:
                    result.finish_reason = delta.finish_reason
    except (aiohttp.ClientError, asyncio.TimeoutError):
        if done:  # the answer was complete; only the end of the body went missing
            pass
        elif cancel is not None and cancel.is_set():  # the stream was closed under us by a stop request
            result.cancelled = True
        else:
            raise
    finally:
        if ended:
            resp.release()  # read to its end: the connection goes back to the pool
        else:
            resp.close()  # closing the connection makes the engine stop generating
        result.text = "".join(parts)
        if first_at is not None:
            result.decode_s = round(last_at - first_at, 4)
    if result.cancelled:
        result.finish_reason = "cancelled"


async def context_length(target: up.Upstream) -> int | None:
    """The model's context length; its lookup (an HTTP call, then cached) runs in a worker thread."""
    hit, value = up.cached_context_length(target)
    if hit:
        return value
    return await asyncio.get_running_loop().run_in_executor(None, up.model_context_length, target)


async def complete_short(
    messages: list[dict],
    source: str | None = None,
    model: str | None = None,
    max_tokens: int = 8,
    timeout_s: float = 10.0,
) -> str:
    """A short non-streamed answer at temperature 0 (e.g. a classification), routed like a chat turn:
    the next upstream is tried only when one cannot be reached. Raises on error / timeout."""

    async def ask() -> str:
        payload = {"model": model, "messages": messages, "temperature": 0, "max_tokens": max_tokens}
        _, resp, _ = await gateway.open_upstream(payload, source)
        data = json.loads(await gateway.read_all(resp))
        choices = data.get("choices") or []
        return ((choices[0].get("message") or {}).get("content") or "") if choices else ""

    return await asyncio.wait_for(ask(), timeout_s)
