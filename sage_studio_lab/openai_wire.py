"""The OpenAI wire format (vLLM's dialect), one module for everyone who speaks it: the CPU engine
(`engine/server/`), the gateway (`chat/gateway.py`, `server/gateway_handlers.py`) and the engine's client.

Request bodies (pydantic), response / chunk / usage builders, SSE framing and error objects. It imports nothing
from this package (and nothing from Jupyter or torch), so every side can import it without a cycle.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# -- errors --------------------------------------------------------------------------------------------------


def error_object(message: str, type: str, code: int | str | None, param: str | None = None) -> dict:
    """OpenAI's error body, as an answer or as an in-band SSE event: {"error": {message, type, param, code}}."""
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def error_message(status: int, body: bytes | str) -> str:
    """The message inside an OpenAI-style error body (or the body itself, or `HTTP <status>`)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
        err = data.get("error", data) if isinstance(data, dict) else data
        msg = err.get("message") if isinstance(err, dict) else err
        return str(msg or data)[:2000]
    except (ValueError, AttributeError):
        return text[:2000] or f"HTTP {status}"


class ApiError(Exception):
    """An error the engine answers with its HTTP status; `type` is vLLM's name for the status."""

    TYPES = {
        400: "BadRequestError",
        401: "AuthenticationError",
        404: "NotFoundError",
        503: "ServiceUnavailableError",
        500: "InternalServerError",
    }

    def __init__(self, message: str, status: int = 400, param: str | None = None):
        super().__init__(message)
        self.message, self.status, self.param = message, status, param

    def body(self) -> dict:
        return error_object(
            self.message, self.TYPES.get(self.status, "BadRequestError"), self.status, self.param
        )


# -- SSE framing ---------------------------------------------------------------------------------------------
DONE = b"[DONE]"
SSE_DONE = b"data: " + DONE + b"\n\n"


def sse_data(data: bytes) -> bytes:
    """One event around an already-encoded payload (the gateway relays upstream events without parsing them)."""
    return b"data: " + data + b"\n\n"


def sse_event(obj: Any, compact: bool = True) -> bytes:
    """One event carrying `obj` as JSON. The engine has always sent json.dumps' default spacing (compact=False),
    the gateway compact JSON; clients parse either."""
    separators = (",", ":") if compact else None
    return sse_data(json.dumps(obj, separators=separators, default=str).encode())


class SSEReader:
    """The payloads of an SSE stream's `data:` lines, from its bytes as the network delivers them (an event may
    be split across chunks; blank separators, comments and `event:` lines are skipped)."""

    def __init__(self):
        self.partial = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        *lines, self.partial = (self.partial + chunk).split(b"\n")
        return [line[5:].strip() for line in lines if line.startswith(b"data:")]


@dataclass
class Delta:
    """What one streamed chat chunk carries."""

    text: str = ""
    finish_reason: str | None = None
    usage: dict | None = None  # the last chunk's, with `stream_options.include_usage`
    error: dict | None = None  # an in-band error event ({"error": {...}})


def chunk_delta(data: bytes) -> Delta:
    """Parse one `data:` payload of a chat stream (not `[DONE]`)."""
    obj = json.loads(data)
    if not isinstance(obj, dict):
        return Delta()
    if obj.get("error"):
        error = obj["error"]
        return Delta(error=error if isinstance(error, dict) else {"message": str(error)})
    choice = (obj.get("choices") or [None])[0] or {}
    delta = choice.get("delta") or {}
    return Delta(delta.get("content") or "", choice.get("finish_reason"), obj.get("usage"))


# -- requests ------------------------------------------------------------------------------------------------
class StreamOptions(BaseModel):
    include_usage: bool = False


MAX_STOP_CHARS = 4096


