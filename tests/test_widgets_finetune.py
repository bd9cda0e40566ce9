"""FinetuneProgress / finetune() on a real LoRA run of the bundled model (detached trainer subprocess)."""

from __future__ import annotations

import array
import json

import pytest
from finetune_data import secret_dataset
from IPython.core.error import UsageError

from sage_studio_lab.errors import NotFound
from sage_studio_lab.widgets.testing import frontend_call, recording_comms

pytestmark = pytest.mark.slow
TINY = dict(
    max_steps=4, batch_size=4, max_length=64, learning_rate=2e-3, save_steps=2, eval_steps=2, eval_ratio=0.2
)


@pytest.fixture(autouse=True)
def comms():
    with recording_comms() as made:
        yield made


def dataset(tmp_path, n=10):
    return secret_dataset(tmp_path, n)


def pairs(blob: bytes) -> list[tuple[float, float]]:
    values = array.array("f", blob).tolist()
    return list(zip(values[::2], values[1::2], strict=True))


def test_finetune_widget_follows_a_real_run(tmp_path):
    from sage_studio_lab.widgets.finetune_progress import FinetuneProgress, finetune

    widget = finetune(dataset(tmp_path), epochs=1, name="widget-run", **TINY)
    assert isinstance(widget, FinetuneProgress) and widget.task["name"] == "widget-run"
    # A second task queues behind the first (one training at a time): cancel it from the view.
    queued = finetune(dataset(tmp_path), **TINY)
    result, _ = frontend_call(queued, "finetune.cancel", {"task_id": queued.task_id})
    assert result["ok"] and result["value"]["status"] == "cancelled"
    assert queued.refresh()["status"] == "cancelled"

    widget.dispatch("w1", "finetune.watch", {"task_id": widget.task_id})  # what the view does when shown
    final = widget.wait(timeout=300)
    widget.join_calls(30)
    watcher_events = [
        m["event"] for m, _ in widget.comm.custom() if m.get("id") == "w1" and m.get("type") == "event"
    ]
    assert final["status"] == "completed", final
    assert widget.progress == 1.0 and widget.status == "completed"
    train = pairs(widget.train_curve)
    assert [s for s, _ in train] == [1, 2, 3, 4] and all(loss > 0 for _, loss in train)
    assert pairs(widget.eval_curve) and final["eval_loss"] is not None
    assert train[-1][1] < train[0][1]  # it learns
    assert widget.logs  # the trainer's log tail
    # Curves went to the view as binary buffers, not JSON lists.
    binary = [
        m
        for m in widget.comm.sent
        if m["data"].get("method") == "update"
        and any("train_curve" in p for p in m["data"].get("buffer_paths", []))
    ]
    assert binary and binary[-1]["buffers"]
    # The view's stream saw progress and the final status.
    assert any(e["type"] == "progress" and e.get("loss") for e in watcher_events)
    # The same messages as the REST socket's (the core's TaskFollower): raw events, then the terminal status.
    assert watcher_events[-1] == {
        "task_id": widget.task_id,
        "type": "task_status",
        "status": "completed",
        "error": None,
    }
    assert {e["type"] for e in watcher_events} <= {
        "start",
        "progress",
        "eval",
        "checkpoint",
        "status",
        "evaluation",  # the trainer's end-of-training evaluation (issue #20) starts as the task completes
        "task_status",
    }
    result, _ = frontend_call(widget, "finetune.progress", {"task_id": widget.task_id})
    assert [h["step"] for h in result["value"]["history"] if h["loss"] is not None] == [1, 2, 3, 4]
    assert result["value"]["adapter_path"] and result["value"]["progress"] == 1.0
    result, _ = frontend_call(widget, "finetune.tasks")
    assert {t["id"] for t in result["value"]["tasks"]} == {widget.task_id, queued.task_id}
    result, _ = frontend_call(widget, "finetune.models")
    assert any(m["type"] == "finetuned" for m in result["value"]["models"])
    # Re-attaching later (another face, a restarted kernel) shows the finished task at once.
    again = FinetuneProgress(widget.task_id)
    assert again.progress == 1.0 and pairs(again.train_curve) == train


def test_bad_inputs():
    from sage_studio_lab.widgets.finetune_progress import FinetuneProgress

    with pytest.raises(NotFound):
        FinetuneProgress("ft-nope")
    with recording_comms():
        from sage_studio_lab.widgets.chat import StudioWidget

        w = StudioWidget()
        result, _ = frontend_call(w, "finetune.get", {"task_id": "../../etc"})
        assert result["ok"] is False and result["error"]["status"] in (400, 404)


def test_magic_reports_dataset_errors_with_the_line(tmp_path, ipython):

    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"instruction": "q", "output": "a"}) + "\n" + json.dumps({"instruction": "q"}) + "\n"
    )
    ip = ipython
    with pytest.raises(UsageError, match="line 2"):
        ip.run_line_magic("sage_studio", f"finetune --data {bad} --epochs 1")
    from sage_studio_lab.store import get_store

    assert get_store().query("SELECT id FROM finetune_tasks") == []  # nothing started


def test_the_widget_without_a_task_is_the_fine_tune_center_and_says_so_when_asked_for_one():
    from sage_studio_lab.errors import InvalidInput
    from sage_studio_lab.widgets.finetune_progress import FinetuneProgress

    widget = FinetuneProgress()
    assert widget.task_id == "" and widget.task == {} and not hasattr(widget, "_watcher")
    # Its view's calls work with no task followed (the form lists datasets, the table lists tasks).
    result, _ = frontend_call(widget, "finetune.tasks", {})
    assert result["ok"] and "tasks" in result["value"], result
    with pytest.raises(InvalidInput, match="follows no task"):
        widget.refresh()
    widget.close()
