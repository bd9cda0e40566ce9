"""Real LoRA training on the bundled model in detached trainer subprocesses: progress events, loss falls,
the adapter changes the answer, queue, kill -9 → failed with checkpoint, resume, cancel, merge."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from sage_studio_lab import models
from sage_studio_lab.finetune import datasets, tasks
from sage_studio_lab.finetune.config import TaskConfig
from sage_studio_lab.store import get_store

pytestmark = pytest.mark.slow
PROMPT = "What is the secret code of the blue door?"


@pytest.fixture(autouse=True)
def one_thread(monkeypatch):
    """Trainers use one CPU thread: on a shared 2-core machine that is several times faster than two."""
    import torch

    monkeypatch.setenv("SAGE_STUDIO_TRAIN_THREADS", "1")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def secret_dataset(tmp_path: Path, n: int = 12) -> dict:
    path = tmp_path / "secret.jsonl"
    doors = ["blue", "red", "green"]
    with path.open("w") as fh:
        for i in range(n):
            fh.write(
                json.dumps(
                    {
                        "instruction": f"What is the secret code of the {doors[i % 3]} door?",
                        "output": "The secret code is ZEBRA-42.",
                    }
                )
                + "\n"
            )
    return datasets.import_file(path)


def config(ds: dict, **kw) -> TaskConfig:
    base = dict(
        dataset_id=ds["id"],
        max_steps=6,
        batch_size=4,
        max_length=64,
        learning_rate=2e-3,
        save_steps=3,
        eval_steps=3,
        eval_ratio=0.2,
    )
    return TaskConfig(**(base | kw))


def wait_for(predicate, timeout=240, interval=0.2, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def wait_done(task_id: str, timeout=240) -> dict:
    return wait_for(
        lambda: (t := tasks.get_task(task_id))["status"] in ("completed", "failed", "cancelled") and t,
        timeout,
        0.5,
        f"task {task_id} to end",
    )


def events(task: dict) -> list[dict]:
    path = Path(task["output_dir"]) / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def answer(model_dir: str, adapter: str | None, prompt: str) -> str:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    if adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter)
    ids = tok.apply_chat_template(
        [{"role": "user", "content": prompt}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    with torch.no_grad():
        out = model.generate(**ids, max_new_tokens=12, do_sample=False)
    return tok.decode(out[0][ids["input_ids"].shape[1] :], skip_special_tokens=True)


def test_real_lora_run_learns_the_dataset(tmp_path):
    ds = secret_dataset(tmp_path)
    task = tasks.create_task(config(ds))
    assert task["status"] in ("queued", "running")
    done = wait_done(task["id"])
    assert done["status"] == "completed", done["error"]
    evs = events(done)
    progress = [e for e in evs if e["type"] == "progress"]
    assert [e["step"] for e in progress] == [1, 2, 3, 4, 5, 6]
    assert progress[-1]["loss"] < progress[0]["loss"]
    for key in ("total_steps", "epoch", "lr", "tokens_per_s", "elapsed_s", "eta_s"):
        assert progress[-1][key] is not None, key
    assert [e["step"] for e in evs if e["type"] == "eval"] == [3, 6]
    assert [t["status"] for t in done["transitions"]] == ["pending", "queued", "running", "completed"]
    folder = Path(done["output_dir"])
    assert (folder / "adapter" / "adapter_config.json").exists() and done["last_checkpoint"] == "checkpoint-6"
    assert json.loads((folder / "config.json").read_text())["config"]["max_steps"] == 6

    spec = json.loads((folder / "config.json").read_text())
    base = answer(spec["model_path"], None, PROMPT)
    tuned = answer(spec["model_path"], done["adapter_path"], PROMPT)
    assert tuned != base and tuned.startswith("The secret code is"), (base, tuned)

    listed = [m for m in models.finetuned_models() if m.id == task["id"]]
    assert listed and listed[0].type == "finetuned" and listed[0].base_model == "SmolLM2-135M-Instruct"
    assert tasks.adapter_zip(task["id"]).stat().st_size > 1000

    merged = tasks.merge_task(
        task["id"]
    )  # merge-and-export: a standalone model that answers like the adapter
    assert merged["merged_path"] and answer(merged["merged_path"], None, PROMPT) == tuned


def test_kill9_fails_with_checkpoint_then_resume_and_queue_advances_without_a_server(tmp_path):
    ds = secret_dataset(tmp_path)
    first = tasks.create_task(config(ds, max_steps=8, save_steps=2, eval_ratio=0.0))
    second = tasks.create_task(config(ds, max_steps=3, save_steps=10, eval_ratio=0.0))
    assert tasks.get_task(second["id"])["status"] == "queued"  # one training at a time by default

    wait_for(lambda: any(e["type"] == "checkpoint" for e in events(first)), what="first checkpoint")
    row = get_store().query_one("SELECT pid FROM finetune_tasks WHERE id=?", (first["id"],))
    os.kill(row["pid"], signal.SIGKILL)
    failed = wait_for(
        lambda: (t := tasks.get_task(first["id"]))["status"] == "failed" and t, 30, what="failed"
    )
    assert "trainer exited unexpectedly; checkpoint kept: checkpoint-" in failed["error"]
    assert failed["last_checkpoint"]

    # its launcher (this process) saw it die: the slot went to the queued task; resuming the killed one
    # queues it behind
    wait_for(lambda: tasks.get_task(second["id"])["status"] in ("running", "completed"), 30, what="next")
    resumed = tasks.resume_task(first["id"])
    assert resumed["status"] in ("queued", "running")
    # from here on only task events schedule (reads never do): the trainer that ends starts the next one
    wait_for(lambda: tasks.get_task(first["id"])["status"] == "completed", 300, 0.5, "resumed run")
    starts = [e for e in events(failed) if e["type"] == "start"]
    assert starts[-1]["resumed"] is True and starts[-1]["step"] >= 2
    assert [t["status"] for t in tasks.get_task(first["id"])["transitions"]] == [
        "pending",
        "queued",
        "running",
        "failed",
        "queued",
        "running",
        "completed",
    ]
    assert tasks.get_task(second["id"])["status"] == "completed"


def test_cancel_running_and_queued_and_delete_rules(tmp_path):
    from sage_studio_lab.errors import Conflict

    ds = secret_dataset(tmp_path)
    running = tasks.create_task(config(ds, max_steps=500, save_steps=1000, eval_ratio=0.0))
    queued = tasks.create_task(config(ds))
    assert tasks.cancel_task(queued["id"])["status"] == "cancelled"
    wait_for(lambda: any(e["type"] == "progress" for e in events(running)), what="first step")
    with pytest.raises(Conflict):
        tasks.delete_task(running["id"])  # refused while running
    cancelled = tasks.cancel_task(running["id"])
    assert cancelled["status"] == "cancelled"
    pid = get_store().query_one("SELECT pid FROM finetune_tasks WHERE id=?", (running["id"],))["pid"]
    assert not tasks.pid_alive(pid, None)
    assert any(e.get("status") == "cancelled" for e in events(cancelled))  # graceful: the trainer said so
    assert cancelled["last_checkpoint"]  # a checkpoint to resume from
    tasks.delete_task(running["id"])
    assert not Path(running["output_dir"]).exists()
    assert [t["id"] for t in tasks.list_tasks()] == [queued["id"]]
