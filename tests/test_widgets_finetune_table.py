"""The fine-tune view's kernel-side methods (notebook widgets): one `finetune.events` stream for the whole task
table, `finetune.download` (the adapter zip as a buffer), `finetune.watch` following the log, and use-in-chat's
merge-and-restart option — on a real tiny LoRA run of the bundled model."""

from __future__ import annotations

import io
import zipfile

import pytest
from finetune_data import secret_dataset

from sage_studio_lab.widgets.testing import frontend_call, recording_comms

pytestmark = pytest.mark.slow
TINY = {"max_steps": 4, "batch_size": 4, "max_length": 64, "learning_rate": 2e-3, "eval_ratio": 0.0}


@pytest.fixture(autouse=True)
def comms():
    with recording_comms() as made:
        yield made


def events_of(widget, call_id: str) -> list[dict]:
    return [
        m["event"] for m, _ in widget.comm.custom() if m.get("type") == "event" and m.get("id") == call_id
    ]


def test_task_table_stream_download_and_logs(tmp_path, monkeypatch):
    from sage_studio_lab.widgets.base import StudioWidget

    monkeypatch.setenv("SAGE_STUDIO_TRAIN_THREADS", "1")
    widget = StudioWidget()
    # The view opens the table stream first: an empty snapshot.
    widget.dispatch("table", "finetune.events", {"interval_s": 0.2})
    widget.comm.wait_for(lambda _m: events_of(widget, "table"), 30)
    assert events_of(widget, "table")[0] == {"type": "snapshot", "tasks": []}

    upload, _ = frontend_call(
        widget,
        "finetune.upload",
        {"name": "secret.jsonl", "content": secret_dataset(tmp_path, 8).read_text()},
    )
    assert upload["ok"], upload
    created, _ = frontend_call(
        widget,
        "finetune.create",
        {"name": "table-run", "dataset_id": upload["value"]["id"], **TINY},
    )
    assert created["ok"], created
    task_id = created["value"]["id"]

    def finished(_messages):
        return any(
            (e["type"] == "task" and e["task"]["id"] == task_id and e["task"]["status"] == "completed")
            or (e["type"] == "progress" and e["task_id"] == task_id and e["status"] == "completed")
            for e in events_of(widget, "table")
        )

    widget.comm.wait_for(finished, 300)
    table = events_of(widget, "table")
    new = [e for e in table if e["type"] == "task" and e["task"]["id"] == task_id]
    assert new and new[0]["task"]["name"] == "table-run"
    # The same messages as the REST socket's: rows as `finetune.tasks` gives them, the latest progress event nested.
    assert all(set(e["task"]) >= {"status", "progress", "eval"} for e in new)
    progress = [e for e in table if e["type"] == "progress" and e["task_id"] == task_id]
    assert progress, table
    assert all(e["progress"]["loss"] > 0 for e in progress)
    assert progress[-1]["progress"]["step"] == 4 and progress[-1]["progress"]["total_steps"] == 4
    # The stream stays open until the view goes away (hidden): cancel ends it with one result.
    widget.cancel("table")
    widget.join_calls(10)
    result = [m for m, _ in widget.comm.custom() if m.get("type") == "result" and m.get("id") == "table"]
    assert result == [{"type": "result", "id": "table", "ok": True, "value": {"cancelled": True}}]

    # Download: the adapter zip travels as a buffer and holds adapter_config.json.
    download, _ = frontend_call(widget, "finetune.download", {"task_id": task_id})
    assert download["ok"], download
    value = download["value"]
    assert value["filename"] == f"{task_id}-adapter.zip" and value["content_type"] == "application/zip"
    (blob,) = [b for m, b in widget.comm.custom() if m is download][0]
    assert len(blob) == value["size"]
    assert "adapter_config.json" in zipfile.ZipFile(io.BytesIO(blob)).namelist()

    # The detail view's stream follows train.log when asked.
    watched, events = frontend_call(widget, "finetune.watch", {"task_id": task_id, "logs": 1})
    assert watched["ok"], watched
    assert [e for e in events if e["type"] == "log" and e["line"]]
    assert events[-1] == {"task_id": task_id, "type": "task_status", "status": "completed", "error": None}
    assert watched["value"] == events[-1]

    # Merge-and-restart needs a running engine: a clear 503, nothing merged.
    swap, _ = frontend_call(widget, "finetune.use_in_chat", {"task_id": task_id, "merge_and_restart": True})
    assert swap["ok"] is False and swap["error"]["status"] == 503, swap
    assert "engine" in swap["error"]["message"]

    # A missing task: 404 for the download, nothing else.
    missing, _ = frontend_call(widget, "finetune.download", {"task_id": "ft-nope"})
    assert missing["ok"] is False and missing["error"]["status"] in (400, 404)
