"""`ChatService`: one chat turn through the Studio pipeline, callable from any process.

The gateway (Jupyter server), the notebook Chat widget (kernel) and the CLI all call
`ChatService().send(session_id, text, source=..., model=..., on_token=cb)`; the turn and its metadata land
in the shared store, so every face sees the same conversation.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..errors import InvalidInput
from ..memory.service import MemoryService
from . import cancel as cancel_mod
from . import pipeline as p
from .llm import stream_chat
from .sessions import SessionStore

FLOW_ID = "studio-chat"


class ChatService:
    def __init__(self, user: str | None = None):
        self.user = user
        self.sessions = SessionStore(user)
        self.memory = MemoryService(user)

    # -- public ----------------------------------------------------------------------------------------
    def send(self, session_id: str, text: str, source: str | None = None, model: str | None = None,
             on_token: Callable[[str], None] | None = None, cancel: cancel_mod.Cancellation | None = None,
             request_id: str | None = None) -> dict:
        """Add the user's message, answer it (streaming tokens to `on_token`), return the stored answer."""
        if not text or not text.strip():
            raise InvalidInput("the message is empty: type something to send")
        user_msg = self.sessions.add_message(session_id, "user", text)
        return self.answer(session_id, user_msg, source, model, on_token, cancel, request_id)

    def regenerate(self, session_id: str, source: str | None = None, model: str | None = None,
                   on_token: Callable[[str], None] | None = None, cancel: cancel_mod.Cancellation | None = None,
                   request_id: str | None = None) -> dict:
        """A new answer to the last user message, as a sibling of the previous one."""
        user_msg = self.sessions.last_user_message(session_id)
        return self.answer(session_id, user_msg, source, model, on_token, cancel, request_id)

    def edit(self, session_id: str, message_id: str, content: str, generate: bool = True,
             source: str | None = None, model: str | None = None,
             on_token: Callable[[str], None] | None = None, cancel: cancel_mod.Cancellation | None = None,
             request_id: str | None = None) -> dict:
        """Branch the conversation at a user message with new text (and answer it)."""
        new_user = self.sessions.edit_user_message(session_id, message_id, content)
        if not generate:
            return new_user
        return self.answer(session_id, new_user, source, model, on_token, cancel, request_id)

    # -- the pipeline --------------------------------------------------------------------------------
    def answer(self, session_id: str, user_msg: dict, source: str | None, model: str | None,
               on_token: Callable[[str], None] | None, cancel: cancel_mod.Cancellation | None,
               request_id: str | None) -> dict:
        t0 = time.perf_counter()
        own_cancel = cancel is None
        cancel = cancel or cancel_mod.register(request_id, session_id)
        try:
            settings = self.sessions.settings(session_id)
            turn = p.Turn(session_id=session_id, text=user_msg["content"], user_message_id=user_msg["id"],
                          parent_id=user_msg["parent_id"], settings=settings,
                          memory_config=self.memory.get_config(session_id))
            history = self.sessions.path(session_id, user_msg["parent_id"]) if user_msg["parent_id"] else []
            p.timed(turn, "intent_router", p.intent_router, turn)
            p.timed(turn, "memory_loader", p.memory_loader, turn, history, self.memory)
            p.timed(turn, "knowledge_rag", p.knowledge_rag, turn)
            p.timed(turn, "prompt_builder", p.prompt_builder, turn)
            pre_llm = time.perf_counter() - t0
            sampling = {"temperature": settings.temperature, "top_p": settings.top_p, "max_tokens": settings.max_tokens}
            completion = p.timed(turn, "llm_inference", stream_chat, turn.messages,
                                 source or settings.source, model or settings.model, sampling, on_token, cancel)
            metadata = {
                "request_id": cancel.request_id, "flow": settings.flow or FLOW_ID, "intent": turn.intent,
                "intent_match": turn.intent_match, "memory_backend": turn.memory_config.backend,
                "memory_hits": turn.memory_hits, "documents": turn.documents, "rag_used": turn.rag_used,
                "token_budget": turn.token_budget, "source": completion.source, "model": completion.model,
                "tried": completion.tried, "tokens": completion.tokens, "finish_reason": completion.finish_reason,
                "cancelled": completion.cancelled,
                "latency": {"ttft_s": completion.ttft_s, "llm_s": completion.latency_s,
                            "pipeline_s": round(pre_llm, 4), "steps": turn.timings},
            }
            assistant = self.sessions.add_message(session_id, "assistant", completion.text,
                                                  parent_id=user_msg["id"], metadata=metadata)
            t_save = time.perf_counter()
            memory_id = p.memory_saver(turn, completion.text, assistant["id"], self.memory)
            extra = {"memory_id": memory_id, "latency": {**metadata["latency"],
                                                         "memory_saver_s": round(time.perf_counter() - t_save, 4),
                                                         "total_s": round(time.perf_counter() - t0, 4)}}
            self.sessions.update_metadata(assistant["id"], extra)
            assistant["metadata"].update(extra)
            return assistant
        finally:
            if own_cancel:
                cancel_mod.unregister(cancel)
