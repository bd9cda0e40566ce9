"""Chat turns (`chat.send`, streamed) and `chat.models` of the widget transport; the session and knowledge
operations come from the Studio API.

Sessions live in the store, so a conversation started here shows in the Lab chat panel and vice versa.
"""

from __future__ import annotations

import asyncio
import threading

from ..aio import run_sync, when_set
from ..errors import InvalidInput
from .transport import plain, widget_method

SOURCES = ("auto", "local", "cloud")
NO_PARENT = object()  # `parent_id` absent (a plain new turn); None is a real value: branch at the root


def service():
    from ..chat.service import ChatService

    return ChatService()


def check_source(source: str | None) -> None:
    if source is not None and source not in SOURCES:
        raise InvalidInput(f"source must be one of {', '.join(SOURCES)}, not {source!r}")


def send_turn(
    session_id: str,
    content: str,
    emit,
    cancelled: threading.Event,
    source: str | None = None,
    model: str | None = None,
    parent_id=NO_PARENT,
    regenerate: bool = False,
    continue_answer: bool = False,
    context: list[dict] | None = None,
) -> dict:
    """Run one chat turn through the Studio pipeline, `emit`ting token events and a final meta event;
    returns the stored assistant message. Setting `cancelled` stops generation upstream."""
    from ..chat import cancel as cancel_mod

    check_source(source)
    svc = service()
    edited = None
    if not regenerate and parent_id is not NO_PARENT:
        # The contract names the parent of the new branch; the core edits the user message under it.
        edited = next(
            (
                m
                for m in svc.sessions.get(session_id)["messages"]
                if m["role"] == "user" and m.get("parent_id") == parent_id
            ),
            None,
        )
        if edited is None:
            raise InvalidInput(f"no user message under parent {parent_id!r} in the active branch to edit")

    def on_token(text: str) -> None:
        emit({"type": "token", "text": text})

    async def turn() -> dict:
        cancellation = cancel_mod.register(None, session_id)
        # the widget's cancel flag -> the chat core's cancellation (closes the upstream stream)
        watcher = asyncio.ensure_future(when_set(cancelled, cancellation.cancel))
        kwargs = {"source": source, "model": model, "on_token": on_token, "cancel": cancellation}
        try:
            if regenerate:
                return await svc.aregenerate(session_id, **kwargs)
            if continue_answer:
                return await svc.acontinue(session_id, **kwargs)
            if edited is not None:
                return await svc.aedit(session_id, edited["id"], content, **kwargs)
            return await svc.asend(session_id, content, context=context, **kwargs)
        finally:
            watcher.cancel()
            cancel_mod.unregister(cancellation)

    message = plain(run_sync(turn()))
    emit({"type": "meta", "metadata": message.get("metadata", {})})
    emit({"type": "done", "message": message})
    return message


@widget_method("chat.models")
def chat_models(widget) -> dict:
    """The models chat can use, as `GET v1/models` lists them (the gateway's own answer)."""
    from ..chat import gateway

    return run_sync(gateway.list_models())


@widget_method("chat.send", stream=True)
def chat_send(
    widget,
    session_id: str,
    content: str = "",
    source: str | None = None,
    model: str | None = None,
    parent_id=NO_PARENT,
    regenerate: bool = False,
    continue_answer: bool = False,
    context: list[dict] | None = None,
    call=None,
):
    message = send_turn(
        session_id,
        content,
        call.emit,
        call.cancelled,
        source=source,
        model=model,
        parent_id=parent_id,
        regenerate=regenerate,
        continue_answer=continue_answer,
        context=context,
    )
    widget.after_operation("chat.send")
    if call.cancelled.is_set():
        return {"cancelled": True, "message": message}
    return message


def kernel_context(names: list[str] | str | None, namespace: dict | None = None) -> list[dict]:
    """Attachments for `names` from this kernel: the notebook's namespace (default `__main__`, which is IPython's
    user namespace in a kernel) and its last exception."""
    import sys

    from ..chat.context import from_namespace

    if not names:
        return []
    if isinstance(names, str):
        names = names.split(",")
    ns = sys.modules["__main__"].__dict__ if namespace is None else namespace
    return from_namespace(list(names), ns, getattr(sys, "last_value", None))
