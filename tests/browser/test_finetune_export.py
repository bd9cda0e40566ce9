"""*Export as notebook* in the fine-tune panel (#20, step 5), in a real JupyterLab + chromium: a task's detail
downloads `<task name>.zip` holding its data, config.json, train.py, train.ipynb and a README. No training: the
task is created and cancelled over REST (the bundle needs its config and data, not an adapter)."""

from __future__ import annotations

import json
import time
import zipfile

from .conftest import open_lab
from .test_panels import UI_TIMEOUT, no_error, open_main


def api_json(lab, path: str, method: str = "GET", body: dict | None = None):
    data = None if body is None else json.dumps(body).encode()
    return json.loads(lab.api(f"sage-studio/api/{path}", method, data)[1])


def test_export_as_notebook_downloads_the_task_bundle(lab, page):
    sample = api_json(lab, "finetune/sample-dataset", "POST", {})
    config = {"name": "docs qa / export", "dataset_id": sample["id"], "max_steps": 1, "batch_size": 1}
    task = api_json(lab, "finetune/tasks", "POST", config)
    api_json(lab, f"finetune/tasks/{task['id']}/cancel", "POST", {})
    deadline = time.time() + 180
    while task["status"] not in ("completed", "failed", "cancelled") and time.time() < deadline:
        time.sleep(1)
        task = api_json(lab, f"finetune/tasks/{task['id']}")

    open_lab(page, lab)
    main = open_main(page, lab, "finetune")
    row = main.locator(f'tr[data-task-id="{task["id"]}"][data-status="{task["status"]}"]')
    row.wait_for(timeout=UI_TIMEOUT)
    row.click()
    detail = main.locator(f'.sage-task-detail[data-task-id="{task["id"]}"]')
    with page.expect_download(timeout=UI_TIMEOUT) as info:
        detail.get_by_role("button", name="Export as notebook").click()
    download = info.value
    assert download.suggested_filename == "docs qa - export.zip"  # the task's name, made a file name
    with zipfile.ZipFile(download.path()) as zf:
        names = set(zf.namelist())
        stored = json.loads(zf.read("config.json"))
    assert names == {"data/SAGE-docs-sample.jsonl", "config.json", "train.py", "train.ipynb", "README.md"}
    assert stored["task_id"] == task["id"] and stored["config"]["max_steps"] == 1
    main.locator(".sage-notice", has_text="Downloaded docs qa - export.zip").wait_for()
    no_error(main)
