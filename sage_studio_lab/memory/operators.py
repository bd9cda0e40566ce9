"""Flow operators of the memory area: MemoryLoader and MemorySaver of the `studio-chat` flow.

They work on a chat turn (the `chat.pipeline.Turn` object the previous node handed on) and run in worker
threads (a store read, embeddings, BM25), so the event loop stays free.
"""

from __future__ import annotations

from ..flow.registry import Operator, Port, register_operator


@register_operator
class MemoryLoader(Operator):
    """Recent dialogs (window) of the session + older memories recalled by its backend (vector / kv)."""

    type = "memory_loader"
    category = "memory"
    label = "Memory loader"
    icon = "brain"
    inputs = [Port("turn", "json")]
    outputs = [Port("turn", "json")]
    blocking = True

    def process(self, inputs, ctx):
        from ..chat import pipeline as p
        from ..chat.sessions import SessionStore
        from .service import MemoryService

        turn = p.Turn.from_dict(inputs["turn"])
        history = SessionStore(turn.user).path(turn.session_id, turn.parent_id) if turn.parent_id else []
        p.timed(turn, "memory_loader", p.memory_loader, turn, history, MemoryService(turn.user))
        return {"turn": turn}


@register_operator
class MemorySaver(Operator):
    """Store the finished dialog in the session's memory and record what this turn recalled."""

    type = "memory_saver"
    category = "memory"
    label = "Memory saver"
    icon = "save"
    inputs = [Port("turn", "json")]
    outputs = [Port("turn", "json")]
    blocking = True

    def process(self, inputs, ctx):
        from ..chat import pipeline as p
        from .service import MemoryService

        turn = p.Turn.from_dict(inputs["turn"])
        turn.memory_id = p.timed(
            turn, "memory_saver", p.memory_saver, turn, turn.answer, None, MemoryService(turn.user)
        )
        return {"turn": turn}
