"""Chat operations: sessions (list, create, branches, export/import, cleanup), knowledge documents, sources.

The turns themselves stream (api/streams.py); everything here answers at once.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..chat import cancel, knowledge, upstream
from ..chat.models import Attachment, ImportBody, SessionCreate, SessionPatch, SessionSettings, Source
from ..chat.service import ChatService
from ..chat.sessions import SessionStore
from ..errors import InvalidInput
from ..request_json import Name
from .registry import operation

SESSION_ID = r"^[A-Za-z0-9_-]{1,64}$"


class SessionSummary(BaseModel):
    id: str
    title: str
    settings: SessionSettings
    active_leaf_id: str | None
    created_at: float
    updated_at: float
    message_count: int
    user_message_count: int
    last_message: str | None
    context_length: int | None = None  # of the model the session's source serves (None: unknown)
    matches: list[dict[str, Any]] | None = None  # search results only: where the query was found


class Message(BaseModel):
    id: str
    session_id: str
    parent_id: str | None
    role: Literal["system", "user", "assistant"]
    content: str
    metadata: dict[str, Any]
    created_at: float
    sibling_ids: list[str] = []  # the alternatives at this point of the tree (edits, regenerations)
    sibling_index: int = 0


class Session(SessionSummary):
    messages: list[Message]  # the active branch


class Sessions(BaseModel):
    sessions: list[SessionSummary]


class ListArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(
        None, max_length=500, description="only sessions whose title or messages contain this"
    )


class SearchArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field("", max_length=500)


class SessionRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(pattern=SESSION_ID)


class UpdateArgs(SessionPatch, SessionRef):
    pass


class SwitchArgs(SessionRef):
    message_id: Name = Field(min_length=1, description="the message whose branch becomes the active one")


class ExportArgs(SessionRef):
    format: Literal["json", "markdown"] = "json"


class SessionExport(BaseModel):
    format: Literal["json"]
    version: int
    id: str
    title: str
    settings: dict[str, Any]
    active_leaf_id: str | None
    created_at: float
    updated_at: float
    messages: list[dict[str, Any]]  # the whole tree, every branch


class CleanupArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_age_minutes: float = Field(ge=0, description="delete sessions idle for longer than this")


class DeletedIds(BaseModel):
    deleted: list[str]


class KnowledgeDoc(BaseModel):
    name: str
    size: int
    modified: str  # ISO 8601, UTC
    chunks: int


class KnowledgeDocs(BaseModel):
    documents: list[KnowledgeDoc]


class KnowledgeText(BaseModel):
    """A knowledge document as JSON (the REST route also takes a multipart `file`)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255)
    text: str = Field(min_length=1)


class KnowledgeRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255)


class Sources(BaseModel, extra="allow"):
    """Where turns can go: the local engine and the cloud endpoint (never a key or a full URL)."""

    default: str
    local: dict[str, Any]
    cloud: dict[str, Any]


class BudgetArgs(SessionRef):
    content: str = Field("", max_length=200_000, description="the message as typed so far")
    context: list[Attachment] = Field(default_factory=list, max_length=20)
    source: Source | None = None
    model: Name | None = None


class BudgetPreview(BaseModel, extra="allow"):
    """The prompt's parts in tokens (system, history, memory, rag, context, user), `max_tokens` (the answer's room),
    the model's `context_length` (null when unknown), and — when they would be trimmed — `before` and `trimmed`."""

    max_tokens: int
    estimated: bool


class StopArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request_id: Name | None = None
    session_id: Name | None = None


class Stopped(BaseModel):
    stopped: list[str]  # request ids of the generations asked to stop


def _store():
    return SessionStore()


@operation("sessions.list", "GET", "api/chat/sessions")
def list_sessions(args: ListArgs) -> Sessions:
    """Chat sessions, newest activity first (with `q`: those that contain it)."""
    store = _store()
    return Sessions(sessions=store.search(args.q) if args.q is not None else store.list())


@operation("sessions.search", "GET", "api/chat/sessions/search")
def search(args: SearchArgs) -> Sessions:
    """Sessions whose title or any message contains `q` (case-insensitive), with matching snippets."""
    return Sessions(sessions=_store().search(args.q))


