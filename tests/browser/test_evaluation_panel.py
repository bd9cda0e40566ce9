"""The improvement loop's evaluation step from the fine-tune panel (#20), in a real JupyterLab + chromium: two real
LoRA runs of the bundled model on a tiny dataset with a held-out split. One is evaluated base vs adapter when its
training ends, the other on demand from its detail (*Evaluate*, with progress), which then shows the scores as a table
and the sample answers; *Compare* adds the other task's scores."""

from __future__ import annotations

import json
import time
import urllib.request

from tests.finetune_data import secret_dataset

from .conftest import open_lab, screenshot
from .test_panels import UI_TIMEOUT, no_error, open_main

TINY = {"max_steps": 3, "batch_size": 4, "max_length": 64, "learning_rate": 2e-3, "eval_ratio": 0.25}


def upload(lab, path) -> dict:
    """The dataset file through the panel's own multipart route."""
    boundary = "sage-browser-test"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
            "Content-Type: application/jsonl\r\n\r\n"
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    req = urllib.request.Request(
        lab.url + "sage-studio/api/finetune/upload-dataset",
        data=body,
        method="POST",
        headers={
            "Authorization": f"token {lab.token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    with urllib.request.urlopen(req, timeout=120) as resp:
        return json.loads(resp.read())


def train(lab, dataset_id: str, name: str, evaluate: bool) -> str:
    config = {"name": name, "dataset_id": dataset_id, "evaluate": evaluate, **TINY}
    _, body = lab.api("sage-studio/api/finetune/tasks", "POST", json.dumps(config).encode())
    return json.loads(body)["id"]


def wait_evaluated(lab, task_id: str, timeout_s: float = 600) -> dict:
    """The task completed and its end-of-training evaluation finished (the other task too: one trains at a time)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        task = json.loads(lab.api(f"sage-studio/api/finetune/tasks/{task_id}")[1])
        assert task["status"] not in ("failed", "cancelled"), task
        if task["status"] == "completed":
            state = json.loads(lab.api(f"sage-studio/api/improve/tasks/{task_id}/evaluation/state")[1])
            if state["state"] == "completed":
                return task
            assert state["state"] in ("running", "none"), state
        time.sleep(1)
    raise AssertionError(f"task {task_id} not evaluated after {timeout_s} s")


def test_scores_evaluate_again_and_compare_in_the_task_detail(lab, page, tmp_path):
    dataset = upload(lab, secret_dataset(tmp_path))
    # The first is evaluated on demand from its detail, the second when its training ends.
    first = train(lab, dataset["id"], "eval-first", evaluate=False)
    second = train(lab, dataset["id"], "eval-second", evaluate=True)
    wait_evaluated(lab, second)

    open_lab(page, lab)
    main = open_main(page, lab, "finetune")
    main.locator(f'tr[data-task-id="{first}"]').click()
    detail = main.locator(f'.sage-task-detail[data-task-id="{first}"]')
    detail.locator("details.sage-evaluation-section summary").click()  # folded until asked for
    view = main.locator(f'.sage-evaluation[data-task-id="{first}"]')
    view.wait_for(timeout=UI_TIMEOUT)
    view.locator(".sage-eval-none").wait_for(timeout=UI_TIMEOUT)  # not evaluated yet: says what Evaluate does
    # On demand: the evaluation runs in the background with its progress shown, then its tables.
    view.get_by_role("button", name="Evaluate", exact=True).click()
    view.locator(".sage-eval-progress").wait_for(timeout=UI_TIMEOUT)
    main.locator(f'.sage-evaluation[data-task-id="{first}"][data-state="completed"]').wait_for(
        timeout=300_000
    )
    metrics = view.locator("table.sage-eval-metrics")
    metrics.wait_for(timeout=UI_TIMEOUT)
    # Base and adapter side by side: the adapter learnt the held-out answers (lower eval loss).
    loss = metrics.locator('tr[data-metric="eval_loss"]')
    base, adapter = (float(loss.locator(c).inner_text()) for c in (".sage-eval-base", ".sage-eval-adapter"))
    assert adapter < base, (base, adapter)
    assert metrics.locator('tr[data-metric="rouge_l"]').count() == 1
    samples = view.locator("table.sage-eval-samples tbody tr")
    assert samples.count() == 3  # 3 of the 12 rows held out
    assert "secret code" in samples.first.inner_text()
    assert view.get_by_role("button", name="Evaluate again").is_visible()

    # Compare with the other task: both rows in the comparison table.
    compare = view.locator("details.sage-eval-compare")
    if not compare.get_attribute("open"):
        compare.locator("summary").click()
    compare.locator(f'input[data-task-id="{second}"]').check()
    compare.get_by_role("button", name="Compare").click()
    table = compare.locator("table.sage-eval-comparison")
    table.wait_for(timeout=UI_TIMEOUT)
    assert {r.get_attribute("data-task-id") for r in table.locator("tbody tr").all()} == {first, second}
    no_error(view)
    screenshot(page, "finetune-evaluation")
