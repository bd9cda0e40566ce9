"""The gateway in front of real engines (bundled model), behind a real Jupyter server.

Two CPU engine processes are shared by the whole module: one plays the local engine, the other a cloud
OpenAI-compatible endpoint. The `openai` client talks to the gateway with the Jupyter token.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import openai
import pytest
from engine_procs import engine_pair, start_engine

from sage_studio_lab.chat import cancel as cancel_mod
from sage_studio_lab.chat import upstream
from sage_studio_lab.chat.sessions import SessionStore
from sage_studio_lab.memory.service import MemoryService

pytestmark = pytest.mark.slow
QUESTION = [{"role": "user", "content": "What is the capital of France?"}]
ESSAY = [{"role": "user", "content": "Write a very long essay about the history of Rome."}]
# Both engines require a key (vLLM's --api-key): every request of the gateway must carry the right one.
KEYS = {"local": "local-engine-key", "cloud": "sk-secret-cloud-key"}


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    with engine_pair(tmp_path_factory.mktemp("engines"), KEYS) as urls:
        yield urls


@pytest.fixture
def routed(engines, monkeypatch):
    """Local = the first engine, cloud = the second (with a key that must never leak)."""
    monkeypatch.setenv(upstream.ENGINE_URL_ENV, engines["local"])
    monkeypatch.setenv(upstream.ENGINE_KEY_ENV, KEYS["local"])
    monkeypatch.setenv("SAGE_CHAT_BASE_URL", engines["cloud"] + "/v1")
    monkeypatch.setenv("SAGE_CHAT_API_KEY", "sk-secret-cloud-key")
    monkeypatch.setenv("SAGE_CHAT_MODEL", "SmolLM2-135M-Instruct")
    upstream.forget_local()
    yield engines
    upstream.forget_local()


@pytest.fixture
def client(jp_serverapp, jp_fetch, jp_base_url, jp_http_port):
    # jp_fetch makes pytest-jupyter start serving on jp_http_port (without it the port only listens).
    base = f"http://localhost:{jp_http_port}{jp_base_url}sage-studio/v1"
    return openai.AsyncOpenAI(base_url=base, api_key=jp_serverapp.identity_provider.token, max_retries=0)


async def no_request_active(within_s: float = 5.0) -> None:
    import asyncio

    for _ in range(int(within_s * 10)):
        if not cancel_mod.active():
            return
        await asyncio.sleep(0.1)
    assert cancel_mod.active() == []


async def test_openai_client_streams_through_gateway(routed, client):
    raw = await client.chat.completions.with_raw_response.create(
        model="SmolLM2-135M-Instruct", messages=QUESTION, stream=True, max_tokens=12, temperature=0
    )
    assert raw.headers["x-sage-source"] == "local"
    pieces, final = [], None
    async for chunk in raw.parse():
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        final = chunk
    assert len(pieces) > 3  # real tokens, one event each
    assert "Paris" in "".join(pieces)
    assert (
        final.model_extra["x_sage"]["source"] == "local" and final.model_extra["x_sage"]["complete"] is True
    )

    done = await client.chat.completions.create(
        model="default", messages=QUESTION, max_tokens=12, temperature=0
    )
    assert "Paris" in done.choices[0].message.content
    assert done.model_extra["x_sage"]["source"] == "local"

    models = await client.models.list()
    sources = {m.model_extra["x_sage_source"] for m in models.data}
    assert sources == {"local", "cloud"}
    assert "sk-secret" not in json.dumps([m.model_dump() for m in models.data])


async def test_streams_reuse_one_pooled_connection_to_the_engine(routed, client):
    """The relay reads each upstream body to its end, so back-to-back streams share one keep-alive
    connection (a new TCP connection per request would add to every time-to-first-token). The server runs in
    this process: its TCP connections to the engine's port are this process's."""
    import psutil

    port = int(routed["local"].rsplit(":", 1)[1])

    def engine_connections() -> set[int]:  # local ports of this process's open connections to the engine
        return {
            c.laddr.port
            for c in psutil.Process().net_connections(kind="tcp")
            if c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED
        }

    earlier = engine_connections()  # kept alive by earlier tests' event loops: not this test's
    seen = []
    for _ in range(4):
        stream = await client.chat.completions.create(
            model="default", messages=QUESTION, stream=True, max_tokens=4, extra_body={"source": "local"}
        )
        assert [c async for c in stream]
        seen.append(engine_connections() - earlier)
    assert all(len(ports) == 1 for ports in seen), seen  # one connection throughout ...
    assert len(set().union(*seen)) == 1, seen  # ... the same one for every request


async def test_bearer_and_token_headers_both_work(routed, client, jp_serverapp, jp_base_url, jp_http_port):
    token = jp_serverapp.identity_provider.token
    url = f"http://localhost:{jp_http_port}{jp_base_url}sage-studio/v1/models"
    async with httpx.AsyncClient() as http:
        for header in (f"Bearer {token}", f"token {token}"):
            assert (await http.get(url, headers={"Authorization": header})).status_code == 200
    async with httpx.AsyncClient() as fresh:  # no login cookie from the requests above
        assert (await fresh.get(url, headers={"Authorization": "Bearer wrong"})).status_code == 403


async def test_auto_falls_back_to_cloud_when_local_engine_is_stopped(routed, client, monkeypatch):
    # A second engine instance that is stopped: its port no longer answers.
    proc, url = start_engine(os.devnull)
    proc.terminate()
    proc.wait(timeout=30)
    monkeypatch.setenv(upstream.ENGINE_URL_ENV, url)
    upstream.forget_local()
    raw = await client.chat.completions.with_raw_response.create(
        model="default", messages=QUESTION, stream=True, max_tokens=8, extra_body={"source": "auto"}
    )
    assert raw.headers["x-sage-source"] == "cloud"
    chunks = [c async for c in raw.parse()]
    assert chunks[-1].model_extra["x_sage"]["source"] == "cloud"
    assert chunks[-1].model_extra["x_sage"]["tried"] == ["local", "cloud"]
    # `local` alone now fails fast with a clear OpenAI-style error, no hang.
    with pytest.raises(openai.APIStatusError) as err:
        await client.chat.completions.create(
            model="default", messages=QUESTION, extra_body={"source": "local"}
        )
    assert err.value.status_code == 502 and "unreachable" in err.value.message


async def test_an_engine_dying_mid_stream_ends_the_stream_with_an_error(
    routed, client, monkeypatch, tmp_path
):
    """The model server is killed while it streams: the client gets an OpenAI-style error event, never a hang."""
    from engine_procs import wait_healthy

    proc, url = start_engine(tmp_path / "engine.log")
    try:
        wait_healthy(proc, url, tmp_path / "engine.log")
        monkeypatch.setenv(upstream.ENGINE_URL_ENV, url)
        upstream.forget_local()
        stream = await client.chat.completions.create(
            model="default", messages=QUESTION, stream=True, max_tokens=400, extra_body={"source": "local"}
        )
        pieces = []
        with pytest.raises(openai.APIError) as err:
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    pieces.append(chunk.choices[0].delta.content)
                    if len(pieces) == 2:
                        proc.kill()
        assert len(pieces) >= 2 and "stopped sending" in str(err.value)
    finally:
        proc.kill()
        proc.wait(30)


async def test_upstream_errors_map_to_openai_errors(routed, client, monkeypatch):
    with pytest.raises(openai.BadRequestError) as err:
        await client.chat.completions.create(
            model="no-such-adapter", messages=QUESTION, extra_body={"source": "local"}
        )
    assert "no-such-adapter" in err.value.message
    monkeypatch.delenv("SAGE_CHAT_BASE_URL")
    with pytest.raises(openai.APIStatusError) as err:
        await client.chat.completions.create(model="x", messages=QUESTION, extra_body={"source": "cloud"})
    assert err.value.status_code == 503 and "SAGE_CHAT_BASE_URL" in err.value.message
    assert "sk-secret" not in err.value.response.text


async def test_stop_mid_stream_cancels_upstream(routed, client, jp_fetch):
    raw = await client.chat.completions.with_raw_response.create(
        model="default",
        messages=[{"role": "user", "content": "Write a very long story about a dragon."}],
        stream=True,
        max_tokens=400,
        temperature=0,
    )
    request_id = raw.headers["x-request-id"]
    stream = raw.parse()
    got = 0
    final = None
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            got += 1
            if got == 3:
                resp = await jp_fetch(
                    "sage-studio",
                    "v1",
                    "chat",
                    "stop",
                    method="POST",
                    body=json.dumps({"request_id": request_id}),
                )
                assert json.loads(resp.body)["stopped"] == [request_id]
        final = chunk
    assert (
        final.model_extra["x_sage"]["cancelled"] is True and final.model_extra["x_sage"]["complete"] is False
    )
    assert got < 100
    await no_request_active()  # the handler forgets the request as it ends


async def test_stop_during_the_prefill_by_the_request_id_of_the_headers(routed, client, jp_fetch):
    """The gateway sends its headers as soon as the engine accepted: a client can stop a long prefill by the
    `x-request-id` they carry, before any token."""
    story = " ".join(
        f"Chapter {i}: the dragon flew over the hills and rivers of the north." for i in range(40)
    )
    raw = await client.chat.completions.with_raw_response.create(
        model="default",
        messages=[{"role": "user", "content": story + " Continue the story."}],
        stream=True,
        max_tokens=50,
    )
    request_id = raw.headers["x-request-id"]
    resp = await jp_fetch(
        "sage-studio", "v1", "chat", "stop", method="POST", body=json.dumps({"request_id": request_id})
    )
    assert json.loads(resp.body)["stopped"] == [request_id]
    chunks = [chunk async for chunk in raw.parse()]
    assert not any(c.choices and c.choices[0].delta.content for c in chunks)  # stopped before the first token
    assert chunks[-1].model_extra["x_sage"]["cancelled"] is True
    await no_request_active()  # the handler forgets the request as it ends


async def test_client_disconnect_cancels(routed, client):
    stream = await client.chat.completions.create(
        model="default",
        messages=[{"role": "user", "content": "Count from one to one hundred."}],
        stream=True,
        max_tokens=300,
    )
    n = 0
    async for _chunk in stream:
        n += 1
        if n == 3:
            break
    await stream.close()
    await no_request_active()  # the server notices the closed connection and forgets the request


async def test_session_pipeline_recalls_turn_one_fact_in_turn_five(routed, client, jp_fetch):
    store = SessionStore()
    sid = store.create("memory", {"max_tokens": 12, "temperature": 0})["id"]
    await jp_fetch(
        "sage-studio",
        "api",
        "memory",
        "config",
        method="PUT",
        body=json.dumps({"session_id": sid, "backend": "vector", "window": 2, "top_k": 2}),
    )
    turns = [
        "My secret code word is pineapple-42. Please remember it.",
        "What is the capital of France?",
        "Name a colour.",
        "What is two plus two?",
        "What was my secret code word?",
    ]
    for text in turns:
        raw = await client.chat.completions.with_raw_response.create(
            model="default",
            messages=[{"role": "user", "content": text}],
            stream=True,
            extra_body={"session_id": sid, "source": "local"},
        )
        assert raw.headers["x-sage-source"] == "local"
        chunks = [c async for c in raw.parse()]
    sage = chunks[-1].model_extra["x_sage"]
    meta = sage["metadata"]
    assert sage["session_id"] == sid and meta["source"] == "local" and meta["intent"] == "recall"
    assert "pineapple-42" in meta["memory_hits"][0]["text"] and meta["memory_hits"][0]["score"] > 0.3
    assert meta["token_budget"]["memory"] > 0 and meta["latency"]["ttft_s"] > 0 and meta["tokens"] > 0
    # Window 2: turn 1 is no longer in the history, so it reached the prompt only through vector memory.
    assert meta["token_budget"]["history"] > 0
    session = store.get(sid)
    assert len(session["messages"]) == 10 and session["messages"][-1]["metadata"]["memory_hits"]
    stats = MemoryService().stats(sid)
    assert stats["dialogs"] == 5 and stats["vector_count"] == 5 and stats["backend"] == "vector"
    assert stats["last_hits"][0]["text"].startswith("User: My secret code word")
    assert set(stats["token_budget"]) >= {"system", "memory", "rag", "history"}
    resp = await jp_fetch("sage-studio", "api", "memory", "stats", params={"session_id": sid})
    assert json.loads(resp.body)["sessions"][0]["usage_percent"] == 100.0


async def test_rest_turn_regenerate_and_edit(routed, jp_fetch):
    sid = SessionStore().create("rest", {"max_tokens": 8, "temperature": 0})["id"]
    first = json.loads(
        (
            await jp_fetch(
                "sage-studio",
                "api",
                "chat",
                "sessions",
                sid,
                "messages",
                method="POST",
                body=json.dumps({"content": "Say hello."}),
            )
        ).body
    )
    assert first["role"] == "assistant" and first["metadata"]["source"] == "local"
    assert first["metadata"]["executor"] == "flow" and first["metadata"]["flow"] == "studio-chat"
    again = json.loads(
        (
            await jp_fetch(
                "sage-studio",
                "api",
                "chat",
                "sessions",
                sid,
                "regenerate",
                method="POST",
                body=json.dumps({"source": "cloud"}),
            )
        ).body
    )
    assert again["parent_id"] == first["parent_id"] and again["metadata"]["source"] == "cloud"
    resp = await jp_fetch(
        "sage-studio",
        "api",
        "chat",
        "sessions",
        sid,
        "messages",
        first["parent_id"],
        "edit",
        method="POST",
        body=json.dumps({"content": "Say goodbye."}),
    )
    edited = json.loads(resp.body)
    session = SessionStore().get(sid)
    assert [m["content"] for m in session["messages"]][0] == "Say goodbye."
    assert session["messages"][-1]["id"] == edited["id"] and len(session["messages"][0]["sibling_ids"]) == 2
    # Streaming over REST: token events then the stored message.
    resp = await jp_fetch(
        "sage-studio",
        "api",
        "chat",
        "sessions",
        sid,
        "messages",
        method="POST",
        body=json.dumps({"content": "And now?", "stream": True}),
    )
    events = [json.loads(line[6:]) for line in resp.body.decode().splitlines() if line.startswith("data: ")]
    assert events[0]["type"] == "start" and events[-1]["type"] == "done"
    assert "".join(e["text"] for e in events if e["type"] == "token") == events[-1]["message"]["content"]


async def test_session_runs_the_users_edited_copy_of_the_flow(routed, jp_fetch):
    from sage_studio_lab.flow import Flow
    from sage_studio_lab.flow.repository import FlowRepository

    # The user's copy drops the MemorySaver: the LLM's turn goes straight to the result.
    spec = Flow.template("studio-chat").spec.model_copy(deep=True)
    spec.name = "My chat (no memory)"
    spec.nodes = [n for n in spec.nodes if n.id != "saver"]
    spec.edges = [e for e in spec.edges if "saver" not in (e.source, e.target)]
    spec.edges.append(
        type(spec.edges[0])(
            id="llm.turn->result.in", source="llm", sourceHandle="turn", target="result", targetHandle="in"
        )
    )
    flow_id = FlowRepository().create(spec)["id"]
    sid = SessionStore().create("custom", {"max_tokens": 6, "flow": flow_id})["id"]
    resp = await jp_fetch(
        "sage-studio",
        "api",
        "chat",
        "sessions",
        sid,
        "messages",
        method="POST",
        body=json.dumps({"content": "Hello!"}),
    )
    answer = json.loads(resp.body)
    assert answer["metadata"]["flow"] == flow_id and answer["metadata"]["executor"] == "flow"
    assert answer["content"] and MemoryService().stats(sid)["dialogs"] == 0


def test_cli_chat_streams_and_stores_in_a_session(routed, studio_home):
    env = {**os.environ}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sage_studio_lab",
            "chat",
            "What is the capital of France?",
            "--new",
            "cli",
            "--max-tokens",
            "12",
            "--temperature",
            "0",
            "--source",
            "local",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "Paris" in out.stdout and "[local · SmolLM2-135M-Instruct" in out.stderr
    (session,) = SessionStore().list()
    assert session["title"] == "cli" and session["message_count"] == 2
    out = subprocess.run(
        [sys.executable, "-m", "sage_studio_lab", "chat", "hi", "--source", "cloud"],
        env={**env, "SAGE_CHAT_BASE_URL": ""},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 1 and "no cloud endpoint configured" in out.stderr


# -- the client connection stays alive -----------------------------------------------------------------------
class RawClient:
    """One keep-alive HTTP/1.1 connection, parsed by h11: shows which requests shared it."""

    def __init__(self, port: int, token: str):
        import socket

        import h11

        self.h11, self.token = h11, token
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.conn = h11.Connection(h11.CLIENT)

    def request(self, method: str, target: str, body: dict | None = None) -> tuple[int, dict, bytes]:
        h11 = self.h11
        data = json.dumps(body).encode() if body is not None else b""
        headers = [("Host", "localhost"), ("Authorization", f"token {self.token}")]
        headers.append(("Content-Length", str(len(data))))
        if self.conn.our_state is h11.DONE:
            self.conn.start_next_cycle()
        self.sock.sendall(self.conn.send(h11.Request(method=method, target=target, headers=headers)))
        self.sock.sendall(self.conn.send(h11.Data(data=data)) + self.conn.send(h11.EndOfMessage()))
        status, out, got = None, {}, b""
        while True:
            event = self.conn.next_event()
            if event is h11.NEED_DATA:
                self.conn.receive_data(self.sock.recv(65536))
            elif isinstance(event, h11.Response):
                status = event.status_code
                out = {k.decode().lower(): v.decode() for k, v in event.headers}
            elif isinstance(event, h11.Data):
                got += event.data
            elif isinstance(event, h11.EndOfMessage):
                return status, out, got

    def close(self):
        self.sock.close()


def sse_events(body: bytes) -> list:
    lines = [line[6:] for line in body.split(b"\n") if line.startswith(b"data: ")]
    return [line.decode() if line == b"[DONE]" else json.loads(line) for line in lines]


def chat_body(**extra) -> dict:
    return {
        "model": "default",
        "messages": QUESTION,
        "stream": True,
        "max_tokens": 8,
        "temperature": 0,
        **extra,
    }


async def test_streamed_answers_keep_the_client_connection_alive(
    routed, jp_serverapp, jp_fetch, jp_base_url, jp_http_port
):
    """A relayed stream ends as a complete chunked response: the same connection then carries the next
    streamed answer and other requests."""
    import asyncio

    raw = RawClient(jp_http_port, jp_serverapp.identity_provider.token)
    try:
        for _ in range(2):
            url = f"{jp_base_url}sage-studio/v1/chat/completions"
            status, headers, body = await asyncio.to_thread(raw.request, "POST", url, chat_body())
            assert status == 200 and headers["x-sage-source"] == "local" and headers["x-request-id"]
            assert headers["content-type"].startswith("text/event-stream")
            events = sse_events(body)
            assert events[0]["choices"][0]["delta"]["role"] == "assistant"  # the engine's events, unchanged
            text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events[:-2] if e["choices"])
            assert "Paris" in text
            sage = events[-2]["x_sage"]
            assert sage["complete"] is True and sage["request_id"] == headers["x-request-id"]
            assert events[-1] == "[DONE]"
        status, _, body = await asyncio.to_thread(raw.request, "GET", f"{jp_base_url}sage-studio/v1/models")
        assert status == 200 and json.loads(body)["object"] == "list"  # the same connection
    finally:
        raw.close()


async def test_a_streamed_request_the_engine_refuses_gets_the_gateway_error(routed, client):
    with pytest.raises(openai.BadRequestError) as err:
        await client.chat.completions.create(
            model="no-such-adapter", messages=QUESTION, stream=True, extra_body={"source": "local"}
        )
    assert (
        "the local model server answered 400" in err.value.message and "no-such-adapter" in err.value.message
    )


async def engine_metric(url: str, name: str) -> float:
    async with httpx.AsyncClient() as http:  # /metrics needs no key, as in vLLM
        text = (await http.get(f"{url}/metrics", timeout=10)).text
    return sum(float(ln.rsplit(" ", 1)[1]) for ln in text.splitlines() if ln.startswith(name + "{"))


async def until_running(url: str, n: int, within_s: float = 20.0) -> None:
    import asyncio

    for _ in range(int(within_s * 10)):
        if await engine_metric(url, "vllm:num_requests_running") == n:
            return
        await asyncio.sleep(0.1)
    assert await engine_metric(url, "vllm:num_requests_running") == n


async def test_an_external_engine_refuses_the_gateway_without_its_key(routed, client, monkeypatch):
    assert (await client.models.list()).data  # with the key from SAGE_STUDIO_ENGINE_API_KEY
    async with httpx.AsyncClient() as http:
        assert (await http.get(routed["local"] + "/v1/models", timeout=10)).status_code == 401
    monkeypatch.setenv(upstream.ENGINE_KEY_ENV, "wrong-key")
    upstream.forget_local()
    with pytest.raises(openai.AuthenticationError) as err:
        await client.chat.completions.create(
            model="default", messages=QUESTION, extra_body={"source": "local"}
        )
    assert "answered 401" in err.value.message and "wrong-key" not in err.value.response.text


@pytest.mark.parametrize("session", [False, True], ids=["relayed", "session-turn"])
async def test_a_non_streamed_request_stops_generating_when_its_client_leaves(routed, client, session):
    """The client hangs up while the engine generates a non-streamed answer: the gateway closes its upstream
    request and the engine stops, long before the 400 tokens asked for."""
    import asyncio

    local = routed["local"]
    extra = {"source": "local"}
    if session:
        extra["session_id"] = SessionStore().create("gone", {"max_tokens": 400, "temperature": 0})["id"]
    before = await engine_metric(local, "vllm:generation_tokens_total")
    request = asyncio.ensure_future(
        client.chat.completions.create(
            model="default", messages=ESSAY, max_tokens=400, temperature=0, extra_body=extra
        )
    )
    await until_running(local, 1)
    request.cancel()  # closes the client's connection to the gateway
    await until_running(local, 0, within_s=5)
    assert await engine_metric(local, "vllm:generation_tokens_total") - before < 400
    await no_request_active()


async def test_rest_turn_with_notebook_context(routed, jp_fetch):
    """The Lab chat panel's attachments (selected cells, a cell's output) ride with the message (#21)."""
    sid = SessionStore().create("ctx", {"max_tokens": 8, "temperature": 0})["id"]
    body = {
        "content": "What does this cell do?",
        "context": [{"kind": "cell", "name": "cell 3", "text": "```python\nprint(sum(range(10)))\n```"}],
    }
    resp = await jp_fetch(
        "sage-studio", "api", "chat", "sessions", sid, "messages", method="POST", body=json.dumps(body)
    )
    answer = json.loads(resp.body)
    assert answer["metadata"]["token_budget"]["context"] > 0
    user = SessionStore().get(sid)["messages"][0]
    assert user["metadata"]["context"] == body["context"]
    bad = {"content": "x", "context": [{"kind": "file", "name": "a", "text": "b"}]}
    resp = await jp_fetch(
        "sage-studio",
        "api",
        "chat",
        "sessions",
        sid,
        "messages",
        method="POST",
        body=json.dumps(bad),
        raise_error=False,
    )
    assert resp.code == 400 and len(SessionStore().get(sid)["messages"]) == 2  # nothing stored


async def test_a_chat_turn_is_a_recorded_run_of_the_chat_flow(routed, jp_fetch, monkeypatch):
    """Chat turns are flow runs (#21): each turn is recorded (flow_id `chat:<session>`, no token events) with every
    step's outputs — the final prompt included — and opens like any run; the newest `chat_turn_runs` are kept; the
    canvas history of flows does not list them."""
    from sage_studio_lab.flow.repository import FlowRepository
    from sage_studio_lab.settings import get_settings

    monkeypatch.setattr(get_settings(), "chat_turn_runs", 2)
    sid = SessionStore().create("runs", {"max_tokens": 8, "temperature": 0})["id"]
    run_ids = []
    for text in ("Say hello.", "Say bye.", "Say yes."):
        resp = await jp_fetch(
            "sage-studio",
            "api",
            "chat",
            "sessions",
            sid,
            "messages",
            method="POST",
            body=json.dumps({"content": text}),
        )
        run_ids.append(json.loads(resp.body)["metadata"]["run_id"])
    assert all(run_ids) and len(set(run_ids)) == 3
    resp = await jp_fetch("sage-studio", "api", "flow", "runs", run_ids[-1])
    run = json.loads(resp.body)
    assert run["flow_id"] == f"chat:{sid}" and run["status"] == "succeeded"
    types = {e["type"] for e in run["events"]}
    assert "token" not in types and "node_finished" in types
    resp = await jp_fetch("sage-studio", "api", "flow", "runs", run_ids[-1], "nodes", "prompt")
    io = json.loads(resp.body)
    prompt = io["outputs"]["turn"][0]["messages"]
    assert prompt[0]["role"] == "system" and prompt[-1] == {"role": "user", "content": "Say yes."}
    # Retention: the oldest turn's run is gone (its message keeps the id; opening it says it is not found).
    resp = await jp_fetch("sage-studio", "api", "flow", "runs", run_ids[0], raise_error=False)
    assert resp.code == 404
    assert not [r for r in FlowRepository().runs() if str(r["flow_id"]).startswith("chat:")]


async def test_budget_preview_before_sending(routed, jp_fetch):
    """The composer's preview (#21): the split a message would get if sent now, counted with the model's tokenizer
    against the engine's context length; nothing is stored; bad input is a 4xx."""
    store = SessionStore()
    sid = store.create("preview", {"max_tokens": 64})["id"]
    store.add_message(sid, "user", "Earlier question about plots?")
    store.add_message(sid, "assistant", "An earlier answer about seaborn legends.")
    body = {
        "content": "Why is my legend empty?",
        "context": [{"kind": "variable", "name": "df", "text": "df: DataFrame with 3 rows × 2 columns"}],
    }
    resp = await jp_fetch(
        "sage-studio", "api", "chat", "sessions", sid, "budget", method="POST", body=json.dumps(body)
    )
    preview = json.loads(resp.body)
    assert preview["history"] > 0 and preview["context"] > 0 and preview["user"] > 0
    assert preview["max_tokens"] == 64 and preview["estimated"] is False and preview["context_length"] > 0
    assert len(store.get(sid)["messages"]) == 2  # nothing stored
    for bad, code in (({"content": "x", "context": [{"kind": "file", "name": "a", "text": "b"}]}, 400),):
        resp = await jp_fetch(
            "sage-studio",
            "api",
            "chat",
            "sessions",
            sid,
            "budget",
            method="POST",
            body=json.dumps(bad),
            raise_error=False,
        )
        assert resp.code == code
    resp = await jp_fetch(
        "sage-studio",
        "api",
        "chat",
        "sessions",
        "nope",
        "budget",
        method="POST",
        body="{}",
        raise_error=False,
    )
    assert resp.code == 404
