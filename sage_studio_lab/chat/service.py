"""`ChatService`: one chat turn through the Studio pipeline, callable from any process.

The turn runs the session's flow on the caller's event loop: the Jupyter server awaits `asend / aregenerate /
aedit` on its own loop (tokens go straight to the response); the notebook Chat widget (kernel), the magics and
the CLI call the sync `send / regenerate / edit`, which run the same coroutine through `run_sync`. The turn and
its metadata land in the shared store, so every face sees the same conversation.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable

from ..aio import run_sync
from ..errors import InvalidInput
from ..memory.service import MemoryService
from . import cancel as cancel_mod
from . import context as ctx
from . import pipeline as p
from . import upstream as up
from .sessions import SessionStore

FLOW_ID = "studio-chat"
# A token callback: plain, or async (awaited before the next token: an HTTP response's flush).
OnToken = Callable[[str], None | Awaitable[None]]


class ChatService:
    def __init__(self, user: str | None = None):
        self.user = user
        self.sessions = SessionStore(user)
        self.memory = MemoryService(user)

    # -- async: on the caller's loop -------------------------------------------------------------------
    async def asend(
        self,
        session_id: str,
        text: str,
        source: str | None = None,
        model: str | None = None,
        on_token: OnToken | None = None,
        cancel: cancel_mod.Cancellation | None = None,
        request_id: str | None = None,
        context: list[dict] | None = None,
    ) -> dict:
        """Add the user's message, answer it (streaming tokens to `on_token`), return the stored answer.
        `context`: notebook attachments (chat/context.py), kept on the user message and put in the prompt."""
        if not text or not text.strip():
            raise InvalidInput("the message is empty: type something to send")
        attached = ctx.checked(context)
        meta = {"context": attached} if attached else None
        user_msg = await asyncio.to_thread(self.sessions.add_message, session_id, "user", text, metadata=meta)
        return await self.answer(session_id, user_msg, source, model, on_token, cancel, request_id)

    async def aregenerate(
        self,
        session_id: str,
        source: str | None = None,
        model: str | None = None,
        on_token: OnToken | None = None,
        cancel: cancel_mod.Cancellation | None = None,
        request_id: str | None = None,
    ) -> dict:
        """A new answer to the last user message, as a sibling of the previous one."""
        user_msg = await asyncio.to_thread(self.sessions.last_user_message, session_id)
        return await self.answer(session_id, user_msg, source, model, on_token, cancel, request_id)

    async def acontinue(
        self,
        session_id: str,
        source: str | None = None,
        model: str | None = None,
        on_token: OnToken | None = None,
        cancel: cancel_mod.Cancellation | None = None,
        request_id: str | None = None,
    ) -> dict:
        """Go on from the last answer where it stopped (stopped by the user, or at max_tokens): the model continues
        its text (vLLM's `continue_final_message`) and the same message grows; `on_token` gets the new text."""
        stopped = await asyncio.to_thread(self.sessions.stopped_answer, session_id)
        user_msg = await asyncio.to_thread(self.sessions.message, stopped["parent_id"])
        return await self.answer(session_id, user_msg, source, model, on_token, cancel, request_id, stopped)

    async def aedit(
        self,
        session_id: str,
        message_id: str,
        content: str,
        generate: bool = True,
        source: str | None = None,
        model: str | None = None,
        on_token: OnToken | None = None,
        cancel: cancel_mod.Cancellation | None = None,
        request_id: str | None = None,
    ) -> dict:
        """Branch the conversation at a user message with new text (and answer it)."""
        new_user = await asyncio.to_thread(self.sessions.edit_user_message, session_id, message_id, content)
        if not generate:
            return new_user
        return await self.answer(session_id, new_user, source, model, on_token, cancel, request_id)

    # -- sync: the CLI, widgets, magics, scripts ----------------------------------------------------------
    def send(self, session_id: str, text: str, **kwargs) -> dict:
        """`asend` from sync code (in a notebook cell too)."""
        return run_sync(self.asend(session_id, text, **kwargs))

    def regenerate(self, session_id: str, **kwargs) -> dict:
        """`aregenerate` from sync code."""
        return run_sync(self.aregenerate(session_id, **kwargs))

    def continue_answer(self, session_id: str, **kwargs) -> dict:
        """`acontinue` from sync code."""
        return run_sync(self.acontinue(session_id, **kwargs))

    def edit(self, session_id: str, message_id: str, content: str, **kwargs) -> dict:
        """`aedit` from sync code."""
        return run_sync(self.aedit(session_id, message_id, content, **kwargs))

    def budget_preview(
        self,
        session_id: str,
        text: str,
        context: list[dict] | None = None,
        source: str | None = None,
        model: str | None = None,
    ) -> dict:
        """The token budget `text` would get if sent now: the turn's steps short of the model call (keyword intent,
        the memory window and recall, documents, attachments, the trimming), stored nowhere."""
        settings = self.sessions.settings(session_id)
        leaf = self.sessions.summary(session_id)["active_leaf_id"]
        turn = p.Turn(
            session_id=session_id,
            text=text,
            user_message_id="",
            parent_id=leaf,
            settings=settings,
            memory_config=self.memory.get_config(session_id),
        )
        turn.source, turn.model, turn.user = source or settings.source, model or settings.model, self.user
        turn.context = ctx.checked(context)
        turn.intent, turn.intent_match = p.keyword_intent(text)
        p.memory_loader(turn, self.sessions.path(session_id, leaf) if leaf else [], self.memory)
        p.knowledge_rag(turn)
        return p.prompt_builder(turn).token_budget

    # -- the pipeline --------------------------------------------------------------------------------
    async def answer(
        self,
        session_id: str,
        user_msg: dict,
        source: str | None,
        model: str | None,
        on_token: OnToken | None,
        cancel: cancel_mod.Cancellation | None,
        request_id: str | None,
        continuing: dict | None = None,
    ) -> dict:
        """Run the flow for `user_msg` and store its answer: a new message, or with `continuing` (a stopped
        answer) that message, grown by the continuation."""
        t0 = time.perf_counter()
        own_cancel = cancel is None
        cancel = cancel or cancel_mod.register(request_id, session_id)
        try:
            # Store reads/writes go to worker threads: SQLite may wait on another process's lock.
            turn, flow = await asyncio.to_thread(self._prepare, session_id, user_msg, source, model, cancel)
            turn.continue_text = continuing["content"] if continuing else None
            turn, run_id = await self._run_flow(flow, turn, on_token)
            metadata = _metadata(turn, cancel.request_id, t0)
            metadata["run_id"] = run_id  # the turn as a flow run: open it on the canvas
            if continuing:
                metadata = _continued(continuing["metadata"], metadata)
                return await asyncio.to_thread(
                    self.sessions.extend_answer, continuing["id"], turn.answer, metadata
                )
            return await asyncio.to_thread(
                self.sessions.add_message,
                session_id,
                "assistant",
                turn.answer,
                parent_id=user_msg["id"],
                metadata=metadata,
            )
        finally:
            await asyncio.to_thread(cancel.unwatch_store)
            if own_cancel:
                cancel_mod.unregister(cancel)

    def _prepare(self, session_id, user_msg, source, model, cancel):
        """The turn and the session's flow (the built-in studio-chat, or the user's edited copy)."""
        from ..flow import Flow

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
        turn.context = (user_msg.get("metadata") or {}).get("context") or []  # also on regenerate / continue
        turn.request_id, turn.user = cancel.request_id, self.user
        up.candidates(turn.source)  # fail fast, with the right status, when no model is reachable
        flow = Flow.from_store(settings.flow, self.user) if settings.flow else Flow.template(FLOW_ID)
        return turn, flow

    async def _run_flow(self, flow, turn: p.Turn, on_token: OnToken | None) -> tuple[p.Turn, str | None]:
        """Run the flow on this loop, passing its LLM tokens to `on_token` as they stream; the nodes hand the
        `Turn` object on, so the last one is the answered turn. The run is recorded (`chat:<session>`, without its
        token events; the newest `chat_turn_runs` are kept) so the turn opens on the canvas step by step."""
        from ..flow.repository import CHAT_RUN_PREFIX, FlowRepository
        from ..settings import get_settings

        keep = get_settings().chat_turn_runs
        last: dict = {}
        stream = flow.stream(
            {"turn": turn},
            record=keep > 0,
            record_tokens=False,
            flow_id=f"{CHAT_RUN_PREFIX}{turn.session_id}",
            user=self.user,
        )
        async for ev in stream:
            if ev["type"] == "token" and on_token is not None:
                sent = on_token(ev["token"])
                if inspect.isawaitable(sent):
                    await sent
            last = ev
        run_id = last.get("run_id") if keep > 0 else None
        if keep > 0:
            await asyncio.to_thread(FlowRepository(self.user).prune_chat_runs, keep)
        if last.get("status") != "succeeded":
            raise up.UpstreamError(
                f"the chat flow failed: {last.get('error')}", status=502, code="flow_failed"
            )
        finals = flow.last_outputs.get("turn") or []
        if finals:
            return p.Turn.from_dict(finals[-1]), run_id
        # an edited flow without the turn output: take its answer at least
        turn.answer = "".join(str(a) for a in flow.last_outputs.get("answer", [])[-1:])
        return turn, run_id


def _continued(before: dict, now: dict) -> dict:
    """A continued answer's metadata: this turn's (speed, source, `cancelled` only if stopped again), with the
    tokens of the whole answer and how many times it was continued."""
    tokens = (before.get("tokens") or 0) + (now.get("tokens") or 0)
    merged = {**now, "tokens": tokens, "continued": (before.get("continued") or 0) + 1}
    if not merged.get("cancelled"):  # complete now: no stopped marker
        merged.pop("cancelled", None)
        merged.pop("partial", None)
    return merged


def _metadata(turn: p.Turn, request_id: str, t0: float) -> dict:
    completion = turn.completion
    pre_llm = sum(v for k, v in turn.timings.items() if k != "llm_inference")
    return {
        "request_id": request_id,
        "flow": turn.settings.flow or FLOW_ID,
        "executor": "flow",
        "intent": turn.intent,
        "intent_match": turn.intent_match,
        "intent_method": turn.intent_method,
        "memory_backend": turn.memory_config.backend,
        "memory_hits": turn.memory_hits,
        "documents": turn.documents,
        "rag_used": turn.rag_used,
        "knowledge_sources": list(dict.fromkeys(d["document"] for d in turn.documents if "document" in d)),
        "token_budget": turn.token_budget,
        "source": completion.get("source"),
        "model": completion.get("model"),
        "tried": completion.get("tried"),
        "tokens": completion.get("tokens", 0),
        "completion_tokens": completion.get("completion_tokens"),
        "tok_s": completion.get("tok_s"),  # decode rate (llm.decode_rate), not tokens / request time
        "finish_reason": completion.get("finish_reason"),
        "cancelled": completion.get("cancelled", False),
        "partial": bool(completion.get("cancelled")) and bool(turn.answer),
        "context_length": turn.token_budget.get("context_length"),
        "memory_id": turn.memory_id,
        "latency": {
            "ttft_s": completion.get("ttft_s"),
            "llm_s": completion.get("latency_s"),
            "decode_s": completion.get("decode_s"),
            "pipeline_s": round(pre_llm, 4),
            "steps": turn.timings,
            "total_s": round(time.perf_counter() - t0, 4),
        },
    }
