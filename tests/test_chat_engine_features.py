"""Chat features against real engines (bundled model) behind a real Jupyter server: knowledge documents in a
turn, the sources view, the context length, the LLM intent classifier, and a stop across processes.

Two CPU engine processes are shared by the module: one is the local engine, the other plays a cloud
OpenAI-compatible endpoint (with a key that must never appear in an answer)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import pytest
from engine_procs import engine_pair, free_port

from sage_studio_lab.chat import upstream
from sage_studio_lab.chat.sessions import SessionStore
from sage_studio_lab.store import get_store

pytestmark = pytest.mark.slow
KEY = "sk-secret-cloud-key-4242"
FACT = "The zorblax reactor in building nine runs at exactly 7731 kelvin."


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    with engine_pair(tmp_path_factory.mktemp("engines")) as urls:
        yield urls


@pytest.fixture
def routed(engines, monkeypatch):
    monkeypatch.setenv(upstream.ENGINE_URL_ENV, engines["local"])
    monkeypatch.setenv("SAGE_CHAT_BASE_URL", engines["cloud"] + "/v1")
    monkeypatch.setenv("SAGE_CHAT_API_KEY", KEY)
    monkeypatch.setenv("SAGE_CHAT_MODEL", "SmolLM2-135M-Instruct")
    upstream.forget_local()
    yield engines
    upstream.forget_local()


async def api(jp_fetch, method, *parts, body=None):
    kwargs = {"method": method}
    if body is not None or method == "POST":
        kwargs["body"] = json.dumps(body or {})
    resp = await jp_fetch("sage-studio", "api", "chat", *parts, **kwargs)
    return json.loads(resp.body) if resp.body else None


def served_max_len(url: str) -> int:
    (base,) = [m for m in httpx.get(url + "/v1/models").json()["data"] if not m.get("parent")]
    return base["max_model_len"]


async def test_uploaded_document_is_retrieved_by_a_knowledge_turn(routed, jp_fetch):
    doc = await api(
        jp_fetch,
        "POST",
        "knowledge",
        body={"name": "plant.md", "text": f"# Plant\n\n{FACT}\n\nLunch is at noon."},
    )
    assert doc["name"] == "plant.md" and doc["chunks"] == 3
    sid = SessionStore().create("docs", {"max_tokens": 16, "temperature": 0, "source": "local"})["id"]
    question = "According to my notes, what temperature does the zorblax reactor run at?"
    answer = await api(jp_fetch, "POST", "sessions", sid, "messages", body={"content": question})
    meta = answer["metadata"]
    assert meta["intent"] == "knowledge" and meta["rag_used"] is True
    assert meta["knowledge_sources"] == ["plant.md"]
    assert "7731" in meta["documents"][0]["text"] and meta["documents"][0]["document"] == "plant.md"
    assert meta["token_budget"]["rag"] > 0

    resp = await jp_fetch("sage-studio", "api", "chat", "knowledge", "plant.md", method="DELETE")
    assert resp.code == 204
    again = await api(jp_fetch, "POST", "sessions", sid, "regenerate", body={})
    assert again["metadata"]["rag_used"] is True
    assert again["metadata"]["documents"] == [] and again["metadata"]["knowledge_sources"] == []


async def test_sources_running_stopped_and_cloud_without_the_key(routed, jp_fetch, monkeypatch):
    out = await api(jp_fetch, "GET", "sources")
    text = json.dumps(out)
    assert KEY not in text and routed["cloud"] not in text
    assert out["default"] == "auto"
    assert out["local"]["available"] is True and out["local"]["status"] == "running"
    assert out["local"]["model"] == "SmolLM2-135M-Instruct" and out["local"]["chat_model"] is None
    port = routed["cloud"].rsplit(":", 1)[1]
    assert out["cloud"] == out["cloud"] | {
        "configured": True,
        "model": "SmolLM2-135M-Instruct",
        "host": f"127.0.0.1:{port}",
        "reachable": True,
        "key_set": True,
    }

    # Credentials inside the base URL are not shown either; a cloud that does not answer is unreachable.
    monkeypatch.setenv("SAGE_CHAT_BASE_URL", f"http://alice:hunter2@127.0.0.1:{free_port()}/v1")
    monkeypatch.delenv(upstream.ENGINE_URL_ENV)  # no managed engine in this home: the local engine is stopped
    upstream.forget_local()
    t0 = time.monotonic()
    out = await api(jp_fetch, "GET", "sources")
    assert time.monotonic() - t0 < 10
    text = json.dumps(out)
    assert "hunter2" not in text and "alice" not in text and KEY not in text
    assert out["cloud"]["configured"] is True and out["cloud"]["reachable"] is False
    assert out["cloud"]["host"].startswith("127.0.0.1:")
    assert out["local"] == out["local"] | {"available": False, "status": "stopped", "model": None}

    monkeypatch.delenv("SAGE_CHAT_BASE_URL")
    out = await api(jp_fetch, "GET", "sources")
    assert out["cloud"] | {"base_url_env": "SAGE_CHAT_BASE_URL"} == out["cloud"]
    assert (out["cloud"]["configured"], out["cloud"]["reachable"], out["cloud"]["host"]) == (
        False,
        None,
        None,
    )


async def test_context_length_on_sessions_and_turn_budget(routed, jp_fetch, monkeypatch):
    max_len = served_max_len(routed["local"])
    sid = SessionStore().create("ctx", {"max_tokens": 8, "temperature": 0})["id"]
    session = await api(jp_fetch, "GET", "sessions", sid)
    assert session["context_length"] == max_len > 0
    listed = (await api(jp_fetch, "GET", "sessions"))["sessions"]
    assert listed[0]["id"] == sid and listed[0]["context_length"] == max_len

    answer = await api(jp_fetch, "POST", "sessions", sid, "messages", body={"content": "Say hello."})
    budget = answer["metadata"]["token_budget"]
    assert budget["context_length"] == max_len and answer["metadata"]["context_length"] == max_len
    # The engine's own counts (stream usage), not the 4-characters estimate.
    assert budget["used_estimated"] is False and budget["prompt_tokens"] > 10
    assert 0 < budget["completion_tokens"] <= 8
    assert budget["used"] == budget["prompt_tokens"] + budget["completion_tokens"] < max_len

    # Cached: a second look costs no call to /v1/models (the engine's request counter does not move).
    calls = []
    real_get = httpx.get
    monkeypatch.setattr(httpx, "get", lambda *a, **k: calls.append(a) or real_get(*a, **k))
    for _ in range(3):
        await api(jp_fetch, "GET", "sessions", sid)
    assert not [a for a in calls if str(a[0]).endswith("/models")]

    monkeypatch.delenv(upstream.ENGINE_URL_ENV)
    monkeypatch.delenv("SAGE_CHAT_BASE_URL")
    upstream.forget_local()
    assert (await api(jp_fetch, "GET", "sessions", sid))["context_length"] is None


async def test_llm_intent_classifier_against_the_engine(routed, jp_fetch):
    sid = SessionStore().create(
        "llm-intent", {"max_tokens": 8, "temperature": 0, "intent_classifier": "llm", "source": "local"}
    )["id"]
    for text in ("What did I tell you earlier about my dog?", "Hello!"):
        answer = await api(jp_fetch, "POST", "sessions", sid, "messages", body={"content": text})
        meta = answer["metadata"]
        assert meta["intent_method"] in ("llm", "llm-fallback") and meta["intent"] in (
            "knowledge",
            "recall",
            "code",
            "chat",
        )
        assert answer["content"] and meta["finish_reason"] in ("stop", "length")
        assert meta["latency"]["steps"]["intent_router"] > 0
    # Switched off per session: no LLM call, the keyword rules decide.
    await api(jp_fetch, "PATCH", "sessions", sid, body={"settings": {"intent_classifier": "keyword"}})
    answer = await api(jp_fetch, "POST", "sessions", sid, "messages", body={"content": "Fix my python code"})
    assert answer["metadata"]["intent_method"] == "keyword" and answer["metadata"]["intent"] == "code"


KERNEL_TURN = """
import sys
from sage_studio_lab.chat.service import ChatService
msg = ChatService().send(sys.argv[1], "Write a very long story about a dragon and a knight.",
                         source="local", on_token=lambda t: print("TOKEN", flush=True))
