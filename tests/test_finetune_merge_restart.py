"""Merge-and-restart, automated: a real DoRA adapter (trained on the bundled model, so the engine cannot
hot-load it) is refused by plain use-in-chat with the reason; `{"merge_and_restart": true}` merges it,
restarts the running CPU engine on `merged/` and makes it the chat default, which the gateway then answers
with. Failures change nothing: no engine → 503; a merged model that does not load → the previous engine
comes back with the log tail; a merge that fails leaves the engine alone. Plus the CLI face."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from finetune_data import secret_dataset

from sage_studio_lab import cli
from sage_studio_lab.finetune import tasks
from sage_studio_lab.finetune.config import LoraOptions, TaskConfig

pytestmark = pytest.mark.slow
PROMPT = "What is the secret code of door 3?"
BASE = "SmolLM2-135M-Instruct"


def train(tmp_path, steps: int, dora: bool) -> dict:
    from sage_studio_lab.finetune import datasets

    ds = datasets.import_file(secret_dataset(tmp_path, 8))
    task = tasks.create_task(
        TaskConfig(
            dataset_id=ds["id"],
            max_steps=steps,
            batch_size=4,
            max_length=64,
            learning_rate=2e-3,
            eval_ratio=0.0,
            save_steps=100,
            lora=LoraOptions(use_dora=dora),  # DoRA: an option of the create form
        )
    )
    deadline = time.time() + 300
    while (task := tasks.get_task(task["id"]))["status"] not in ("completed", "failed", "cancelled"):
        assert time.time() < deadline, "training did not end"
        time.sleep(0.5)
    assert task["status"] == "completed", task["error"]
    return task


async def post(jp_fetch, *parts, body=None):
    resp = await jp_fetch(
        "sage-studio",
        "api",
        "finetune",
        *parts,
        method="POST",
        body=json.dumps(body) if body is not None else "",
        raise_error=False,
        request_timeout=600,  # merging and restarting take a while on a shared CPU
    )
    return resp.code, json.loads(resp.body)


async def current(jp_fetch) -> dict:
    return json.loads((await jp_fetch("sage-studio", "api", "finetune", "current-model")).body)


async def gateway_chat(jp_fetch) -> dict:
    resp = await jp_fetch(
        "sage-studio",
        "v1",
        "chat",
        "completions",
        method="POST",
        body=json.dumps(
            {"messages": [{"role": "user", "content": PROMPT}], "max_tokens": 12, "temperature": 0}
        ),
        request_timeout=240,
    )
    return json.loads(resp.body)


async def test_merge_and_restart_end_to_end(jp_fetch, tmp_path, monkeypatch, capsys):
    from sage_studio_lab.engine import EngineManager

    monkeypatch.setenv("SAGE_STUDIO_TRAIN_THREADS", "1")
    task = train(tmp_path, 6, dora=True)
    plain = train(tmp_path, 1, dora=False)  # a hot-loadable adapter, to see it dropped and restored
    merged_dir = Path(task["output_dir"]) / "merged"

    # no engine: 503 that says what to do, and nothing merged
    code, body = await post(jp_fetch, "tasks", task["id"], "use-in-chat", body={"merge_and_restart": True})
    assert code == 503 and "no engine is running" in body["message"]
    assert not merged_dir.exists()
    code, body = await post(jp_fetch, "tasks", task["id"], "use-in-chat", body={"merge_and_restat": True})
    assert code == 400 and "merge_and_restat" in body["message"]  # a typo is named, not ignored

    manager = EngineManager()
    first = manager.start(backend="cpu", timeout=240)
    try:
        base_answer = (await gateway_chat(jp_fetch))["choices"][0]["message"]["content"]
        code, body = await post(jp_fetch, "tasks", plain["id"], "use-in-chat")
        assert code == 200 and body["restarted"] is False and body["current"]["kind"] == "adapter"

        # plain use-in-chat (no body): refused with the reason and the way out
        code, body = await post(jp_fetch, "tasks", task["id"], "use-in-chat")
        assert code == 409 and body["action"] == "merge-and-restart" and "DoRA" in body["message"]
        assert body["reason"] == ["DoRA adapters cannot be hot-loaded"]
        assert cli.main(["finetune", "use", task["id"]]) == 1
        err = capsys.readouterr().err
        assert "DoRA" in err and f"finetune use {task['id']} --merge-and-restart" in err
        assert manager.status()["id"] == first["id"] and not merged_dir.exists()

        code, body = await post(
            jp_fetch, "tasks", task["id"], "use-in-chat", body={"merge_and_restart": True}
        )
        assert code == 200, body
        engine = manager.status()
        assert body["restarted"] is True and body["merged_path"] == str(merged_dir.resolve())
        assert body["dropped_adapters"] == [plain["id"]] and plain["id"] in body["message"]
        assert body["previous"]["model"] == plain["id"]
        assert body["timings"]["merge_s"] > 0 and body["timings"]["restart_s"] > 0
        assert (
            engine["status"] == "running" and engine["id"] != first["id"] and engine["id"] == body["engine"]
        )
        assert engine["model"] == str(merged_dir.resolve()) and engine["backend"] == "cpu"
        assert engine["port"] == first["port"] and engine["adapters"] == []  # same port; adapters gone
        now = await current(jp_fetch)
        assert now["kind"] == "merged" and now["path"] == str(merged_dir.resolve())
        assert now["base_model"] == f"{task['id']}-merged" and now["engine"] == engine["id"]

        answer = await gateway_chat(jp_fetch)  # names no model: chat's default is the merged model
        assert answer["model"] == str(merged_dir.resolve())
        merged_text = answer["choices"][0]["message"]["content"]
        assert merged_text != base_answer and merged_text.startswith("The secret code is"), (
            base_answer,
            merged_text,
        )

        # again: merged/ is fresh and already served, so neither a merge nor a restart
        code, body = await post(
            jp_fetch, "tasks", task["id"], "use-in-chat", body={"merge_and_restart": True}
        )
        assert (
            code == 200
            and body["restarted"] is False
            and body["timings"] == {"merge_s": 0.0, "restart_s": 0.0}
        )
        assert manager.status()["id"] == engine["id"]

        # switch-model to a model the engine does not serve: 409 without restart; with it, an adapter of the
        # bundled model restarts the engine on its base, then hot-loads
        code, body = await post(jp_fetch, "switch-model", body={"model_path": plain["id"]})
        assert code == 409 and body["action"] == "restart-engine"
        code, body = await post(jp_fetch, "switch-model", body={"model_path": plain["id"], "restart": True})
        assert code == 200 and body["restarted"] is True and body["current"]["kind"] == "adapter"
        base_engine = manager.status()
        assert base_engine["model"] == BASE and base_engine["port"] == first["port"]
        assert base_engine["adapters"] == [plain["id"]]
        assert (await gateway_chat(jp_fetch))["model"] == plain["id"]

        # a merged model that cannot load: the previous engine comes back, chat default unchanged, log tail
        weights = merged_dir / "model.safetensors"
        good = weights.read_bytes()
        weights.write_bytes(b"not a safetensors file")
        code, body = await post(
            jp_fetch, "tasks", task["id"], "use-in-chat", body={"merge_and_restart": True}
        )
        assert code == 503 and body["restored_engine"] is True and body["log_tail"].strip()
        assert "did not start" in body["message"] and "previous engine was started again" in body["message"]
        restored = manager.status()
        assert restored["status"] == "running" and restored["model"] == BASE
        assert restored["adapters"] == [plain["id"]]  # with the adapters it had
        assert (await current(jp_fetch))["model"] == plain["id"]
        assert (await gateway_chat(jp_fetch))["model"] == plain["id"]
        weights.write_bytes(good)

        # the CLI face does the same merge-and-restart
        assert cli.main(["finetune", "use", task["id"], "--merge-and-restart"]) == 0
        out = capsys.readouterr().out
        assert "restarted" in out and f"adapters {plain['id']} were unloaded" in out
        assert manager.status()["model"] == str(merged_dir.resolve())
        assert (await current(jp_fetch))["kind"] == "merged"

        # a merge that fails (re-trained adapter that is broken) leaves the engine untouched
        before = manager.status()
        adapter_weights = Path(task["adapter_path"]) / "adapter_model.safetensors"
        adapter_weights.write_bytes(b"broken")
        os.utime(adapter_weights, (time.time() + 5, time.time() + 5))  # newer than merged/: a merge is due
        code, body = await post(
            jp_fetch, "tasks", task["id"], "use-in-chat", body={"merge_and_restart": True}
        )
        assert code == 400 and "merge failed" in body["message"]
        after = manager.status()
        assert after["id"] == before["id"] and after["status"] == "running"
        assert (merged_dir / "config.json").exists()  # the previous merge is kept

        # back to the base model: switch-model restarts the engine on a catalog base model too
        code, body = await post(jp_fetch, "switch-model", body={"model_path": BASE})
        assert code == 409 and '"restart": true' in body["message"]
        code, body = await post(jp_fetch, "switch-model", body={"model_path": BASE, "restart": True})
        assert code == 200 and body["restarted"] is True and body["current"]["kind"] == "base"
        assert manager.status()["model"] == BASE
        assert (await gateway_chat(jp_fetch))["choices"][0]["message"]["content"] == base_answer
    finally:
        manager.stop()
