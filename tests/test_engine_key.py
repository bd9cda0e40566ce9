"""The engine key (vLLM's --api-key): an engine Studio starts refuses /v1 requests without its key, every Studio
client sends it, and no answer, log, command line or store row shows it. A real engine behind a real Jupyter
server."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import httpx
import pytest
from conftest import MODELS_CACHE

from sage_studio_lab import paths
from sage_studio_lab.chat import upstream

pytestmark = pytest.mark.slow
MODEL = "SmolLM2-135M-Instruct"
HELLO = [{"role": "user", "content": "Say hello."}]
# Every /v1 route, with a body it would accept.
ROUTES = [
    ("GET", "/v1/models", None),
    ("POST", "/v1/chat/completions", {"messages": HELLO, "max_tokens": 2}),
    ("POST", "/v1/completions", {"prompt": "Hello", "max_tokens": 2}),
    ("POST", "/v1/load_lora_adapter", {"lora_name": "x", "lora_path": "/nope"}),
    ("POST", "/v1/unload_lora_adapter", {"lora_name": "x"}),
]


async def call(jp_fetch, path: str, method: str = "GET", body=None) -> tuple[dict, str]:
    """(JSON answer, its raw text) of a Studio route."""
    kwargs = {"method": method, "request_timeout": 300}
    if body is not None:
        kwargs["body"] = json.dumps(body)
    resp = await jp_fetch("sage-studio", *path.split("/"), **kwargs)
    text = resp.body.decode()
    return (json.loads(text) if text else {}), text


def make_lora(out: Path) -> Path:
    from test_engine_protocol import make_lora as make

    return make(Path(MODELS_CACHE) / MODEL, out)


async def test_a_studio_engine_requires_its_key_and_nothing_shows_it(jp_fetch, tmp_path):
    upstream.forget_local()
    started, started_text = await call(
        jp_fetch, "api/engine/start", "POST", {"backend": "cpu", "wait": True, "timeout": 240}
    )
    key_file = paths.area_dir("engines") / f"{started['id']}.key"
    texts = [started_text]
    try:
        assert started["status"] == "running"
        key, url = key_file.read_text(), started["base_url"]
        assert len(key) >= 32 and stat.S_IMODE(key_file.stat().st_mode) == 0o600

        # Without the key, with a wrong one, or without "Bearer": 401 with an OpenAI error on every /v1 route.
        for method, path, body in ROUTES:
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": key}):
                resp = httpx.request(method, url + path, json=body, headers=headers, timeout=30)
                assert resp.status_code == 401, (path, headers)
                error = resp.json()["error"]
                assert error["code"] == 401 and error["type"] == "AuthenticationError" and error["message"]
        assert httpx.get(url + "/health", timeout=10).status_code == 200  # probes stay open, as in vLLM
        assert httpx.get(url + "/metrics", timeout=10).status_code == 200
        # With it, the routes answer (an unknown adapter is the engine's 404, past the key check).
        auth = {"Authorization": f"Bearer {key}"}
        assert httpx.get(url + "/v1/models", headers=auth, timeout=10).json()["data"][0]["id"] == MODEL
        chat = httpx.post(url + "/v1/chat/completions", json=ROUTES[1][2], headers=auth, timeout=120)
        assert chat.status_code == 200 and chat.json()["usage"]["completion_tokens"] == 2
        ghost = httpx.post(url + "/v1/unload_lora_adapter", json={"lora_name": "ghost"}, headers=auth)
        assert ghost.status_code == 404

        # Studio's own clients send it: adapter load/unload, the status's adapter list, the chat gateway
        # (relayed and session turns), the flow generator.
        adapter = make_lora(tmp_path / "lora-a")
        loaded, text = await call(
            jp_fetch, "api/engine/adapters", "POST", {"name": "a", "path": str(adapter)}
        )
        texts.append(text)
        assert loaded["name"] == "a"
        adapters, text = await call(jp_fetch, "api/engine/adapters")
        texts.append(text)
        assert adapters["adapters"] == ["a"]  # read from the engine's /v1/models
        relayed, text = await call(
            jp_fetch,
            "v1/chat/completions",
            "POST",
            {"messages": HELLO, "max_tokens": 3, "source": "local", "model": "a"},
        )
        texts.append(text)
        assert relayed["x_sage"]["source"] == "local" and relayed["usage"]["completion_tokens"] == 3
        session, _ = await call(
            jp_fetch, "api/chat/sessions", "POST", {"title": "k", "settings": {"max_tokens": 3}}
        )
        turn, text = await call(
            jp_fetch,
            "v1/chat/completions",
            "POST",
            {"messages": HELLO, "session_id": session["id"], "source": "local"},
        )
        texts.append(text)
        assert turn["x_sage"]["metadata"]["source"] == "local" and turn["choices"][0]["message"]["content"]
        from sage_studio_lab.flow.operators.llm import chat_completion

        assert chat_completion(HELLO, {"stream": False, "max_tokens": 3})
        assert chat_completion(HELLO, {"stream": True, "max_tokens": 3})
        unloaded, text = await call(jp_fetch, "api/engine/adapters/a", "DELETE")
        texts.append(text)
        assert unloaded["unloaded"] is True

        # No answer of the Studio shows the key.
        status, text = await call(jp_fetch, "api/engine/status")
        texts.append(text)
        assert status["status"] == "running" and status["argv"] and status["options"]
        for path in ("api/engine/logs", "api/health", "api/status", "api/chat/sources"):
            texts.append((await call(jp_fetch, path))[1])
        texts.append((await call(jp_fetch, "v1/models"))[1])
        from sage_studio_lab.widgets.engine_panel import EnginePanel
        from sage_studio_lab.widgets.testing import recording_comms

        with recording_comms():
            texts.append(json.dumps(EnginePanel().engine))  # the widget's synced trait
        assert all(key not in text for text in texts)
        # Nor its log, the command lines of the engine and its supervisor (`ps` shows them to every user),
        # or the store.
        assert key not in Path(status["log_path"]).read_text()
        for pid in (status["pid"], status["supervisor_pid"]):
            assert key.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()
        store = paths.user_dir()
        assert all(key.encode() not in f.read_bytes() for f in store.glob("studio.sqlite3*"))
    finally:
        stopped, _ = await call(jp_fetch, "api/engine/stop", "POST", {})
    assert stopped["status"] == "stopped"
    assert not key_file.exists()  # a stopped engine's key is gone with it


def test_a_vllm_engine_gets_its_key_in_the_environment_not_the_command_line(tmp_path, monkeypatch):
    """vLLM reads `VLLM_API_KEY` as its --api-key. vLLM cannot run here: a stand-in `vllm` on the PATH shows
    what Studio started it with."""
    import time

    from sage_studio_lab.engine import EngineManager, backends

    fake = tmp_path / "bin" / "vllm"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexec sleep 120\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    monkeypatch.setattr(backends, "vllm_importable", lambda: True)
    manager = EngineManager()
    status = manager.start(model="some/hub-model", backend="vllm", wait=False)
    try:
        key = manager.api_key()
        assert key and manager.api_key(status["id"]) == key
        for _ in range(100):  # the supervisor starts the engine a moment later
            pid = manager.status()["pid"]
            if pid:
                break
            time.sleep(0.05)
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert f"VLLM_API_KEY={key}".encode() in environ
        assert b"VLLM_ALLOW_RUNTIME_LORA_UPDATING=True" in environ
        supervisor = Path(f"/proc/{manager.status()['supervisor_pid']}/cmdline").read_bytes()
        assert b"vllm\0serve\0some/hub-model\0" in supervisor  # the argv it was given
        assert key.encode() not in supervisor + Path(f"/proc/{pid}/cmdline").read_bytes()
        assert key not in json.dumps(manager.status()) and key not in manager.logs()
    finally:
        manager.stop(grace=1)
    assert manager.api_key(status["id"]) is None
