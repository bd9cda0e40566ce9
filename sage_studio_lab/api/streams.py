"""Streaming operations (SSE and WebSocket): declared here for the OpenAPI document and the transports.

Their faces are written per transport (server/*_handlers.py push sockets and SSE, widgets' `@rpc(stream=True)`),
since each carries a stream its own way; what they take and send is declared once here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from .improve import ArenaArgs, ArenaEvent
from .schemas import schema_of


@dataclass(frozen=True)
class Stream:
    name: str
    verb: str
    path: str
    kind: Literal["sse", "websocket"]
    summary: str
    args: Any = None  # body (SSE POST) or query (WebSocket) model
    event: Any = dict[str, Any]

    def openapi(self, schemas: dict) -> dict:
        def schema(tp, mode):
            return schema_of(tp, mode, schemas)

        media = "text/event-stream" if self.kind == "sse" else "application/json"
        doc: dict[str, Any] = {
            "operationId": self.name,
            "summary": self.summary,
            "tags": [self.name.split(".")[0]],
            "x-sage-stream": self.kind,
            "parameters": [
                {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                for n in _path_args(self.path)
            ],
            "responses": {
                "200": {
                    "description": "each event",
                    "content": {media: {"schema": schema(self.event, "serialization")}},
                }
            },
        }
        if self.args is not None:
            if self.verb == "POST":
                doc["requestBody"] = {
                    "content": {"application/json": {"schema": schema(self.args, "validation")}}
                }
            else:
                props = TypeAdapter(self.args).json_schema().get("properties", {})
                doc["parameters"] += [{"name": n, "in": "query", "schema": s} for n, s in props.items()]
        return doc


def _path_args(path: str) -> list[str]:
    import re

    return re.findall(r"\{(\w+)\}", path)


class ChatEvent(BaseModel, extra="allow"):
    """An OpenAI chat.completion.chunk; the last one before `[DONE]` carries `x_sage` (turn metadata)."""

    object: str | None = None
    choices: list[dict[str, Any]] = []


class Interval(BaseModel):
    interval: float = 2.0


class FollowArgs(BaseModel):
    logs: bool = Field(False, description="also send each train.log line as {type: log, line}")


STREAMS: tuple[Stream, ...] = (
    Stream(
        "chat.send",
        "POST",
        "api/chat/sessions/{session_id}/messages",
        "sse",
        "A chat turn through the session's pipeline, streamed as OpenAI chunks (stream: true)",
        event=ChatEvent,
    ),
    Stream(
        "chat.regenerate",
        "POST",
        "api/chat/sessions/{session_id}/regenerate",
        "sse",
        "A new answer to the last user message, as a sibling branch",
        event=ChatEvent,
    ),
    Stream(
        "chat.continue",
        "POST",
        "api/chat/sessions/{session_id}/continue",
        "sse",
        "Go on from the last answer where it stopped (stop or max_tokens): the same message grows",
        event=ChatEvent,
    ),
    Stream(
        "chat.edit",
        "POST",
        "api/chat/sessions/{session_id}/messages/{message_id}/edit",
        "sse",
        "Edit a user message into a new branch and answer it",
        event=ChatEvent,
    ),
    Stream(
        "improve.arena",
        "POST",
        "api/improve/arena",
        "sse",
        "One prompt answered by two models at once (one engine batch): {type: token, side, text} events, then "
        "{type: done, id, a, b} (blind: the models hidden until improve.pick)",
        args=ArenaArgs,
        event=ArenaEvent,
    ),
    Stream(
        "openai.chat_completions",
        "POST",
        "v1/chat/completions",
        "sse",
        "OpenAI-compatible chat completions routed to the local engine or the cloud",
        event=ChatEvent,
    ),
    Stream(
        "gpu.watch",
        "GET",
        "api/system/gpu/stream",
        "websocket",
        'GPU snapshots every `interval` seconds (0.5-60); send {"interval": s} to change it',
        args=Interval,
    ),
    Stream(
        "flow.events",
        "GET",
        "api/flow/runs/{run_id}/events",
        "websocket",
        "A flow run's events: node_started, node_finished, run_finished, ...",
    ),
    Stream(
        "finetune.watch",
        "GET",
        "api/finetune/tasks/{task_id}/events",
        "websocket",
        "A fine-tune task's events.jsonl records from the start (start, progress, eval, checkpoint, status), "
        "task_status {status, error} on each change, with `logs` each train.log line; closes after the end "
        "(finetune/follow.py)",
        args=FollowArgs,
    ),
    Stream(
        "finetune.events",
        "GET",
        "api/finetune/events",
        "websocket",
        "Every task's state changes (the task table, live)",
    ),
)