@operation("sessions.create", "POST", "api/chat/sessions", status=201)
def create(args: SessionCreate) -> SessionSummary:
    """A new, empty chat session."""
    return _store().create(args.title, args.settings)


@operation("sessions.import", "POST", "api/chat/sessions/import", status=201)
def import_session(args: ImportBody) -> Session:
    """A new session from an export: the whole tree from JSON, a linear chat from a Markdown transcript."""
    return _store().import_session(args)


@operation("sessions.cleanup", "POST", "api/chat/sessions/cleanup")
def cleanup(args: CleanupArgs) -> DeletedIds:
    """Delete sessions idle for longer than `max_age_minutes`, with their memory (ids of the deleted)."""
    return DeletedIds(deleted=_store().cleanup(args.max_age_minutes))


@operation("sessions.get", "GET", "api/chat/sessions/{session_id}")
def get(args: SessionRef) -> Session:
    """A session with the messages of its active branch."""
    return _store().get(args.session_id)


@operation("sessions.update", "PATCH", "api/chat/sessions/{session_id}")
def update(args: UpdateArgs) -> SessionSummary:
    """Rename a session or change its settings (system prompt, sampling, source, model, flow)."""
    return _store().update(args.session_id, args.title, args.settings)


@operation("sessions.delete", "DELETE", "api/chat/sessions/{session_id}", status=204)
def delete(args: SessionRef) -> None:
    """Delete a session, its messages and its memory."""
    _store().delete(args.session_id)


@operation("sessions.clear", "POST", "api/chat/sessions/{session_id}/clear")
def clear(args: SessionRef) -> SessionSummary:
    """Remove every message of a session (its settings stay)."""
    return _store().clear(args.session_id)


@operation("sessions.switch", "POST", "api/chat/sessions/{session_id}/switch")
def switch(args: SwitchArgs) -> Session:
    """Make the branch through `message_id` the active one (after an edit or a regeneration)."""
    return _store().switch_branch(args.session_id, args.message_id)


@operation("sessions.export", "GET", "api/chat/sessions/{session_id}/export", media_type="text/markdown")
def export(args: ExportArgs) -> SessionExport | str:
    """The session as JSON (every branch; importable) or as a Markdown transcript of the active branch."""
    return _store().export(args.session_id, args.format)


@operation("chat.budget", "POST", "api/chat/sessions/{session_id}/budget", blocking=True)
def budget(args: BudgetArgs) -> BudgetPreview:
    """The token budget a message would get if sent now (nothing is stored): what the composer shows."""
    return ChatService().budget_preview(
        args.session_id,
        args.content,
        [a.model_dump() for a in args.context],
        source=args.source,
        model=args.model,
    )


@operation("chat.stop", "POST", "api/chat/stop")
def stop(args: StopArgs) -> Stopped:
    """Stop a generation by the `x-request-id` of its answer, or every generation of a session."""
    if not args.request_id and not args.session_id:
        raise InvalidInput("give `request_id` or `session_id` of the generation to stop")
    return Stopped(stopped=cancel.stop(args.request_id, args.session_id))


@operation("chat.sources", "GET", "api/chat/sources", blocking=True)
def sources() -> Sources:
    """The local engine's and the cloud endpoint's state for the source picker (probes the cloud, ~2 s max)."""
    return upstream.sources_status()


@operation("knowledge.list", "GET", "api/chat/knowledge")
def knowledge_list() -> KnowledgeDocs:
    """The documents the chat's KnowledgeRAG step searches."""
    return KnowledgeDocs(documents=knowledge.list_documents())


@operation("knowledge.add", "POST", "api/chat/knowledge", status=201, upload="text")
def knowledge_add(args: KnowledgeText) -> KnowledgeDoc:
    """Add (or replace) a UTF-8 text/Markdown document."""
    return knowledge.add_document(args.name, args.text)


@operation("knowledge.delete", "DELETE", "api/chat/knowledge/{name}", status=204)
def knowledge_delete(args: KnowledgeRef) -> None:
    """Delete a knowledge document."""
    knowledge.delete_document(args.name)
