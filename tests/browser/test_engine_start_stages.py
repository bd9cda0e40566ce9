"""The Engine panel's start in a real JupyterLab + headless chromium, against the real server and bundled model
(issue #19): Start shows the start stages with a progress bar instead of a bare "loading", then running; the raw
command line sits behind "details"; an adapter of a fine-tune task is listed under the task's name; Restart asks in
JupyterLab's dialog, follows the stages again and comes back running with the adapter."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

from .conftest import dismiss_news_toast, open_lab, screenshot
from .test_panels import UI_TIMEOUT, no_error, open_section

TASK_ID = "ft-20261206-075716-aacc59"
TASK_NAME = "password-lora"


@contextlib.contextmanager
def lab_store(lab):
    """The lab's own store, from this test process (its SAGE_STUDIO_HOME for a moment)."""
    from sage_studio_lab.store import get_store, reset_stores

    before = os.environ.get("SAGE_STUDIO_HOME")
    os.environ["SAGE_STUDIO_HOME"] = str(lab.home)
    reset_stores()
    try:
        yield get_store()
    finally:
        if before is None:
            os.environ.pop("SAGE_STUDIO_HOME", None)
        else:
            os.environ["SAGE_STUDIO_HOME"] = before
        reset_stores()


def finished_task_with_adapter(lab, tmp_path: Path) -> Path:
    """A completed fine-tune task's row and a real (untrained) LoRA for the bundled model: seconds, not a run."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from test_engine_manager import _make_lora

    from sage_studio_lab.store import now

    adapter = _make_lora(tmp_path / "task" / "adapter")
    with lab_store(lab) as store:
        store.execute(
            "INSERT INTO finetune_tasks(id, name, base_model, dataset_id, config, status, output_dir, created_at,"
            " updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                TASK_ID,
                TASK_NAME,
                "SmolLM2-135M-Instruct",
                "d",
                "{}",
                "completed",
                str(adapter.parent),
                now(),
                now(),
            ),
        )
    return adapter


def follow_start(panel) -> str:
    """While it loads: a stage list with the current stage's <progress>; the name of that stage."""
    current = panel.locator('.sage-engine-stages li[data-state="current"]')
    current.locator("progress").wait_for(timeout=UI_TIMEOUT)
    name = current.first.get_attribute("data-stage")
    assert name in ("starting", "materialising", "loading weights", "warming up"), name
    assert "starting for" in panel.locator("[data-elapsed]").inner_text()
    return name


def test_start_shows_stages_then_restart_keeps_the_named_adapter(lab, page, tmp_path):
    open_lab(page, lab)
    dismiss_news_toast(page)
    panel = open_section(page, lab, "engine")
    panel.locator('[data-engine-status="stopped"]').wait_for(timeout=UI_TIMEOUT)
    panel.get_by_role("button", name="Start engine").click()

    stage = follow_start(panel)
    screenshot(page, "engine-start-stages")
    # the command line is not shown unless asked for
    assert "sage_studio_lab.engine.serve" not in panel.inner_text()
    panel.locator('.sage-engine-card[data-engine-status="running"]').wait_for(timeout=300_000)
    panel.get_by_role("button", name="details").click()
    assert "sage_studio_lab.engine.serve" in panel.locator(".sage-engine-details pre").inner_text()
    assert panel.locator(".sage-engine-stages").count() == 0  # running: no stages any more

    adapter = finished_task_with_adapter(lab, tmp_path)
    body = json.dumps({"name": TASK_ID, "path": str(adapter)}).encode()
    lab.api("sage-studio/api/engine/adapters", "POST", body, timeout=180)
    row = panel.locator(f'.sage-engine-adapters li[data-adapter="{TASK_ID}"]')
    row.wait_for(timeout=UI_TIMEOUT)  # the next status poll
    assert TASK_NAME in row.locator(".sage-adapter-label").inner_text() and TASK_ID in row.inner_text()

    before = json.loads(lab.api("sage-studio/api/engine/status")[1])["id"]
    panel.get_by_role("button", name="Restart engine").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=UI_TIMEOUT)
    assert "Restart the engine" in dialog.inner_text()
    dialog.get_by_role("button", name="Restart").click()
    follow_start(panel)
    panel.locator('.sage-engine-card[data-engine-status="running"]').wait_for(timeout=300_000)
    status = json.loads(lab.api("sage-studio/api/engine/status")[1])
    assert status["status"] == "running" and status["id"] != before
    row.wait_for(timeout=UI_TIMEOUT)  # reloaded once the restarted engine was up
    assert TASK_NAME in row.inner_text()
    no_error(panel)
    screenshot(page, "engine-restarted-adapter")
    print(f"first stage seen: {stage}")
