"""Resuming from the fine-tune view in a real JupyterLab + chromium: a tiny real training started from the form
(advanced section opened, an advanced setting changed), cancelled from its detail once it runs, then *Resume*
queues it again and the same detail follows the new run to completion, steps shown as a table."""

from __future__ import annotations

import json

from .conftest import open_lab, screenshot
from .test_panels import TRAIN_ROWS, UI_TIMEOUT, no_error, open_main


def test_resume_a_cancelled_task_from_the_view(lab, page, tmp_path):
    open_lab(page, lab)
    main = open_main(page, lab, "finetune")
    data = tmp_path / "resume.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in TRAIN_ROWS))
    main.get_by_label("dataset file").set_input_files(str(data))
    ok = main.locator(".sage-dataset-ok")
    ok.wait_for(timeout=UI_TIMEOUT)
    assert f"✓ {len(TRAIN_ROWS)} rows" in ok.inner_text() and "ready to train" in ok.inner_text()
    main.get_by_label("task name").fill("browser-resume")
    main.get_by_label("max steps (0 = all)").fill("10")
    main.get_by_label("batch size").fill("1")
    # The advanced settings are collapsed until asked for.
    advanced = main.locator("details.sage-advanced")
    assert not advanced.get_attribute("open") and not main.get_by_label("eval split").is_visible()
    advanced.locator("summary").click()
    main.get_by_label("eval split").fill("0")
    assert main.get_by_label("LR scheduler").input_value() == "linear"
    assert "10 training steps" in main.locator(".sage-plan").inner_text()
    main.get_by_role("button", name="Start fine-tune").click()

    row = main.locator("tr[data-task-id]").first
    row.wait_for(timeout=UI_TIMEOUT)
    task_id = row.get_attribute("data-task-id")
    _, body = lab.api(f"/sage-studio/api/finetune/tasks/{task_id}")
    assert json.loads(body)["config"]["eval_ratio"] == 0  # the advanced setting reached the task

    detail = main.locator(f'.sage-task-detail[data-task-id="{task_id}"]')
    # Cancel once it has measured steps (the speed line comes from the progress events).
    detail.locator(".sage-speed").wait_for(timeout=300_000)
    assert (
        "s/step" in detail.locator(".sage-speed").inner_text()
        or "steps/s" in detail.locator(".sage-speed").inner_text()
    )
    detail.get_by_role("button", name="Cancel").click()
    main.locator(f'.sage-task-detail[data-task-id="{task_id}"][data-status="cancelled"]').wait_for(
        timeout=120_000
    )
    steps_before = detail.locator(".sage-step-table tbody tr").count()
    assert steps_before >= 1

    detail.get_by_role("button", name="Resume").click()
    main.locator(".sage-notice", has_text="Queued again").wait_for(timeout=UI_TIMEOUT)
    # The same detail follows the new run (a fresh stream) to its end; the table row too.
    done = main.locator(f'.sage-task-detail[data-task-id="{task_id}"][data-status="completed"]')
    try:
        done.wait_for(timeout=300_000)
    except Exception:
        _, task = lab.api(f"/sage-studio/api/finetune/tasks/{task_id}")
        _, logs = lab.api(f"/sage-studio/api/finetune/tasks/{task_id}/logs?lines=40")
        raise AssertionError(
            f"detail: {detail.get_attribute('data-status')}; task: {task.decode()[:600]}; "
            f"log: {logs.decode()[-3000:]}"
        ) from None
    main.locator(f'tr[data-task-id="{task_id}"][data-status="completed"]').wait_for(timeout=60_000)
    last = detail.locator(".sage-step-table tbody tr").last
    assert last.get_attribute("data-step") == "10"
    assert detail.get_by_role("button", name="Use in chat").is_visible()
    _, body = lab.api(f"/sage-studio/api/finetune/tasks/{task_id}/progress")
    assert json.loads(body)["status"] == "completed"
    no_error(main)
    screenshot(page, "finetune-resumed")
