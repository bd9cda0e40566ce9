"""The sync→async bridge (`aio.run_sync`), values per event loop, and the pipeline's async upstream call
(`chat.llm`) against a small fake OpenAI upstream: tokens, usage, auto-fallback, cancel, sessions closed with
their loop."""

from __future__ import annotations

import asyncio
import json
import socket
import threading

import pytest

from sage_studio_lab import aio
from sage_studio_lab import openai_wire as wire


async def _double(x):
    await asyncio.sleep(0)
    return threading.current_thread().name, 2 * x


async def _fail():
    raise ValueError("boom")


def test_run_sync_without_and_inside_a_running_loop():
    assert aio.run_sync(_double(2)) == (threading.current_thread().name, 4)
    with pytest.raises(ValueError, match="boom"):
        aio.run_sync(_fail())

    async def cell():  # a notebook cell: a loop runs in this thread already
        return aio.run_sync(_double(3))

    name, value = asyncio.run(cell())
    assert value == 6 and name == "sage-run-sync"


def test_loop_scoped_values_are_closed_with_their_loop():
    closed = []

    async def aclose(value):
        closed.append(value)

    async def use():
        a = aio.loop_scoped("t", object, aclose)
        assert aio.loop_scoped("t", object, aclose) is a  # one per loop
        await asyncio.sleep(0)
        return a

    first, second = aio.run_sync(use()), aio.run_sync(use())
    assert first is not second and closed == [first, second]  # each loop's own, closed when it ended

    async def explicit():
        value = aio.loop_scoped("t", object, aclose)
        await asyncio.sleep(0)
        await aio.close_scoped("t")
        return value

    value = aio.run_sync(explicit())
    assert closed[-1] is value and len(closed) == 3  # closed once, not again when its loop ended


def test_sse_reader_and_chunk_delta():
    reader = wire.SSEReader()
    assert reader.feed(b'data: {"a"') == []
    assert reader.feed(b": 1}\n\n: comment\nevent: x\ndata: [DONE]\n\n") == [b'{"a": 1}', wire.DONE]
    d = wire.chunk_delta(b'{"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}')
    assert (d.text, d.finish_reason, d.usage, d.error) == ("Hi", None, None, None)
    d = wire.chunk_delta(b'{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}')
    assert d.usage == {"prompt_tokens": 3, "completion_tokens": 1} and d.text == ""
    assert wire.chunk_delta(b'{"error":{"message":"no"}}').error == {"message": "no"}


# -- the pipeline's upstream call -------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def upstream():
    """A fake OpenAI server: streams `pieces` (one every `delay` s), then usage and [DONE]."""
    from aiohttp import web

    state = {"pieces": ["Hel", "lo"], "delay": 0.0, "requests": []}

    async def chat(request):
        body = await request.json()
        state["requests"].append(body)
        if not body.get("stream"):
            return web.json_response({"choices": [{"message": {"content": "recall"}}]})
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        for piece in state["pieces"]:
            chunk = {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            await resp.write(wire.sse_event(chunk))
            await asyncio.sleep(state["delay"])
        await resp.write(wire.sse_event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
        await resp.write(
            wire.sse_event({"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 2}})
        )
        await resp.write(wire.SSE_DONE)
        return resp

    async def models(request):
        return web.json_response({"data": [{"id": "fake", "max_model_len": 4096}]})

    port, ready, loop = _free_port(), threading.Event(), asyncio.new_event_loop()

    def serve():
        app = web.Application()
        app.router.add_post("/v1/chat/completions", chat)
        app.router.add_get("/v1/models", models)
        runner = web.AppRunner(app)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    state["url"] = f"http://127.0.0.1:{port}/v1"
    yield state
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture
def routed(upstream, monkeypatch):
    """`local` is a dead port, `cloud` the fake server: `auto` must fall back."""
    from sage_studio_lab.chat import upstream as up

    monkeypatch.setenv(up.ENGINE_URL_ENV, f"http://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("SAGE_STUDIO_ENGINE_MODEL", "dead")
    monkeypatch.setenv("SAGE_CHAT_BASE_URL", upstream["url"])
    monkeypatch.setenv("SAGE_CHAT_MODEL", "fake")
    up.forget_local()
    return upstream


def test_stream_chat_falls_back_to_a_reachable_upstream(routed):
    from sage_studio_lab.chat.llm import complete_short, stream_chat

    tokens: list[str] = []
    c = aio.run_sync(
        stream_chat([{"role": "user", "content": "hi"}], "auto", None, {"max_tokens": 4}, tokens.append)
    )
    assert (c.text, tokens, c.tokens, c.finish_reason) == ("Hello", ["Hel", "lo"], 2, "stop")
    assert (c.source, c.tried, c.model) == ("cloud", ["local", "cloud"], "fake")
    assert (c.prompt_tokens, c.completion_tokens, c.context_length) == (5, 2, 4096)
    body = routed["requests"][-1]
    assert body["stream_options"] == {"include_usage": True} and body["max_tokens"] == 4
    assert aio.run_sync(complete_short([{"role": "user", "content": "x"}], "auto")) == "recall"
    assert routed["requests"][-1]["temperature"] == 0 and "stream" not in routed["requests"][-1]


def test_cancel_closes_the_stream_and_keeps_the_partial_answer(routed):
    from sage_studio_lab.chat import cancel as cancel_mod
    from sage_studio_lab.chat.llm import stream_chat

    routed.update(pieces=["a"] * 200, delay=0.01)
    c = cancel_mod.register()
    try:

        def on_token(_):
            if not c.is_set():
                threading.Timer(0.1, c.cancel).start()  # a stop from another thread

        result = aio.run_sync(
            stream_chat([{"role": "user", "content": "hi"}], "cloud", on_token=on_token, cancel=c)
        )
    finally:
        cancel_mod.unregister(c)
    assert result.cancelled and result.finish_reason == "cancelled" and 0 < result.tokens < 200
    assert c.source == "cloud" and result.text == "a" * result.tokens


def test_chat_turn_on_the_callers_loop_with_an_async_token_callback(routed):
    from sage_studio_lab.chat.service import ChatService
    from sage_studio_lab.chat.sessions import SessionStore

    sid = SessionStore().create("t")["id"]
    got: list[str] = []

    async def on_token(text):  # awaited before the next token, as an HTTP flush is
        await asyncio.sleep(0)
        got.append(text)

    async def turn():
        return await ChatService().asend(sid, "hello", source="cloud", on_token=on_token)

    message = asyncio.run(turn())
    assert message["content"] == "Hello" and got == ["Hel", "lo"]
    meta = message["metadata"]
    assert meta["source"] == "cloud" and meta["token_budget"]["prompt_tokens"] == 5
    assert set(meta["latency"]["steps"]) >= {
        "intent_router",
        "memory_loader",
        "prompt_builder",
        "llm_inference",
    }

    # the sync face runs the same coroutine, inside a running loop too (a notebook cell)
    async def cell():
        return ChatService().send(sid, "again", source="cloud")

    assert asyncio.run(cell())["content"] == "Hello"
    assert [m["role"] for m in SessionStore().get(sid)["messages"]] == ["user", "assistant"] * 2
    json.dumps(message)
