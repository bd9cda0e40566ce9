"""Continue a stopped answer, against a real CPU engine (bundled model): the engine's `continue_final_message`
over HTTP (vLLM's fields and its 400), the chat core's continue turn growing the same message (its `cancelled`
dropped once complete), the REST route refusing an answer that did not stop, the repetition-guard default a turn
sends, and the decode rate (tok/s) in the turn's metadata."""

from __future__ import annotations

import json

import httpx
import pytest
from engine_procs import start_engine, wait_healthy

from sage_studio_lab.chat import cancel as cancel_mod
from sage_studio_lab.chat import upstream
from sage_studio_lab.chat.llm import decode_rate
from sage_studio_lab.chat.models import SessionSettings
from sage_studio_lab.chat.service import ChatService
from sage_studio_lab.chat.sessions import SessionStore
from sage_studio_lab.errors import InvalidInput

pytestmark = pytest.mark.slow
STORY = "Write a long story about a dragon who learns to bake bread."


@pytest.fixture(scope="module")
def engine_url(tmp_path_factory):
    log = tmp_path_factory.mktemp("engine") / "engine.log"
    proc, url = start_engine(log)
    try:
        wait_healthy(proc, url, log)
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.fixture
def local(engine_url, monkeypatch):
    monkeypatch.setenv(upstream.ENGINE_URL_ENV, engine_url)
    upstream.forget_local()
    yield engine_url
    upstream.forget_local()


def test_decode_rate_counts_tokens_after_the_first_over_their_interval():
    assert decode_rate(11, 2.0) == 5.0
    # a short answer behind a slow first token: the wait is TTFT, not speed
    assert decode_rate(3, 0.1) == 20.0
    assert decode_rate(1, 0.5) is None and decode_rate(0, None) is None and decode_rate(5, 0.0) is None


def test_engine_continues_the_last_assistant_message(engine_url):
    def ask(messages, **extra):
        body = {"messages": messages, "temperature": 0, "max_tokens": 24, **extra}
        return httpx.post(engine_url + "/v1/chat/completions", json=body, timeout=120)

    question = [{"role": "user", "content": "What is the capital of France?"}]
    full = ask(question).json()["choices"][0]["message"]["content"]
    assert "Paris" in full
    head = full[: full.index("Paris")].rstrip()
    resp = ask(
        [*question, {"role": "assistant", "content": head}],
        continue_final_message=True,
        add_generation_prompt=False,
    )
    assert resp.status_code == 200, resp.text
    rest = resp.json()["choices"][0]["message"]["content"]
    assert rest.lstrip().startswith("Paris"), rest  # it went on from the open message, not a new answer

    both = ask([*question, {"role": "assistant", "content": head}], continue_final_message=True)
    assert both.status_code == 400
    assert "continue_final_message" in both.json()["error"]["message"]


async def test_continue_turn_grows_the_stopped_answer(local):
    svc = ChatService()
    sid = svc.sessions.create("story", {"temperature": 0, "max_tokens": 48, "source": "local"})["id"]
    cancel = cancel_mod.register(session_id=sid)
    pieces: list[str] = []

    def stop_after_some(text: str) -> None:
        pieces.append(text)
        if len(pieces) == 6:
            cancel.cancel()

    try:
        stopped = await svc.asend(sid, STORY, on_token=stop_after_some, cancel=cancel)
    finally:
        cancel_mod.unregister(cancel)
    assert stopped["metadata"]["cancelled"] is True and stopped["content"]
    partial = stopped["content"]

    more: list[str] = []
    grown = await svc.acontinue(sid, on_token=more.append)
    assert grown["id"] == stopped["id"]  # the same message, no new one
    assert grown["content"] == partial + "".join(more) and len(more) > 3
    meta = grown["metadata"]
    assert "cancelled" not in meta and "partial" not in meta
    assert meta["continued"] == 1 and meta["finish_reason"] in ("stop", "length")
    assert meta["tokens"] >= stopped["metadata"]["tokens"] + len(more)
    assert meta["tok_s"] and meta["tok_s"] > 0 and meta["latency"]["decode_s"] > 0
    path = SessionStore().path(sid)
    assert [m["role"] for m in path] == ["user", "assistant"] and path[-1]["content"] == grown["content"]

    if meta["finish_reason"] == "stop":  # a complete answer has nothing to continue
        with pytest.raises(InvalidInput):
            await svc.acontinue(sid)


async def test_rest_continue_refuses_an_answer_that_did_not_stop(local, jp_fetch):
    from tornado.httpclient import HTTPClientError

    sid = SessionStore().create("done", {"temperature": 0, "max_tokens": 8})["id"]
    store = SessionStore()
    user = store.add_message(sid, "user", "Hi")
    store.add_message(sid, "assistant", "Hello!", parent_id=user["id"], metadata={"finish_reason": "stop"})
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch(
            "sage-studio", "api", "chat", "sessions", sid, "continue", method="POST", body=json.dumps({})
        )
    assert err.value.code == 400
    assert "nothing to continue" in json.loads(err.value.response.body)["message"]


async def test_a_turn_sends_the_repetition_guard_to_the_local_engine(local, monkeypatch):
    """The Studio default goes to the local engine only (OpenAI's API refuses vLLM's field); a session's own
    value goes to any source."""
    from sage_studio_lab.chat import gateway

    sent: list[tuple[str, dict]] = []
    real = gateway.client

    class Spy:
        async def post(self, url, data, headers):
            sent.append((url, json.loads(data)))
            return await real().post(url, data=data, headers=headers)

    monkeypatch.setattr(gateway, "client", Spy)
    monkeypatch.setenv("SAGE_CHAT_BASE_URL", local + "/v1")  # the same engine plays a cloud endpoint
    monkeypatch.setenv("SAGE_CHAT_MODEL", "SmolLM2-135M-Instruct")
    svc = ChatService()
    sid = svc.sessions.create("guard", {"temperature": 0, "max_tokens": 4, "source": "local"})["id"]
    await svc.asend(sid, "Hi")
    await svc.asend(sid, "Hi", source="cloud")
    svc.sessions.update(sid, settings=SessionSettings(repetition_penalty=1.3))
    await svc.asend(sid, "Hi again", source="cloud")
    bodies = [body for url, body in sent if url.endswith("/chat/completions")]
    assert [b.get("repetition_penalty") for b in bodies] == [1.1, None, 1.3]
    assert all("local_defaults" not in b and "continue_final_message" not in b for b in bodies)


def test_the_notebook_widget_continues_through_chat_send(local):
    """The widget transport's `chat.send {continue_answer: true}` (the same view, in a notebook)."""
    import threading

    from sage_studio_lab.widgets.chat_methods import send_turn

    store = SessionStore()
    sid = store.create("widget", {"temperature": 0, "max_tokens": 24, "source": "local"})["id"]
    user = store.add_message(sid, "user", "What is the capital of France?")
    stopped = store.add_message(
        sid,
        "assistant",
        "The capital of France",
        parent_id=user["id"],
        metadata={"cancelled": True, "partial": True, "tokens": 4},
    )
    events: list[dict] = []
    message = send_turn(sid, "", events.append, threading.Event(), continue_answer=True)
    tokens = "".join(e["text"] for e in events if e["type"] == "token")
    assert message["id"] == stopped["id"] and message["content"] == "The capital of France" + tokens
    assert "Paris" in tokens and "cancelled" not in message["metadata"]
    assert events[-1]["type"] == "done"
