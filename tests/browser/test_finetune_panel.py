"""The fine-tune panel in a real JupyterLab + chromium: the task table (sidebar and main area) is fed by ONE push
socket (`api/finetune/events`) that closes while no fine-tune view is visible; a tiny real training shows up and
completes in both lists; "Download adapter" downloads the adapter zip; a DoRA adapter the engine cannot hot-load
is offered merge-and-restart, which restarts the engine on the merged model."""

from __future__ import annotations

import json
import time
import zipfile

from .conftest import open_lab, screenshot
from .test_panels import TRAIN_ROWS, UI_TIMEOUT, no_error, open_main, open_section

EVENTS = "/sage-studio/api/finetune/events"


def start_tiny_task(panel, tmp_path, name: str, dora: bool = False) -> None:
    data = tmp_path / f"{name}.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in TRAIN_ROWS))
    panel.get_by_label("dataset file").set_input_files(str(data))
    panel.locator(".sage-dataset-ok").wait_for(timeout=UI_TIMEOUT)
    panel.get_by_label("task name").fill(name)
    panel.get_by_label("max steps (0 = all)").fill("4")
    panel.get_by_label("batch size").fill("2")
    if dora:
        panel.get_by_label("DoRA").check()
    panel.get_by_role("button", name="Start fine-tune").click()


def open_sockets(sockets, suffix: str):
    return [ws for ws in sockets if ws.url.split("?")[0].endswith(suffix) and not ws.is_closed()]


def wait_until(page, predicate, timeout_s: float = 15, what: str = "condition"):
    deadline = time.time() + timeout_s
    while not predicate():
        assert time.time() < deadline, f"timed out waiting for {what}"
        page.wait_for_timeout(200)


def test_task_table_push_download_and_hidden_views(lab, page, tmp_path):
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws))
    open_lab(page, lab)
    main = open_main(page, lab, "finetune")  # the sidebar's fine-tune section stays visible too
    sidebar = page.locator("#sage-studio-sidebar")
    main.locator("table.sage-task-table[data-live='true']").wait_for(timeout=UI_TIMEOUT)
    wait_until(page, lambda: len(open_sockets(sockets, EVENTS)) == 1, what="one events socket")

    start_tiny_task(main, tmp_path, "browser-table")
    row = main.locator("tr[data-task-id]").first
    row.wait_for(timeout=UI_TIMEOUT)  # pushed: nobody reloaded the list
    task_id = row.get_attribute("data-task-id")
    # Both lists follow the same pushed rows to the end of the run.
    main.locator(f'tr[data-task-id="{task_id}"][data-status="completed"]').wait_for(timeout=300_000)
    sidebar.locator(f'tr[data-task-id="{task_id}"][data-status="completed"]').wait_for(timeout=30_000)
    assert "100%" in sidebar.locator(f'tr[data-task-id="{task_id}"]').inner_text()
    # Two visible views, one socket for the table; per-task sockets only for the detail (loss curve + logs).
    assert len(open_sockets(sockets, EVENTS)) == 1
    per_task = [ws.url for ws in sockets if f"/tasks/{task_id}/events" in ws.url]
    assert per_task and all("logs=1" in url for url in per_task), per_task

    detail = main.locator(f'.sage-task-detail[data-task-id="{task_id}"][data-status="completed"]')
    detail.wait_for(timeout=UI_TIMEOUT)
    assert "no log lines yet" not in detail.locator(".sage-logs").inner_text()
    with page.expect_download(timeout=UI_TIMEOUT) as info:
        detail.get_by_role("button", name="Download adapter").click()
    download = info.value
    assert download.suggested_filename == f"{task_id}-adapter.zip"
    with zipfile.ZipFile(download.path()) as zf:
        names = zf.namelist()
    assert "adapter_config.json" in names and any(n.endswith(".safetensors") for n in names), names
    main.locator(".sage-notice", has_text="Downloaded").wait_for()
    no_error(main)
    screenshot(page, "finetune")

    # Hide every fine-tune view (sidebar on another section, the Engine panel over the main one): nothing live.
    open_main(page, lab, "engine")
    open_section(page, lab, "chat")
    wait_until(page, lambda: not open_sockets(sockets, EVENTS), what="the events socket to close")
    before = len([ws for ws in sockets if ws.url.split("?")[0].endswith(EVENTS)])
    # Shown again: a fresh socket (and snapshot).
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Fine-tune").first.click()
    wait_until(page, lambda: len(open_sockets(sockets, EVENTS)) == 1, what="the events socket to reopen")
    assert len([ws for ws in sockets if ws.url.split("?")[0].endswith(EVENTS)]) == before + 1


def test_dora_adapter_merge_and_restart_from_panel(lab, page, tmp_path):
    status, body = lab.api(
        "sage-studio/api/engine/start",
        "POST",
        json.dumps({"backend": "cpu", "wait": True, "timeout": 280}).encode(),
        timeout=300,
    )
    assert json.loads(body)["status"] == "running", body
    open_lab(page, lab)
    main = open_main(page, lab, "finetune")
    if not main.get_by_label("task name").is_visible():
        main.get_by_role("button", name="New task").click()
    start_tiny_task(main, tmp_path, "browser-dora", dora=True)
    detail = main.locator('.sage-task-detail[data-status="completed"]')
    detail.wait_for(timeout=300_000)
    assert "browser-dora" in detail.inner_text()

    detail.get_by_role("button", name="Use in chat").click()
    offer = detail.locator('.sage-merge-offer[data-phase="needs-merge"]')
    offer.wait_for(timeout=UI_TIMEOUT)
    assert "DoRA" in offer.inner_text()
    screenshot(page, "finetune-merge-restart")
    offer.get_by_role("button", name="Merge and restart engine").click()
    detail.locator('.sage-merge-offer[data-phase="merging"]').wait_for(timeout=10_000)  # busy meanwhile
    assert detail.get_by_role("button", name="Use in chat").is_disabled()
    notice = detail.locator(".sage-notice")
    notice.wait_for(timeout=500_000)
    text = notice.inner_text()
    assert "Chat now uses" in text and "engine restarted" in text, text
    no_error(detail)
    current = json.loads(lab.api("sage-studio/api/finetune/current-model")[1])
    assert current["kind"] == "merged", current
    engine = json.loads(lab.api("sage-studio/api/engine/status")[1])
    assert engine["status"] == "running" and engine["model"].rstrip("/").endswith("merged"), engine
