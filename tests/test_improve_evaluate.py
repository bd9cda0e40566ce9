"""Evaluation of fine-tune tasks (issue #20, step 3) with the real bundled model and real short LoRA runs: the
trainer evaluates base vs adapter on the held-out split when it ends; over REST an evaluation is started (202),
followed, killed (no evaluation.json, a failed event), cancelled, run again, read back and compared with another
task."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import pytest

from sage_studio_lab.finetune import evaluation_runs, tasks
from tests.test_finetune_training import config, one_thread, secret_dataset, wait_done, wait_for  # noqa: F401

pytestmark = pytest.mark.slow


def evaluation_events(task: dict) -> list[dict]:
    path = Path(task["output_dir"]) / "events.jsonl"
    return [e for e in map(json.loads, path.read_text().splitlines()) if e["type"] == "evaluation"]


def check_scores(scores: dict) -> None:
    assert scores["eval_loss"] > 0 and scores["perplexity"] > 1
    assert 0 <= scores["exact_match"] <= 1 and 0 <= scores["rouge_l"] <= 1


def test_training_ends_with_base_vs_adapter_on_the_held_out_split(tmp_path):
    ds = secret_dataset(tmp_path)
    task = tasks.create_task(config(ds, max_steps=3, eval_ratio=0.25))  # 3 of 12 rows held out
    assert task["config"]["evaluate"] is None  # default: evaluate because there is an eval split
    done = wait_done(task["id"])
    assert done["status"] == "completed", done["error"]
    folder = Path(done["output_dir"])
    wait_for(lambda: evaluation_runs.state(task["id"])["state"] != "running", 180, 0.5, "the evaluation")
    result = json.loads((folder / "evaluation.json").read_text())
    assert result["split"]["source"] == "eval" and result["split"]["rows"] == 3
    check_scores(result["base"])
    check_scores(result["adapter"])
    # it learnt the secret: the adapter's loss on the held-out answers is far below the base model's
    assert result["adapter"]["eval_loss"] < result["base"]["eval_loss"]
    assert result["adapter"]["rouge_l"] >= result["base"]["rouge_l"]
    assert len(result["samples"]) == 3
    row = result["samples"][0]
    assert "secret code" in row["prompt"] and row["reference"] == "The secret code is ZEBRA-42."
    assert row["base_answer"] and row["adapter_answer"] and 0 <= row["adapter_rouge_l"] <= 1
    assert result["throughput"]["examples"] == 3 and result["throughput"]["examples_per_s"] > 0
    evs = evaluation_events(done)
    assert evs[0]["status"] == "started" and evs[-1]["status"] == "completed"
    assert {e.get("phase") for e in evs} >= {"loss", "generate"}
    assert evs[-1]["adapter"] == result["adapter"]
    assert not (folder / ".evaluation.json.tmp").exists()


async def call(jp_fetch, *parts, method="GET", body=None, params=None):
    resp = await jp_fetch(
        "sage-studio",
        "api",
        "improve",
        *parts,
        method=method,
        body=json.dumps(body) if body is not None else None,
        params=params,
        raise_error=False,
    )
    return resp.code, json.loads(resp.body) if resp.body else None


async def wait_state(jp_fetch, task_id: str, accept, timeout=180) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        code, st = await call(jp_fetch, "tasks", task_id, "evaluation", "state")
        assert code == 200, st
        if accept(st):
            return st
        await asyncio.sleep(0.3)
    raise AssertionError(f"timed out waiting for the evaluation of {task_id}: {st}")


async def test_rest_evaluate_kill_rerun_and_compare(jp_fetch, tmp_path):
    ds = secret_dataset(tmp_path)
    a = tasks.create_task(config(ds, max_steps=3, eval_ratio=0.25, name="held out"))
    b = tasks.create_task(config(ds, max_steps=3, eval_ratio=0, name="no split"))  # not evaluated by default
    for t in (a, b):
        done = await asyncio.to_thread(wait_done, t["id"])
        assert done["status"] == "completed", done["error"]
    b_dir = Path(b["output_dir"])

    code, body = await call(jp_fetch, "tasks", b["id"], "evaluation")
    assert code == 404 and "not evaluated yet" in body["message"]
    code, st = await call(jp_fetch, "tasks", b["id"], "evaluation", "state")
    assert code == 200 and st["state"] == "none"
    code, body = await call(jp_fetch, "tasks", "..", "evaluate", method="POST", body={})
    assert code in (400, 404)
    code, body = await call(jp_fetch, "tasks", "ft-nope", "evaluate", method="POST", body={})
    assert code == 404
    code, body = await call(jp_fetch, "tasks", b["id"], "evaluate", method="POST", body={"max_examples": 0})
    assert code == 400 and "max_examples" in body["message"]

    # Killed while it works: no evaluation.json, a failed event, and the state says so.
    code, st = await call(jp_fetch, "tasks", b["id"], "evaluate", method="POST", body={"max_new_tokens": 256})
    assert code == 202 and st["state"] == "running"
    code, again = await call(jp_fetch, "tasks", b["id"], "evaluate", method="POST", body={})
    assert code == 409  # one evaluator at a time
    await wait_state(jp_fetch, b["id"], lambda s: s.get("phase") in ("loss", "generate"))
    pid = [e for e in evaluation_events(b) if e["status"] == "started"][-1]["pid"]
    os.kill(pid, signal.SIGKILL)
    st = await wait_state(jp_fetch, b["id"], lambda s: s["state"] != "running")
    assert st["state"] == "failed" and "nothing stored" in st["error"]
    assert not (b_dir / "evaluation.json").exists()
    await asyncio.to_thread(
        wait_for, lambda: evaluation_events(b)[-1]["status"] == "failed", 30, 0.2, "the failed event"
    )

    # Cancelled: the evaluator stops between batches, records it, stores nothing.
    code, body = await call(jp_fetch, "tasks", b["id"], "evaluation", "cancel", method="POST", body={})
    assert code == 409  # none runs
    code, st = await call(jp_fetch, "tasks", b["id"], "evaluate", method="POST", body={"max_new_tokens": 256})
    assert code == 202
    await wait_state(jp_fetch, b["id"], lambda s: s.get("phase") in ("loss", "generate"))
    code, st = await call(jp_fetch, "tasks", b["id"], "evaluation", "cancel", method="POST", body={})
    assert code == 202
    st = await wait_state(jp_fetch, b["id"], lambda s: s["state"] != "running")
    assert st["state"] == "cancelled" and "nothing stored" in st["error"]
    assert not (b_dir / "evaluation.json").exists()

    # Run again to the end: a seeded sample of the rows (no held-out split), said so.
    code, st = await call(jp_fetch, "tasks", b["id"], "evaluate", method="POST", body={"max_examples": 4})
    assert code == 202
    st = await wait_state(jp_fetch, b["id"], lambda s: s["state"] != "running")
    assert st["state"] == "completed", st
    code, result = await call(jp_fetch, "tasks", b["id"], "evaluation")
    assert code == 200 and result["split"]["source"] == "sample" and "seen data" in result["split"]["note"]
    assert result["split"]["rows"] == 4 and len(result["samples"]) == 4
    check_scores(result["base"])
    check_scores(result["adapter"])

    # a's evaluation came from its trainer; compare lays both side by side with their loss curves.
    await wait_state(jp_fetch, a["id"], lambda s: s["state"] != "running")
    code, cmp = await call(jp_fetch, "compare", params={"task_ids": f"{a['id']},{b['id']}"})
    assert code == 200, cmp
    assert [t["task_id"] for t in cmp["tasks"]] == [a["id"], b["id"]]
    assert [t["name"] for t in cmp["tasks"]] == ["held out", "no split"]
    for t in cmp["tasks"]:
        assert t["evaluation"]["adapter"]["rouge_l"] is not None
        assert [h["step"] for h in t["history"] if h["loss"] is not None] == [1, 2, 3]
    code, body = await call(jp_fetch, "compare", params={"task_ids": f"{a['id']},../x"})
    assert code == 400
    code, body = await call(jp_fetch, "compare", params={"task_ids": ","})
    assert code == 400
