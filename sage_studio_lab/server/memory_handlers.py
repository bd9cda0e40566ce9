"""Memory routes: config (defaults and per session), stats, stored memories, cleanup of old sessions."""

from __future__ import annotations

import tornado.web
from pydantic import ConfigDict, Field

from ..chat.sessions import SessionStore
from ..errors import InvalidInput, NotFound
from ..memory.config import BACKENDS, MemoryConfigPatch
from ..memory.service import MemoryService
from .base import StudioHandler
from .chat_handlers import SessionCleanupHandler

SID = r"(?P<session_id>[A-Za-z0-9_-]{1,64})"


class ConfigBody(MemoryConfigPatch):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(..., min_length=1, max_length=64)


def _session(session_id: str | None) -> str:
    if not session_id:
        raise InvalidInput("give ?session_id=… (the chat session)")
    if not SessionStore().exists(session_id):
        raise NotFound(f"chat session {session_id!r} not found")
    return session_id


class MemoryConfigHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self):
        session_id = self.get_query_argument("session_id", None)
        if session_id:
            _session(session_id)
        config = MemoryService().get_config(session_id)
        self.write_json({"session_id": session_id, "config": config.model_dump(), "backends": list(BACKENDS)})

    @tornado.web.authenticated
    def put(self):
        body = self.parse_body(ConfigBody)
        session_id = _session(body.session_id)
        patch = MemoryConfigPatch.model_validate(body.model_dump(exclude={"session_id"}, exclude_none=True))
        self.write_json(
            {"session_id": session_id, "config": MemoryService().set_config(session_id, patch).model_dump()}
        )


class MemoryStatsHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self):
        self.write_json(MemoryService().stats(_session(self.get_query_argument("session_id", None))))


class MemoriesHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self, session_id):
        self.write_json({"memories": MemoryService().list(_session(session_id))})

    @tornado.web.authenticated
    def delete(self, session_id):
        self.write_json({"deleted": MemoryService().clear(_session(session_id))})


class MemoryHandler(StudioHandler):
    @tornado.web.authenticated
    def delete(self, session_id, memory_id):
        MemoryService().delete(_session(session_id), int(memory_id))
        self.set_status(204)
        self.finish()


def routes():
    return [
        (r"api/memory/config", MemoryConfigHandler),
        (r"api/memory/stats", MemoryStatsHandler),
        (r"api/memory/sessions/cleanup", SessionCleanupHandler),  # same action, reachable from both panels
        (rf"api/memory/sessions/{SID}/memories", MemoriesHandler),
        (rf"api/memory/sessions/{SID}/memories/(?P<memory_id>[0-9]+)", MemoryHandler),
    ]
