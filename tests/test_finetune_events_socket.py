"""One push socket for the whole task table (`api/finetune/events`) on a real Jupyter server: a snapshot on
open, then progress and status of a real (tiny) training, the final `completed`, and deletions."""

from __future__ import annotations

import asyncio
import json

import pytest
from finetune_data import secret_dataset

pytestmark = pytest.mark.slow


async def next_message(ws, timeout: float = 240) -> dict:
    msg = await asyncio.wait_for(ws.read_message(), timeout)
    assert msg is not None, "the server closed the task-table socket"
    return json.loads(msg)


async def call(jp_fetch, *parts, method="GET", body=None):
    resp = await jp_fetch(
        "sage-studio",
        "api",
        "finetune",
        *parts,
        method=method,
        body=None if body is None else json.dumps(body),
        raise_error=False,
    )
    return resp.code, json.loads(resp.body)


async def test_one_socket_pushes_snapshot_progress_completion_and_deletion(
    jp_fetch, jp_ws_fetch, tmp_path, monkeypatch
):
    from sage_studio_lab.finetune import datasets

    monkeypatch.setenv("SAGE_STUDIO_TRAIN_THREADS", "1")
    ws = await jp_ws_fetch("sage-studio", "api", "finetune", "events")
    assert await next_message(ws, 60) == {"type": "snapshot", "tasks": []}

    ds = datasets.import_file(secret_dataset(tmp_path, 10))
    code, task = await call(
        jp_fetch,
        "tasks",
        method="POST",
        body={
            "dataset_id": ds["id"],
            "max_steps": 4,
            "batch_size": 4,
            "max_length": 64,
            "eval_ratio": 0.2,
            "eval_steps": 2,
            "save_steps": 100,
            "learning_rate": 1e-3,
        },
    )
    assert code == 201

    messages = []
    while True:  # everything arrives on this one socket: no per-task socket, no polling
        msg = await next_message(ws)
        messages.append(msg)
        if msg["type"] == "task" and msg["task"]["status"] in ("completed", "failed", "cancelled"):
            break
    assert messages[0]["type"] == "task" and messages[0]["task"]["id"] == task["id"]
    final = messages[-1]["task"]
    assert final["status"] == "completed", final["error"]
    assert final["adapter_path"] and final["progress"]["step"] == 4

    progress = [m for m in messages if m["type"] == "progress"]
    assert progress and all(m["task_id"] == task["id"] for m in progress)
    steps = [m["step"] for m in progress]
    assert steps == sorted(steps) and steps[-1] == 4  # the latest event of each tick, in order, up to the end
    assert progress[-1]["total_steps"] == 4 and progress[-1]["loss"] > 0 and progress[-1]["epoch"] > 0
    assert progress[-1]["progress"]["step"] == 4 and "eta_s" in progress[-1]
    assert any(m["eval_loss"] is not None for m in progress)  # eval at steps 2 and 4

    # a second client's snapshot is exactly the task list of the REST route
    ws2 = await jp_ws_fetch("sage-studio", "api", "finetune", "events")
    snapshot = await next_message(ws2, 60)
    _, listed = await call(jp_fetch, "tasks")
    assert snapshot["type"] == "snapshot" and snapshot["tasks"] == listed["tasks"]
    assert [t["status"] for t in snapshot["tasks"]] == ["completed"]

    code, _ = await call(jp_fetch, "tasks", task["id"], method="DELETE")
    assert code == 200
    for sock in (ws, ws2):
        while (msg := await next_message(sock, 30))["type"] != "deleted":
            assert msg["type"] in ("progress", "task"), msg
        assert msg == {"type": "deleted", "task_id": task["id"]}
    ws.close()
    ws2.close()
