"""The fine-tune form's first run in a real JupyterLab + chromium (issue #19): *Use the SAGE docs sample* picks the
bundled sample (listed with its rows), the resource advice appears under the form and follows the batch size,
*Validate* says the dataset is ready, and deleting a task asks through JupyterLab's own dialog. No training: the
task to delete is created and cancelled over REST."""

from __future__ import annotations

import json
import time
import urllib.error

from .conftest import open_lab, screenshot
from .test_panels import UI_TIMEOUT, no_error, open_main


def _wait_terminal(lab, task_id: str, timeout_s: float = 180) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        _, body = lab.api(f"/sage-studio/api/finetune/tasks/{task_id}")
        status = json.loads(body)["status"]
        if status in ("completed", "failed", "cancelled"):
            return status
        time.sleep(1)
    raise AssertionError(f"task {task_id} still {status} after {timeout_s} s")


def test_sample_dataset_advice_validate_and_delete_dialog(lab, page):
    open_lab(page, lab)
    main = open_main(page, lab, "finetune")

    # The docs sample: selected, listed with its row count, validated on arrival.
    main.get_by_role("button", name="Use the SAGE docs sample").click()
    ok = main.locator(".sage-dataset-ok")
    ok.wait_for(timeout=UI_TIMEOUT)
    assert ok.inner_text().startswith("SAGE docs sample: ✓ ") and "ready to train" in ok.inner_text()
    _, body = lab.api("/sage-studio/api/finetune/datasets")
    (sample,) = json.loads(body)["datasets"]
    picker = main.get_by_label("dataset", exact=True)
    assert picker.input_value() == sample["id"]
    assert picker.locator("option:checked").inner_text() == f"SAGE docs sample ({sample['rows']} rows)"
    # Asking again selects the same dataset, it does not build another one.
    main.get_by_role("button", name="Use the SAGE docs sample").click()
    main.get_by_role("button", name="Use the SAGE docs sample", exact=True).wait_for(timeout=UI_TIMEOUT)
    _, body = lab.api("/sage-studio/api/finetune/datasets")
    assert [d["id"] for d in json.loads(body)["datasets"]] == [sample["id"]]

    # Live advice in plain words with units, following the batch size.
    advice = main.locator(".sage-advice-live li").first
    page.wait_for_function(
        "el => el.textContent.startsWith('Estimated memory:')",
        arg=advice.element_handle(timeout=UI_TIMEOUT),
        timeout=UI_TIMEOUT,
    )
    before = advice.inner_text()
    assert "GiB" in before
    steps = main.locator(".sage-advice-live li", has_text="Training:")
    assert "training rows" in steps.inner_text()
    main.get_by_label("batch size").fill("16")
    page.wait_for_function(
        "([el, old]) => el.isConnected && el.textContent !== old",
        arg=[main.locator(".sage-advice-live li").first.element_handle(), before],
        timeout=UI_TIMEOUT,
    )
    after = main.locator(".sage-advice-live li").first.inner_text()
    gib = lambda line: float(line.split("Estimated memory: ")[1].split(" GiB")[0])  # noqa: E731
    assert gib(after) > gib(before), (before, after)
    assert "16 examples per step" in main.locator(".sage-advice-live").inner_text()

    # Validate says so on a good dataset.
    main.get_by_role("button", name="Validate").click()
    validated = main.locator(".sage-validated")
    validated.wait_for(timeout=UI_TIMEOUT)
    text = validated.inner_text()
    assert text.startswith(f"✓ {sample['rows']} rows, docs format") and text.endswith("ready to train")
    assert "tokens per example" in text
    no_error(main)
    screenshot(page, "finetune-form-first-run")

    # A finished task (created and cancelled over REST, no training needed) is deleted through JupyterLab's dialog.
    config = {"name": "to-delete", "dataset_id": sample["id"], "max_steps": 1, "batch_size": 1}
    _, body = lab.api("/sage-studio/api/finetune/tasks", "POST", json.dumps(config).encode())
    task_id = json.loads(body)["id"]
    lab.api(f"/sage-studio/api/finetune/tasks/{task_id}/cancel", "POST", b"{}")
    status = _wait_terminal(lab, task_id)
    row = main.locator(f'tr[data-task-id="{task_id}"][data-status="{status}"]')
    row.wait_for(timeout=UI_TIMEOUT)
    row.click()
    detail = main.locator(f'.sage-task-detail[data-task-id="{task_id}"]')
    detail.get_by_role("button", name="Delete").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=UI_TIMEOUT)
    assert "to-delete" in dialog.inner_text()
    dialog.locator("button.jp-mod-accept").click()
    dialog.wait_for(state="detached", timeout=UI_TIMEOUT)
    detail.wait_for(state="detached", timeout=UI_TIMEOUT)
    main.locator(f'tr[data-task-id="{task_id}"]').wait_for(state="detached", timeout=UI_TIMEOUT)
    try:
        lab.api(f"/sage-studio/api/finetune/tasks/{task_id}")
        raise AssertionError("the task is still there")
    except urllib.error.HTTPError as err:
        assert err.code == 404
