"""One task's stream (`TaskFollower`) — fast, no training: the trainer's events and log lines are written by the
test. The widget's `finetune.watch` and the REST socket `api/finetune/tasks/{task_id}/events` send exactly the
same messages, since both are the core's follower."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from sage_studio_lab.errors import InvalidInput, NotFound
from sage_studio_lab.finetune import datasets, tasks, trainers
from sage_studio_lab.finetune.config import TaskConfig
from sage_studio_lab.finetune.events import EventWriter
from sage_studio_lab.finetune.follow import TaskFollower
from sage_studio_lab.finetune.task_store import set_status


@pytest.fixture
def task(tmp_path, monkeypatch):
    """A queued task whose trainer never starts (the test plays the trainer)."""
    monkeypatch.setattr(trainers, "_launch", lambda task_id: False)
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps({"instruction": f"q{i}", "output": "a"}) + "\n" for i in range(3)))
    ds = datasets.import_file(path)
    return tasks.create_task(TaskConfig(dataset_id=ds["id"]))


def play_a_run(task: dict) -> None:
    """What a trainer leaves behind: events, log lines, the final status."""
    folder = Path(task["output_dir"])
    assert set_status(task["id"], "running", expect=("queued",))
    events = EventWriter(folder / "events.jsonl")
    events.write("start", step=0, total_steps=2)
    events.write("progress", step=1, total_steps=2, loss=2.5, epoch=0.5, eta_s=1.0)
    events.write("eval", step=2, eval_loss=2.25)
    events.write("status", status="completed", adapter="adapter")
    events.close()
    (folder / "train.log").write_text("loading\n{'train_runtime': 1.0}\n")
    assert set_status(task["id"], "completed", expect=("running",))


def test_follower_sends_events_logs_and_status_then_ends(task):
    follower = TaskFollower(task["id"], logs=True)
    first = follower.poll()
    assert first == [{"task_id": task["id"], "type": "task_status", "status": "queued", "error": None}]
    assert follower.poll() == [] and not follower.done

    play_a_run(task)
    messages = []
    for _ in range(20):  # new events make it read the store at once
        messages += follower.poll()
        if follower.done:
            break
    assert follower.done
    kinds = [m["type"] for m in messages]
    assert kinds == ["start", "progress", "eval", "status", "log", "log", "task_status"], messages
    assert all(m["task_id"] == task["id"] for m in messages)
    assert messages[1]["loss"] == 2.5 and messages[2]["eval_loss"] == 2.25
    assert [m["line"] for m in messages if m["type"] == "log"] == ["loading", "{'train_runtime': 1.0}"]
    assert messages[-1] == {
        "task_id": task["id"],
        "type": "task_status",
        "status": "completed",
        "error": None,
    }
    assert follower.poll() == []

    # Without `logs`, no log lines; a finished task replays everything and ends at once.
    replay = list(TaskFollower(task["id"]).follow(threading.Event(), 0.01))
    assert [m["type"] for m in replay] == ["start", "progress", "eval", "status", "task_status"]


def test_follower_refuses_bad_ids_and_ends_on_deletion(task):
    with pytest.raises(InvalidInput):
        TaskFollower("../../etc")
    with pytest.raises(NotFound):
        TaskFollower("ft-nope")
    follower = TaskFollower(task["id"])
    follower.poll()
    tasks.delete_task(task["id"])
    messages = []
    for _ in range(TaskFollower.STORE_EVERY + 1):
        messages += follower.poll()
    assert messages == [{"type": "deleted", "task_id": task["id"]}] and follower.done


def test_follower_stops_when_asked(task):
    stop = threading.Event()
    stream = TaskFollower(task["id"]).follow(stop, 0.01)
    assert next(stream)["status"] == "queued"
    stop.set()
    assert list(stream) == []


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"sage_studio_lab": True}}}


async def test_widget_and_rest_socket_send_the_same_messages(task, jp_ws_fetch):
    from sage_studio_lab.widgets.base import StudioWidget
    from sage_studio_lab.widgets.testing import frontend_call, recording_comms

    play_a_run(task)
    ws = await jp_ws_fetch(
        "sage-studio", "api", "finetune", "tasks", task["id"], "events", params={"logs": "1"}
    )
    over_rest = []
    while (msg := await ws.read_message()) is not None:  # closed by the server after the end
        over_rest.append(json.loads(msg))

    with recording_comms():
        widget = StudioWidget()
        result, over_widget = frontend_call(widget, "finetune.watch", {"task_id": task["id"], "logs": 1})
        missing, _ = frontend_call(widget, "finetune.watch", {"task_id": "ft-nope"})
    assert over_widget == over_rest and len(over_rest) == 7
    assert result["ok"] and result["value"] == over_rest[-1]  # the result is the terminal task_status
    assert over_rest[-1]["type"] == "task_status" and over_rest[-1]["status"] == "completed"
    assert missing["ok"] is False and missing["error"]["status"] == 404
