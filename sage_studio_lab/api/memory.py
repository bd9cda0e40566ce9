"""Memory operations: per-session memory settings, stats, stored memories and cleanup of idle sessions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..chat.sessions import SessionStore
from ..errors import NotFound
from ..memory.config import BACKENDS, MemoryConfig, MemoryConfigPatch
from ..memory.service import MemoryService
from .registry import operation

SESSION_ID = r"^[A-Za-z0-9_-]{1,64}$"


class SessionArg(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(pattern=SESSION_ID)


class OptionalSession(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str | None = Field(None, pattern=SESSION_ID, description="a chat session; none: the defaults")


class ConfigView(BaseModel):
    session_id: str | None
    config: MemoryConfig
    backends: list[str]
    total_sessions: int


class ConfigArgs(MemoryConfigPatch):
    session_id: str = Field(pattern=SESSION_ID)


class SessionConfig(BaseModel):
    session_id: str
    config: MemoryConfig


class SessionStats(BaseModel):
    session_id: str
    title: str | None = None
    backend: str
    config: MemoryConfig
    dialogs: int
    max_dialogs: int
    usage_percent: float
    vector_count: int
    index_size_bytes: int
    last_hits: list[dict[str, Any]]
    token_budget: dict[str, Any]


class Stats(BaseModel):
    sessions: list[SessionStats]


class Memory(BaseModel):
    id: int
    session_id: str
    kind: str
    text: str
    metadata: dict[str, Any]
    created_at: float


class Memories(BaseModel):
    memories: list[Memory]


class MemoryRef(SessionArg):
    memory_id: int = Field(ge=0)


class Deleted(BaseModel):
    deleted: int | str | list[str]


class CleanupArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_age_minutes: float = Field(ge=0, description="delete chat sessions idle for longer than this")


def _service():
    return MemoryService()


def _sessions():
    return SessionStore()


def _existing(session_id: str) -> str:
    if not _sessions().exists(session_id):
        raise NotFound(f"chat session {session_id!r} not found")
    return session_id


@operation("memory.config", "GET", "api/memory/config")
def get_config(args: OptionalSession) -> ConfigView:
    """The memory settings of a session (or the defaults), the backends there are, and how many sessions exist."""
    if args.session_id:
        _existing(args.session_id)
    return ConfigView(
        session_id=args.session_id,
        config=_service().get_config(args.session_id),
        backends=list(BACKENDS),
        total_sessions=_sessions().count(),
    )


@operation("memory.set_config", "PUT", "api/memory/config")
def set_config(args: ConfigArgs) -> SessionConfig:
    """Change a session's memory settings (only the fields given)."""
    patch = MemoryConfigPatch.model_validate(args.model_dump(exclude={"session_id"}, exclude_none=True))
    return SessionConfig(
        session_id=args.session_id, config=_service().set_config(_existing(args.session_id), patch)
    )


@operation("memory.stats", "GET", "api/memory/stats")
def stats(args: OptionalSession) -> Stats:
    """Memory use of one session, or of every session that has memories: dialogs, index size, last hits."""
    service = _service()
    ids = [_existing(args.session_id)] if args.session_id else service.sessions_with_memories()
    titles = {s["id"]: s["title"] for s in _sessions().list()}
    return Stats(sessions=[{**service.stats(i), "title": titles.get(i)} for i in ids])


@operation("memory.list", "GET", "api/memory/sessions/{session_id}/memories")
def list_memories(args: SessionArg) -> Memories:
    """The dialogs a session's memory holds, newest first."""
    return Memories(memories=_service().list(_existing(args.session_id)))


@operation("memory.clear", "DELETE", "api/memory/sessions/{session_id}/memories")
def clear(args: SessionArg) -> Deleted:
    """Forget everything a session's memory holds (the conversation itself stays)."""
    return Deleted(deleted=_service().clear(_existing(args.session_id)))


@operation("memory.delete", "DELETE", "api/memory/sessions/{session_id}/memories/{memory_id}")
def delete(args: MemoryRef) -> Deleted:
    """Forget one stored memory."""
    _service().delete(_existing(args.session_id), args.memory_id)
    return Deleted(deleted=args.memory_id)


@operation("memory.cleanup", "POST", "api/memory/sessions/cleanup")
def cleanup(args: CleanupArgs) -> Deleted:
    """Delete chat sessions idle for longer than `max_age_minutes`, with their memory (ids of the deleted)."""
    return Deleted(deleted=_sessions().cleanup(args.max_age_minutes))
