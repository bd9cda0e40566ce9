"""Hot-swap: a trained adapter is loaded into the running CPU engine and made the chat default while another
chat stream is in flight (it finishes untouched); adapters the engine cannot hot-load are refused with why."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pytest

from sage_studio_lab.finetune import hotswap, tasks
from sage_studio_lab.finetune.config import TaskConfig

pytestmark = pytest.mark.slow
PROMPT = "What is the secret code of door 3?"


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"sage_studio_lab": True}}}


def train_tiny(tmp_path, monkeypatch) -> dict:
    from sage_studio_lab.finetune import datasets

    monkeypatch.setenv("SAGE_STUDIO_TRAIN_THREADS", "1")
    path = tmp_path / "secret.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {
                    "instruction": f"What is the secret code of door {i}?",
                    "output": "The secret code is ZEBRA-42.",
                }
            )
            + "\n"
            for i in range(8)
        )
    )
    ds = datasets.import_file(path)
    task = tasks.create_task(
        TaskConfig(
            dataset_id=ds["id"],
            max_steps=6,
            batch_size=4,
            max_length=64,
            learning_rate=2e-3,
            eval_ratio=0.0,
            save_steps=100,
        )
    )
    deadline = time.time() + 300
    while (task := tasks.get_task(task["id"]))["status"] not in ("completed", "failed", "cancelled"):
        assert time.time() < deadline, "training did not end"
        time.sleep(0.5)
    assert task["status"] == "completed", task["error"]
    return task


def test_adapter_problems_follow_vllm_rules(tmp_path):
    cfg = {"peft_type": "LORA", "r": 8}
    (tmp_path / "adapter_config.json").write_text(json.dumps(cfg))
    assert hotswap.hot_load_problems(tmp_path) == []
    (tmp_path / "adapter_config.json").write_text(
        json.dumps(cfg | {"r": 128, "use_dora": True, "modules_to_save": ["lm_head"]})
    )
    problems = " | ".join(hotswap.hot_load_problems(tmp_path))
    assert "DoRA" in problems and "modules_to_save (lm_head)" in problems and "rank 128" in problems


async def test_use_in_chat_while_another_stream_runs(jp_fetch, tmp_path, monkeypatch):
    from sage_studio_lab.engine import EngineManager

    task = train_tiny(tmp_path, monkeypatch)
    manager = EngineManager()
    engine = manager.start(backend="cpu", timeout=240)
    base_url = engine["base_url"]
    auth = {"Authorization": f"Bearer {manager.api_key()}"}  # the engine's key (vLLM's --api-key)
    try:
        base_answer = httpx.post(
            f"{base_url}/v1/chat/completions",
            headers=auth,
            timeout=120,
            json={
                "messages": [{"role": "user", "content": PROMPT}],
                "max_tokens": 12,
                "temperature": 0,
            },
        ).json()["choices"][0]["message"]["content"]

        chunks, first_chunk = [], threading.Event()

        def stream():  # a chat stream on the base model, in flight while the adapter is swapped in
            with httpx.stream(
                "POST",
                f"{base_url}/v1/chat/completions",
                headers=auth,
                timeout=300,
                json={
                    "messages": [{"role": "user", "content": "Tell me a long story about a cat."}],
                    "max_tokens": 40,
                    "temperature": 0,
                    "stream": True,
                    "stream_options": {"include_usage": True},
                },
            ) as resp:
                assert resp.status_code == 200
                for line in resp.iter_lines():
                    if line.startswith("data: "):
                        chunks.append(line[6:])
                        first_chunk.set()

        streamer = threading.Thread(target=stream)
        streamer.start()
        assert first_chunk.wait(120)
        resp = await jp_fetch(  # loading PEFT and the adapter between decode steps: slow on a busy machine
            "sage-studio",
            "api",
            "finetune",
            "tasks",
            task["id"],
            "use-in-chat",
            method="POST",
            body="{}",
            request_timeout=180,
        )
        swapped = json.loads(resp.body)
        assert swapped["restarted"] is False and swapped["current"]["model"] == task["id"]
        streamer.join(300)
        assert chunks[-1] == "[DONE]"
        parsed = [json.loads(c) for c in chunks[:-1]]
        assert not any("error" in c for c in parsed)
        assert any(ch.get("finish_reason") for c in parsed for ch in c.get("choices", []))
        assert sum(c["usage"]["completion_tokens"] for c in parsed if c.get("usage")) > 0

        tuned = httpx.post(
            f"{base_url}/v1/chat/completions",
            headers=auth,
            timeout=120,
            json={
                "model": task["id"],
                "messages": [{"role": "user", "content": PROMPT}],
                "max_tokens": 12,
                "temperature": 0,
            },
        ).json()["choices"][0]["message"]["content"]
        assert tuned != base_answer and tuned.startswith("The secret code is"), (base_answer, tuned)
        assert manager.status()["id"] == engine["id"]  # same engine: no restart

        current = json.loads((await jp_fetch("sage-studio", "api", "finetune", "current-model")).body)
        assert current["kind"] == "adapter" and current["model"] == task["id"]
        # Chat follows the switch: a gateway request that names no model is answered by the adapter.
        resp = await jp_fetch(
            "sage-studio",
            "v1",
            "chat",
            "completions",
            method="POST",
            body=json.dumps(
                {"messages": [{"role": "user", "content": PROMPT}], "max_tokens": 12, "temperature": 0}
            ),
            request_timeout=120,  # a busy machine generates slowly
        )
        via_gateway = json.loads(resp.body)
        assert via_gateway["model"] == task["id"]
        assert via_gateway["choices"][0]["message"]["content"] == tuned
        resp = await jp_fetch(
            "sage-studio",
            "api",
            "finetune",
            "switch-model",
            method="POST",
            body=json.dumps({"model_path": task["adapter_path"]}),
        )
        assert json.loads(resp.body)["load_time_s"] == 0.0  # already loaded: idempotent

        config = Path(task["adapter_path"]) / "adapter_config.json"
        config.write_text(json.dumps(json.loads(config.read_text()) | {"use_dora": True}))
        resp = await jp_fetch(
            "sage-studio",
            "api",
            "finetune",
            "tasks",
            task["id"],
            "use-in-chat",
            method="POST",
            body="{}",
            raise_error=False,
        )
        body = json.loads(resp.body)
        assert resp.code == 409 and body["action"] == "merge-and-restart" and "DoRA" in body["message"]
    finally:
        manager.stop()
