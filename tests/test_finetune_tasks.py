"""Task config validation, resource advice, queue rules and pid liveness — fast, no training."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import psutil
import pytest
from pydantic import ValidationError

from sage_studio_lab.errors import Conflict, InvalidInput, ModelNotFound
from sage_studio_lab.finetune import datasets, tasks, trainers
from sage_studio_lab.finetune.advice import advise
from sage_studio_lab.finetune.config import TaskConfig
from sage_studio_lab.models import bundled_model_dir
from sage_studio_lab.store import get_store


@pytest.fixture
def ds(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps({"instruction": f"q{i}", "output": "a"}) + "\n" for i in range(3)))
    return datasets.import_file(path)


def test_config_is_typed_and_strict():
    cfg = TaskConfig(dataset_id="ds-1", lora={"target_modules": "all-linear", "rank": 16})
    assert cfg.lora.target_modules == "all-linear" and cfg.model == "SmolLM2-135M-Instruct"
    for bad in (
        {"epochs": 0},
        {"learning_rate": 2},
        {"lora": {"target_modules": []}},
        {"scheduler": "zigzag"},
        {"unknown_option": 1},
        {"lora": {"rank": 0}},
    ):
        with pytest.raises(ValidationError):
            TaskConfig(dataset_id="ds-1", **bad)


def test_advice_warns_but_never_changes_settings(ds):
    huge = TaskConfig(dataset_id=ds["id"], batch_size=512, max_length=32768, lora={"rank": 128})
    warnings = advise(huge, bundled_model_dir(), rows=3)
    text = " | ".join(warnings)
    assert "estimated memory" in text and "fewer than batch_size 512" in text and "rank 128" in text
    assert huge.batch_size == 512 and huge.max_length == 32768
    assert (
        advise(
            TaskConfig(dataset_id=ds["id"], batch_size=2, max_length=64, eval_ratio=0),
            bundled_model_dir(),
            rows=100,
        )
        == []
    )


def test_create_refuses_bad_inputs_and_stores_nothing(ds):
    with pytest.raises(ModelNotFound):
        tasks.create_task(TaskConfig(dataset_id=ds["id"], model="no-such-model"))
    with pytest.raises(InvalidInput, match="needs a CUDA GPU"):
        tasks.create_task(TaskConfig(dataset_id=ds["id"], quantization="4bit"))
    assert get_store().query("SELECT * FROM finetune_tasks") == []
    assert [p for p in tasks.tasks_root().iterdir() if not p.name.startswith(".")] == []
    with pytest.raises(InvalidInput):
        tasks.get_task("../x")


def test_pid_liveness_checks_create_time_and_zombies():
    me = psutil.Process(os.getpid())
    assert tasks.pid_alive(me.pid, me.create_time())
    assert not tasks.pid_alive(me.pid, me.create_time() - 100)  # same pid, another process: recycled
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    created = psutil.Process(child.pid).create_time()
    deadline = time.time() + 30
    while psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE and time.time() < deadline:
        time.sleep(0.05)
    assert not tasks.pid_alive(child.pid, created)  # exited but not yet reaped: dead
    child.wait()
    assert not tasks.pid_alive(None, None)


def test_status_transition_rules(ds, monkeypatch):
    """Queued tasks can be cancelled, cancelled ones resumed, finished ones not cancelled again; all recorded."""
    monkeypatch.setattr(trainers, "_launch", lambda task_id: False)  # nothing starts in this test
    a = tasks.create_task(TaskConfig(dataset_id=ds["id"]))
    assert a["status"] == "queued"
    with pytest.raises(Conflict):
        tasks.resume_task(a["id"])
    assert tasks.cancel_task(a["id"])["status"] == "cancelled"
    with pytest.raises(Conflict):
        tasks.cancel_task(a["id"])
    assert tasks.resume_task(a["id"])["status"] == "queued"
    assert [t["status"] for t in tasks.transitions(a["id"])] == ["pending", "queued", "cancelled", "queued"]
    tasks.delete_task(a["id"])
    assert tasks.list_tasks() == []


def test_reads_never_start_a_trainer_task_events_do(ds, monkeypatch):
    """GET-like reads (`get_task`, `list_tasks`, the task-table watcher) only read; a queued task starts on an
    event: here the running task ending (cancelled), which schedules."""
    from sage_studio_lab.finetune.watch import TaskTableWatcher

    launched = []
    monkeypatch.setattr(trainers, "_launch", lambda task_id: launched.append(task_id) or False)
    first = tasks.create_task(TaskConfig(dataset_id=ds["id"]))
    second = tasks.create_task(TaskConfig(dataset_id=ds["id"]))
    assert launched == [first["id"], first["id"], second["id"]]  # each create scheduled the queue
    launched.clear()
    watcher = TaskTableWatcher()
    watcher.snapshot()
    for _ in range(3):
        tasks.get_task(second["id"])
        tasks.list_tasks()
        watcher.poll()
    assert launched == []
    tasks.cancel_task(first["id"])
    assert launched == [second["id"]]


def test_cancel_does_not_cancel_a_run_resumed_while_the_stopped_trainer_exits(ds, monkeypatch):
    """The stopped trainer records 'cancelled' before it has exited, so the user can resume at once; the cancel
    call, still waiting for the old process, must not then mark the new run cancelled."""
    from sage_studio_lab.finetune.task_store import set_status

    monkeypatch.setattr(trainers, "_launch", lambda task_id: False)
    me = psutil.Process()
    task = tasks.create_task(TaskConfig(dataset_id=ds["id"]))
    assert set_status(task["id"], "running", expect=("queued",), pid=111, pid_create_time=1.0)

    def stop(row, grace_s):  # what happens while the old trainer (pid 111) exits
        assert set_status(row["id"], "cancelled", note="stopped by user", expect=("running",))
        tasks.resume_task(row["id"])
        # the new trainer: a live process (this one), so the scheduler's reaper leaves it running
        assert set_status(
            row["id"], "running", expect=("queued",), pid=me.pid, pid_create_time=me.create_time()
        )
        return 111

    monkeypatch.setattr(tasks, "stop_trainer", stop)
    assert tasks.cancel_task(task["id"])["status"] == "running"  # the resumed run goes on
    assert [t["status"] for t in tasks.transitions(task["id"])][-3:] == ["cancelled", "queued", "running"]
    # A trainer that had to be killed (it recorded nothing) is still recorded as cancelled.
    monkeypatch.setattr(tasks, "stop_trainer", lambda row, grace_s: me.pid)
    assert tasks.cancel_task(task["id"])["status"] == "cancelled"
