"""Chat and session methods of the transport (`sessions.*`, `chat.*`), answered by the chat core in the kernel.

Sessions live in the store, so a conversation started here shows in the Lab chat panel and vice versa.
"""

from __future__ import annotations

from .transport import plain, rpc


def service():
    from ..chat import ChatService

    return ChatService()


def send_turn(session_id: str, content: str, emit, cancelled, source: str | None = None,
              model: str | None = None, parent_id: str | None = None, regenerate: bool = False) -> dict:
    """Run one chat turn, calling `emit(event)` for token/meta events; returns the stored assistant message."""
    svc = service()
    message = None
    for event in svc.stream(session_id, content, source=source, model=model, parent_id=parent_id,
                            regenerate=regenerate, cancel=cancelled):
        event = plain(event)
        if event.get("type") == "done":
            message = event.get("message")
        emit(event)
    return message or {}


class ChatApi:
    @rpc("sessions.list")
    def _sessions_list(self, q: str | None = None):
        return {"sessions": plain(service().list_sessions(q=q))}

    @rpc("sessions.create")
    def _sessions_create(self, title: str | None = None, settings: dict | None = None):
        return plain(service().create_session(title=title, settings=settings))

    @rpc("sessions.get")
    def _sessions_get(self, id: str):
        return plain(service().get_session(id))

    @rpc("sessions.update")
    def _sessions_update(self, id: str, title: str | None = None, settings: dict | None = None):
        return plain(service().update_session(id, title=title, settings=settings))

    @rpc("sessions.delete")
    def _sessions_delete(self, id: str):
        service().delete_session(id)
        return {"deleted": id}

    @rpc("sessions.export")
    def _sessions_export(self, id: str, format: str = "json"):
        return plain(service().export_session(id, format=format))

    @rpc("chat.sources")
    def _chat_sources(self):
        return plain(service().sources())

    @rpc("chat.models")
    def _chat_models(self):
        return plain(service().models())

    @rpc("chat.send", stream=True)
    def _chat_send(self, session_id: str, content: str, source: str | None = None, model: str | None = None,
                   parent_id: str | None = None, regenerate: bool = False, call=None):
        message = send_turn(session_id, content, call.emit, call.cancelled, source=source, model=model,
                            parent_id=parent_id, regenerate=regenerate)
        if call.cancelled.is_set():
            return {"cancelled": True, "message": message}
        return message
