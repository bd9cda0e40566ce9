"""The arena's stream (`improve.arena`) of the widget transport: both answers' tokens as `{type: token, side,
text}` events, then the duel as the result. The pick and the list of duels come from the Studio API."""

from __future__ import annotations

import asyncio

from ..aio import run_sync, when_set
from ..api.improve import ArenaArgs
from ..api.registry import validate
from ..chat import arena
from ..chat import cancel as cancel_mod
from .transport import plain, widget_method


@widget_method("improve.arena", stream=True)
def improve_arena(widget, call=None, **args):
    body = validate(ArenaArgs, args)

    async def run() -> dict:
        cancellation = cancel_mod.register()
        # the widget's cancel flag -> both upstream streams closed
        watcher = asyncio.ensure_future(when_set(call.cancelled, cancellation.cancel))
        try:
            return await arena.duel(**body.model_dump(), on_event=call.emit, cancel=cancellation)
        finally:
            watcher.cancel()
            cancel_mod.unregister(cancellation)

    result = plain(run_sync(run()))
    if call.cancelled.is_set():
        return {"cancelled": True, **result}
    return result