class _Sampling(BaseModel):
    model_config = ConfigDict(extra="allow")  # unknown OpenAI fields are accepted and ignored, like vLLM

    model: str | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float = Field(1.0, ge=0, le=2)
    top_p: float = Field(1.0, gt=0, le=1)
    max_tokens: int | None = Field(None, ge=1)
    stop: str | list[str] | None = None
    seed: int | None = Field(None, ge=-(2**63), le=2**64 - 1)  # what a torch.Generator takes
    n: int = Field(1, ge=1, le=1)
    # Repetition guards: OpenAI's additive penalties and vLLM's multiplicative one (None: the model's default)
    frequency_penalty: float = Field(0.0, ge=-2, le=2)
    presence_penalty: float = Field(0.0, ge=-2, le=2)
    repetition_penalty: float | None = Field(None, gt=0, le=10)

    @field_validator("stop")
    @classmethod
    def _stops(cls, value):
        if isinstance(value, str):
            value = [value]
        if value and (len(value) > 8 or any(not s or len(s) > MAX_STOP_CHARS for s in value)):
            raise ValueError(f"stop takes up to 8 non-empty strings of at most {MAX_STOP_CHARS} characters")
        return value or []


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = ""

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.get("text", "") for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatCompletionRequest(_Sampling):
    messages: list[ChatMessage] = Field(min_length=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    # vLLM's: go on from the last (assistant) message instead of opening a new one
    add_generation_prompt: bool = True
    continue_final_message: bool = False


class CompletionRequest(_Sampling):
    prompt: str | list[str] | list[int]

    @field_validator("prompt")
    @classmethod
    def _one_prompt(cls, value):
        if isinstance(value, list) and value and isinstance(value[0], str):
            if len(value) != 1:
                raise ValueError("only one prompt per request is supported")
            return value[0]
        return value


class LoadLoraRequest(BaseModel):
    lora_name: str = Field(min_length=1, max_length=128)
    lora_path: str = Field(min_length=1, max_length=4096)

    @field_validator("lora_path")
    @classmethod
    def _usable_path(cls, value):
        if "\x00" in value or any(
            len(part.encode("utf-8", "surrogatepass")) > 255 for part in value.split("/")
        ):
            raise ValueError("not a usable folder path: a NUL character, or a part longer than 255 bytes")
        return value


class UnloadLoraRequest(BaseModel):
    lora_name: str = Field(min_length=1)
    lora_int_id: int | None = None


# -- responses -----------------------------------------------------------------------------------------------
CHAT_CHUNK = "chat.completion.chunk"


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def now_s() -> int:
    return int(time.time())


def usage(prompt: int, completion: int, cached: int = 0) -> dict:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached},
    }


def _chunk(rid: str, model: str | None, created: int, obj: str, choice: dict, with_usage: bool) -> dict:
    chunk = {"id": rid, "object": obj, "created": created, "model": model, "choices": [choice]}
    if with_usage:  # `stream_options.include_usage`: every chunk says `usage: null` until the last one
        chunk["usage"] = None
    return chunk


def chat_chunk(
    rid: str, model: str, created: int, delta: dict, finish: str | None = None, with_usage: bool = False
) -> dict:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
    return _chunk(rid, model, created, CHAT_CHUNK, choice, with_usage)


def completion_chunk(
    rid: str, model: str, created: int, text: str, finish: str | None = None, with_usage: bool = False
) -> dict:
    choice = {"index": 0, "text": text, "logprobs": None, "finish_reason": finish}
    return _chunk(rid, model, created, "text_completion", choice, with_usage)


def choiceless_chunk(rid: str, model: str | None, created: int, obj: str = CHAT_CHUNK, **fields) -> dict:
    """A chunk with `choices: []` and extra fields: the engine's usage chunk, the gateway's `x_sage` chunk."""
    return {"id": rid, "object": obj, "created": created, "model": model, "choices": [], **fields}


def chat_completion(rid: str, model: str, created: int, text: str, finish: str | None, used: dict) -> dict:
    message = {"role": "assistant", "content": text}
    return {
        "id": rid,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": used,
    }


def text_completion(rid: str, model: str, created: int, text: str, finish: str | None, used: dict) -> dict:
    return {
        "id": rid,
        "object": "text_completion",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "text": text, "logprobs": None, "finish_reason": finish}],
        "usage": used,
    }


def model_card(
    name: str, created: int, root: str | None, parent: str | None, max_model_len: int, owned_by: str
) -> dict:
    """An entry of `GET /v1/models`; vLLM marks a LoRA adapter with `parent` = its base model."""
    return {
        "id": name,
        "object": "model",
        "created": created,
        "owned_by": owned_by,
        "root": root,
        "parent": parent,
        "max_model_len": max_model_len,
        "permission": [],
    }
