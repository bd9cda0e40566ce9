"""A fine-tune task exported as a runnable bundle (#20, step 5): the zip holds the data, config.json, train.py,
train.ipynb and a README; the exported train.py, run in a fresh Studio home, trains an adapter with the project's
own trainer; the notebook is valid and its cells load the config and train; REST downloads it as an attachment
and the widget transport as a buffer; an unknown task is a 404 that names it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest
from finetune_data import secret_dataset
from nbclient import NotebookClient

from sage_studio_lab import api
from sage_studio_lab.errors import NotFound
from sage_studio_lab.finetune import datasets, tasks
from sage_studio_lab.finetune.config import TaskConfig
from sage_studio_lab.widgets.testing import frontend_call, recording_comms

pytestmark = pytest.mark.slow
TINY = dict(max_steps=2, batch_size=4, max_length=64, learning_rate=2e-3, save_steps=10, eval_ratio=0.0)
NAME = "door codes / v1"  # a separator in the name: the file name must not carry it


@pytest.fixture(autouse=True)
def one_thread(monkeypatch):
    """Trainers use one CPU thread: on a shared 2-core machine that is several times faster than two."""
    monkeypatch.setenv("SAGE_STUDIO_TRAIN_THREADS", "1")


def wait_done(task_id: str, timeout: float = 300) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        task = tasks.get_task(task_id)
        if task["status"] in ("completed", "failed", "cancelled"):
            return task
        time.sleep(0.5)
    raise AssertionError(f"task {task_id} did not end in {timeout} s")


def trained_task(tmp_path) -> dict:
    ds = datasets.import_file(secret_dataset(tmp_path))
    task = tasks.create_task(TaskConfig(dataset_id=ds["id"], name=NAME, **TINY))
    done = wait_done(task["id"])
    assert done["status"] == "completed", done["error"]
    return done


def unzip(blob: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


async def test_export_downloads_a_bundle_whose_script_trains_again(jp_fetch, tmp_path, studio_home):
    task = trained_task(tmp_path)

    resp = await jp_fetch(
        "sage-studio", "api", "finetune", "tasks", task["id"], "export", method="GET", raise_error=False
    )
    assert resp.code == 200
    assert resp.headers["Content-Type"] == "application/zip"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and 'filename="door codes - v1.zip"' in disposition
    assert f"filename*=UTF-8''{quote('door codes - v1.zip', safe='')}" in disposition
    files = unzip(resp.body)
    assert set(files) == {"data/secret.jsonl", "config.json", "train.py", "train.ipynb", "README.md"}
    stored = Path(task["output_dir"], "config.json").read_text()
    assert json.loads(files["config.json"]) == json.loads(stored)  # the config as stored, complete
    rows = [json.loads(line) for line in files["data/secret.jsonl"].decode().splitlines()]
    assert len(rows) == 12 and rows[0]["messages"][-1]["content"] == "The secret code is ZEBRA-42."
    assert "python train.py" in files["README.md"].decode()

    # The notebook: valid nbformat, the loop's steps as cells through the project's own calls.
    nb = nbformat.reads(files["train.ipynb"].decode(), as_version=4)
    nbformat.validate(nb)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for step in (
        "config.json",
        "finetune('data/secret.jsonl'",
        "progress.wait()",
        "improve.evaluation",
        "use_in_chat",
    ):
        assert step in code, step

    # The script, run where it was unzipped, in a fresh Studio home: the same trainer writes a new adapter.
    bundle = tmp_path / "bundle"
    for name, content in files.items():
        (bundle / name).parent.mkdir(parents=True, exist_ok=True)
        (bundle / name).write_bytes(content)
    home = tmp_path / "reproduced-home"
    env = dict(os.environ, SAGE_STUDIO_HOME=str(home), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    proc = subprocess.run(
        [sys.executable, "train.py", "--max-steps", "2"],
        cwd=bundle,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    adapters = list(home.glob("users/*/finetune/ft-*/adapter/adapter_config.json"))
    assert len(adapters) == 1, proc.stdout
    assert f"adapter: {adapters[0].parent}" in proc.stdout
    reproduced = json.loads((adapters[0].parents[1] / "config.json").read_text())["config"]
    original = json.loads(stored)["config"]
    assert {k: v for k, v in reproduced.items() if k != "dataset_id"} == {
        k: v for k, v in original.items() if k != "dataset_id"
    }

    # The notebook, executed in a real kernel (another fresh home): trains, evaluates (none asked), and the
    # use-in-chat cell says to start the engine rather than failing.
    nb_home = tmp_path / "notebook-home"
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(bundle)}}
    )
    client.execute(env=dict(env, SAGE_STUDIO_HOME=str(nb_home)))  # CellExecutionError names a failing cell
    assert len(list(nb_home.glob("users/*/finetune/ft-*/adapter/adapter_config.json"))) == 1
    printed = [o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout"]
    assert any("Start the engine first" in text for text in printed)


async def test_an_unknown_task_is_a_404_that_names_it(jp_fetch):
    resp = await jp_fetch(
        "sage-studio", "api", "finetune", "tasks", "ft-missing", "export", method="GET", raise_error=False
    )
    assert resp.code == 404 and resp.headers["Content-Type"].startswith("application/json")
    assert json.loads(resp.body)["message"] == "task 'ft-missing' not found"
    with pytest.raises(NotFound, match="ft-missing"):
        api.invoke("finetune.export_task", {"task_id": "ft-missing"})


def test_the_widget_transport_sends_the_bundle_as_a_buffer(tmp_path):
    """A queued-then-cancelled task is enough: the bundle needs its config and data, not an adapter."""
    from sage_studio_lab.widgets.base import StudioWidget

    ds = datasets.import_file(secret_dataset(tmp_path))
    task = tasks.create_task(TaskConfig(dataset_id=ds["id"], name=NAME, **TINY))
    tasks.cancel_task(task["id"], grace_s=1)
    datasets.delete_dataset(ds["id"])  # the task's own copy of its data is exported then
    with recording_comms():
        widget = StudioWidget()
        message, _ = frontend_call(widget, "finetune.export_task", {"task_id": task["id"]})
        assert message["ok"], message
        value = message["value"]
        assert value["filename"] == "door codes - v1.zip" and value["content_type"] == "application/zip"
        (blob,) = [b for m, b in widget.comm.custom() if m is message][0]
    assert len(blob) == value["size"]
    files = unzip(blob)
    assert f"data/{ds['id']}.jsonl" in files and "train.py" in files
    assert "the task's own copy" in files["README.md"].decode()