print("DONE", msg["id"], flush=True)
"""


async def test_rest_stop_reaches_a_turn_streaming_in_another_process(routed, jp_fetch):
    sid = SessionStore().create("stop", {"max_tokens": 400, "temperature": 0})["id"]
    proc = subprocess.Popen(
        [sys.executable, "-c", KERNEL_TURN, sid], stdout=subprocess.PIPE, text=True, env={**os.environ}
    )
    try:
        tokens = 0
        while tokens < 3:  # the turn is streaming in the other process
            line = proc.stdout.readline()
            assert line, "the kernel-side turn ended before streaming"
            tokens += line.startswith("TOKEN")
        (turn,) = get_store().query("SELECT request_id, session_id, pid FROM chat_turns")
        assert turn["session_id"] == sid and turn["pid"] == proc.pid
        stopped = (await api(jp_fetch, "POST", "stop", body={"session_id": sid}))["stopped"]
        assert stopped == [turn["request_id"]]
        rest = proc.communicate(timeout=60)[0].splitlines()
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0 and rest[-1].startswith("DONE")
    message = SessionStore().message(rest[-1].split()[1])
    meta = message["metadata"]
    assert meta["cancelled"] is True and meta["partial"] is True and meta["finish_reason"] == "cancelled"
    assert meta["request_id"] == turn["request_id"] and 3 <= meta["tokens"] < 100
    assert message["content"]
    assert get_store().query("SELECT * FROM chat_turns") == []
