"""Pydantic shapes of chat sessions: per-session settings and the bodies routes accept."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..request_json import Name, PathName

Source = Literal["local", "cloud", "auto"]


def new_id() -> str:
    """Id of a session or message."""
    return uuid.uuid4().hex


class SessionSettings(BaseModel):
    """What a session sends with each turn. `None` means the studio default."""

    model_config = ConfigDict(extra="forbid")

    system_prompt: str | None = Field(None, max_length=20_000)
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    max_tokens: int | None = Field(None, ge=1, le=32_768)
    repetition_penalty: float | None = Field(
        None,
        ge=1.0,
        le=2.0,
        description="tokens already said get less likely (1.0 = off; default: c.SageStudio.chat_repetition_penalty)",
    )
    source: Source | None = None
    model: str | None = Field(None, max_length=300)
    flow: str | None = Field(
        None, max_length=300, description="id of a user's edited copy of the studio-chat flow"
    )
    intent_classifier: Literal["keyword", "llm"] | None = Field(
        None, description="how IntentRouter decides (default: c.SageStudio.intent_classifier)"
    )


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, max_length=300)
    settings: SessionSettings = Field(default_factory=SessionSettings)


class SessionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=300)
    settings: SessionSettings | None = None


class Attachment(BaseModel):
    """Notebook context for a turn (chat/context.py): a variable, an error, a cell or a cell's output."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["variable", "error", "cell", "output"]
    name: str = Field(..., min_length=1, max_length=200)
    text: str = Field(..., max_length=20_000)


class SendBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(..., min_length=1, max_length=200_000)
    source: Source | None = None
    model: PathName | None = None
    stream: bool = False
    context: list[Attachment] = Field(
        default_factory=list, max_length=20, description="notebook context attached to the message"
    )


class EditBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(..., min_length=1, max_length=200_000)
    generate: bool = True
    source: Source | None = None
    model: PathName | None = None


class ImportedMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: Name | None = None
    parent_id: Name | None = None
    role: Literal["system", "user", "assistant"]
    content: str
    metadata: dict = Field(default_factory=dict)
    created_at: float | None = None


class ImportBody(BaseModel):
    """A session export (`format: json`, the export's own shape) or a Markdown transcript."""

    model_config = ConfigDict(extra="ignore")

    format: Literal["json", "markdown"] = "json"
    title: Name | None = None
    settings: SessionSettings = Field(default_factory=SessionSettings)
    messages: list[ImportedMessage] = Field(default_factory=list)
    active_leaf_id: Name | None = None
    markdown: str | None = None
