"""One streamed chat completion with the official `openai` client, routed local / cloud / auto.

Used by the chat pipeline in any process (server, kernel, CLI). `auto` moves on to the next upstream only
when the previous one could not be reached before any token arrived, so an answer is never mixed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from . import upstream as up
from .cancel import Cancellation

CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 120.0  # longest silence between two chunks before we give up (never hang)

_clients: dict = {}
_clients_lock = threading.Lock()


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

    def to_dict(self) -> dict:
        return asdict(self)


def client_for(u: up.Upstream):
    import openai

    key = (u.base_url, u.api_key)
    with _clients_lock:
        if key not in _clients:
            _clients[key] = openai.OpenAI(
                base_url=u.base_url,
                api_key=u.api_key or "not-needed",
                max_retries=0,
                # The client's own Timeout type: openai 3.x sits on httpx2 and refuses httpx's objects.
                timeout=openai.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
            )
        return _clients[key]


def stream_chat(
    messages: list[dict],
    source: str | None = None,
    model: str | None = None,
    sampling: dict | None = None,
    on_token: Callable[[str], None] | None = None,
    cancel: Cancellation | None = None,
) -> Completion:
    import openai

    result = Completion()
    t0 = time.perf_counter()
    targets = up.candidates(source)
    for i, target in enumerate(targets):
        result.tried.append(target.source)
        try:
            _stream_one(target, messages, model, sampling or {}, on_token, cancel, result, t0)
            result.source, result.latency_s = target.source, round(time.perf_counter() - t0, 4)
            result.context_length = up.model_context_length(target)
            return result
        except (openai.APIConnectionError, openai.APITimeoutError) as exc:
            if target.source == "local":
                up.forget_local()
            if result.tokens or i == len(targets) - 1:
                status, what = (
                    (504, "timed out") if isinstance(exc, openai.APITimeoutError) else (502, "unreachable")
                )
                raise up.UpstreamError(
                    f"the {target.source} model server is {what} ({target.base_url}): {exc}",
                    status=status,
                    code=f"{target.source}_unreachable",
                    source=target.source,
                ) from exc
        except openai.APIStatusError as exc:
            status = exc.status_code if exc.status_code < 500 else 502
            raise up.UpstreamError(
                f"the {target.source} model server answered {exc.status_code}: "
                f"{up.error_message(exc.status_code, exc.response.content)}",
                status=status,
                code="upstream_error",
                source=target.source,
            ) from exc
    raise AssertionError("unreachable")  # candidates() never returns an empty list


def _stream_one(target, messages, model, sampling, on_token, cancel, result: Completion, t0: float) -> None:
    client = client_for(target)
    result.model = target.model_for(model)
    params = {
        k: v
        for k, v in sampling.items()
        if v is not None and k in ("temperature", "top_p", "max_tokens", "seed", "stop")
    }
    stream = client.chat.completions.create(
        model=result.model,
        messages=messages,
        stream=True,
        stream_options={"include_usage": True},
        **params,
    )
    if cancel is not None:
        cancel.source = target.source
        cancel.on_cancel(stream.close)  # closing the response makes the engine stop generating
    parts: list[str] = []
    try:
        for chunk in stream:
            if cancel is not None and cancel.is_set():
                result.cancelled = True
                break
            usage = getattr(chunk, "usage", None)
            if usage is not None:
                result.prompt_tokens = usage.prompt_tokens
                result.completion_tokens = usage.completion_tokens
            if not chunk.choices:
                continue
            choice = chunk.choices[0]
            piece = getattr(choice.delta, "content", None) or ""
            if piece:
                if result.ttft_s is None:
                    result.ttft_s = round(time.perf_counter() - t0, 4)
                result.tokens += 1
                parts.append(piece)
                if on_token is not None:
                    on_token(piece)
            if choice.finish_reason:
                result.finish_reason = choice.finish_reason
    except Exception:
        if cancel is not None and cancel.is_set():  # the stream was closed under us by a stop request
            result.cancelled = True
        else:
            raise
    finally:
        stream.close()
        result.text = "".join(parts)
    if result.cancelled:
        result.finish_reason = "cancelled"


def complete_short(
    messages: list[dict],
    source: str | None = None,
    model: str | None = None,
    max_tokens: int = 8,
    timeout_s: float = 10.0,
) -> str:
    """A short non-streamed answer at temperature 0 (e.g. a classification), routed like a chat turn:
    the next upstream is tried only when one cannot be reached. Raises on error / timeout."""
    import openai

    last: Exception | None = None
    for target in up.candidates(source):
        try:
            resp = client_for(target).chat.completions.create(
                model=target.model_for(model),
                messages=messages,
                temperature=0,
                max_tokens=max_tokens,
                timeout=timeout_s,
            )
            return (resp.choices[0].message.content or "") if resp.choices else ""
        except openai.APITimeoutError:  # a slow server: do not spend another timeout on the next one
            raise
        except openai.APIConnectionError as exc:  # includes timeouts: try the next upstream
            if target.source == "local":
                up.forget_local()
            last = exc
    raise last or RuntimeError("no upstream answered")
