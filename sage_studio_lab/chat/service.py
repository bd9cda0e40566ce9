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
from . import upstream as up
from .llm import stream_chat
from .sessions import SessionStore

FLOW_ID = "studio-chat"


class ChatService:
    def __init__(self, user: str | None = None):
        self.user = user
        self.sessions = SessionStore(user)
        self.memory = MemoryService(user)

    # -- public ----------------------------------------------------------------------------------------
    def send(
        self,
        session_id: str,
        text: str,
        source: str | None = None,
        model: str | None = None,
        on_token: Callable[[str], None] | None = None,
        cancel: cancel_mod.Cancellation | None = None,
        request_id: str | None = None,
    ) -> dict:
        """Add the user's message, answer it (streaming tokens to `on_token`), return the stored answer."""
        if not text or not text.strip():
            raise InvalidInput("the message is empty: type something to send")
        user_msg = self.sessions.add_message(session_id, "user", text)
        return self.answer(session_id, user_msg, source, model, on_token, cancel, request_id)

    def regenerate(
        self,
        session_id: str,
        source: str | None = None,
        model: str | None = None,
        on_token: Callable[[str], None] | None = None,
        cancel: cancel_mod.Cancellation | None = None,
        request_id: str | None = None,
    ) -> dict:
        """A new answer to the last user message, as a sibling of the previous one."""
        user_msg = self.sessions.last_user_message(session_id)
        return self.answer(session_id, user_msg, source, model, on_token, cancel, request_id)

    def edit(
        self,
        session_id: str,
        message_id: str,
        content: str,
        generate: bool = True,
        source: str | None = None,
        model: str | None = None,
        on_token: Callable[[str], None] | None = None,
        cancel: cancel_mod.Cancellation | None = None,
        request_id: str | None = None,
    ) -> dict:
        """Branch the conversation at a user message with new text (and answer it)."""
        new_user = self.sessions.edit_user_message(session_id, message_id, content)
        if not generate:
            return new_user
        return self.answer(session_id, new_user, source, model, on_token, cancel, request_id)

    def _run_pipeline(self, turn: p.Turn, settings, on_token) -> tuple[p.Turn, dict, str]:
        """Run the session's flow (the built-in studio-chat, or the user's edited copy) on the flow
        runtime; without the flow runtime installed, run the same steps in-line."""
        try:
            from ..flow import Flow
        except ImportError:
            return self._run_steps(turn, on_token) + ("inline",)
        flow = Flow.from_store(settings.flow, self.user) if settings.flow else Flow.template(FLOW_ID)
        result = _run_flow(flow, {"turn": turn.to_dict()}, self.user, on_token)
        if result["status"] != "succeeded":
            raise up.UpstreamError(
                f"the chat flow failed: {result.get('error')}", status=502, code="flow_failed"
            )
        finals = result["outputs"].get("turn") or []
        if finals:
            turn = p.Turn.from_dict(finals[-1])
        else:  # an edited flow without the turn output: take its answer at least
            turn.answer = "".join(str(a) for a in result["outputs"].get("answer", [])[-1:])
        return turn, turn.completion, "flow"

    def _run_steps(self, turn: p.Turn, on_token) -> tuple[p.Turn, dict]:
        s = turn.settings
        history = self.sessions.path(turn.session_id, turn.parent_id) if turn.parent_id else []
        p.timed(turn, "intent_router", p.intent_router, turn)
        p.timed(turn, "memory_loader", p.memory_loader, turn, history, self.memory)
        p.timed(turn, "knowledge_rag", p.knowledge_rag, turn)
        p.timed(turn, "prompt_builder", p.prompt_builder, turn)
        completion = p.timed(
            turn,
            "llm_inference",
            stream_chat,
            turn.messages,
            turn.source,
            turn.model,
            {"temperature": s.temperature, "top_p": s.top_p, "max_tokens": s.max_tokens},
            on_token,
            cancel_mod.find(turn.request_id),
        )
        turn.answer, turn.completion = completion.text, completion.to_dict()
        p.account_usage(turn)
        turn.memory_id = p.timed(turn, "memory_saver", p.memory_saver, turn, turn.answer, None, self.memory)
        return turn, turn.completion

    # -- the pipeline --------------------------------------------------------------------------------
    def answer(
        self,
        session_id: str,
        user_msg: dict,
        source: str | None,
        model: str | None,
        on_token: Callable[[str], None] | None,
        cancel: cancel_mod.Cancellation | None,
        request_id: str | None,
    ) -> dict:
        t0 = time.perf_counter()
        own_cancel = cancel is None
        cancel = cancel or cancel_mod.register(request_id, session_id)
        try:
            cancel.watch_store(self.user)  # a stop request from another process reaches this turn
            settings = self.sessions.settings(session_id)
            turn = p.Turn(
                session_id=session_id,
                text=user_msg["content"],
                user_message_id=user_msg["id"],
                parent_id=user_msg["parent_id"],
                settings=settings,
                memory_config=self.memory.get_config(session_id),
            )
            turn.source, turn.model = source or settings.source, model or settings.model
            turn.request_id, turn.user = cancel.request_id, self.user
            up.candidates(turn.source)  # fail fast, with the right status, when no model is reachable
            turn, completion, executor = self._run_pipeline(turn, settings, on_token)
            pre_llm = sum(v for k, v in turn.timings.items() if k != "llm_inference")
            metadata = {
                "request_id": cancel.request_id,
                "flow": settings.flow or FLOW_ID,
                "executor": executor,
                "intent": turn.intent,
                "intent_match": turn.intent_match,
                "intent_method": turn.intent_method,
                "memory_backend": turn.memory_config.backend,
                "memory_hits": turn.memory_hits,
                "documents": turn.documents,
                "rag_used": turn.rag_used,
                "knowledge_sources": list(
                    dict.fromkeys(d["document"] for d in turn.documents if "document" in d)
                ),
                "token_budget": turn.token_budget,
                "source": completion.get("source"),
                "model": completion.get("model"),
                "tried": completion.get("tried"),
                "tokens": completion.get("tokens", 0),
                "finish_reason": completion.get("finish_reason"),
                "cancelled": completion.get("cancelled", False),
                "partial": bool(completion.get("cancelled")) and bool(turn.answer),
                "context_length": turn.token_budget.get("context_length"),
                "memory_id": turn.memory_id,
                "latency": {
                    "ttft_s": completion.get("ttft_s"),
                    "llm_s": completion.get("latency_s"),
                    "pipeline_s": round(pre_llm, 4),
                    "steps": turn.timings,
                    "total_s": round(time.perf_counter() - t0, 4),
                },
            }
            return self.sessions.add_message(
                session_id, "assistant", turn.answer, parent_id=user_msg["id"], metadata=metadata
            )
        finally:
            cancel.unwatch_store()
            if own_cancel:
                cancel_mod.unregister(cancel)


def _run_flow(flow, inputs: dict, user: str | None, on_token) -> dict:
    """Run `flow` to the end, passing its LLM tokens to `on_token` as they stream. Works from a thread
    without an event loop (server turn pool, CLI) and from a notebook cell (a loop already runs there)."""
    import asyncio
    import threading

    async def consume() -> dict:
        last: dict = {}
        async for ev in flow.stream(inputs, record=False, user=user):
            if ev["type"] == "token" and on_token is not None:
                on_token(ev["token"])
            last = ev
        return last

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(consume())
    box: dict = {}

    def target():
        try:
            box["r"] = asyncio.run(consume())
        except BaseException as exc:
            box["e"] = exc

    thread = threading.Thread(target=target, name="sage-chat-flow")
    thread.start()
    thread.join()
    if "e" in box:
        raise box["e"]
    return box["r"]
