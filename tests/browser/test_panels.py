"""The Studio panels in a real JupyterLab + headless chromium, against the real server extension and bundled model.

One lab for the module (engine started from the Engine panel is reused by chat, flow and fine-tune, and stopped
from the panel at the end). Screenshots of each panel go to docs/screenshots/ (used by the README).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import dismiss_news_toast, open_lab, screenshot

REPO = Path(__file__).resolve().parents[2]
UI_TIMEOUT = 90_000  # ms; cold model loads and a busy 2-core machine need generous UI waits
TRAIN_ROWS = [
    {
        "instruction": "What is the capital of France?",
        "input": "",
        "output": "The capital of France is Paris.",
    },
    {"instruction": "Name a primary colour.", "input": "", "output": "Red is a primary colour."},
    {"instruction": "What is 2 + 2?", "input": "", "output": "2 + 2 is 4."},
    {"instruction": "Say hello.", "input": "", "output": "Hello!"},
    {"instruction": "What is the largest ocean?", "input": "", "output": "The Pacific Ocean."},
    {"instruction": "Translate 'cat' to French.", "input": "", "output": "Chat."},
    {"instruction": "What colour is the sky?", "input": "", "output": "The sky is blue."},
    {"instruction": "How many legs does a spider have?", "input": "", "output": "Eight."},
]


def open_section(page, lab, section: str):
    """Open the Studio sidebar (once) and switch to one of its sections."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    panel = page.locator("#sage-studio-sidebar")
    for attempt in range(3):  # the tab toggles: if something else just opened the sidebar, a click closes it
        if panel.is_visible():
            break
        page.locator('[data-id="sage-studio-sidebar"]').click()
        try:
            panel.wait_for(state="visible", timeout=10_000)
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    panel.locator(f'button[data-section="{section}"]').click()
    return panel


def open_main(page, lab, section: str):
    """Open a section in the main area (the sidebar's ⤢ button): more room for tables and the loss curve."""
    open_section(page, lab, section).get_by_label("Open in the main area").click()
    main = page.locator(f".sage-{section}-panel:visible").last
    main.wait_for()
    return main


def no_error(scope):
    errors = scope.locator(".sage-error")
    texts = [errors.nth(i).inner_text() for i in range(errors.count())]
    assert not texts, texts


@pytest.fixture(scope="module")
def studio_page(lab, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT)
    open_lab(page, lab)
    dismiss_news_toast(page)
    yield page
    context.close()


def test_transport_routes_exist_on_the_server(lab):
    """Every REST route the panels' transport maps a method to is served (no 404 route miss): the operations'
    table generated from openapi.json (`operations.ts`) and the routes written by hand (`routes.ts`)."""
    transport = REPO / "labextension/src/transport"
    source = (transport / "routes.ts").read_text() + (transport / "operations.ts").read_text()
    # WebSocket routes (kind 'ws' and the `ws:` of start+ws) are exercised by the flow / fine-tune tests below.
    ws = set(re.findall(r"kind: 'ws', path: '([^']+)'", source)) | set(re.findall(r"ws: '([^']+)'", source))
    paths = sorted(set(re.findall(r"path: '([^']+)'", source)) - ws)
    assert len(paths) > 25
    missing = []
    for path in paths:
        concrete = re.sub(r"\{\w+\}", "123", path)
        try:
            lab.api(f"sage-studio/{concrete}")
        except Exception as exc:  # urllib raises HTTPError for 4xx: a JSON body means our handler answered
            body = getattr(exc, "read", lambda: b"")()
            code = getattr(exc, "code", None)
            if code == 404 and not body.lstrip().startswith(b"{"):
                missing.append(path)
    assert not missing, f"routes the panels call but the server does not serve: {missing}"


def test_each_panel_opens(lab, studio_page):
    page = studio_page
    for section in ("chat", "engine", "finetune", "memory", "flows"):
        panel = open_section(page, lab, section)
        page.wait_for_timeout(800)
        no_error(panel)
        screenshot(page, f"panel-{section}")


def test_engine_start_from_panel(lab, studio_page):
    page = studio_page
    panel = open_section(page, lab, "engine")
    panel.locator('[data-engine-status="stopped"]').wait_for(timeout=UI_TIMEOUT)
    panel.get_by_role("button", name="Start engine").click()
    panel.locator('.sage-engine-card[data-engine-status="running"]').wait_for(timeout=180_000)
    no_error(panel)
    screenshot(page, "engine-running")
    status = json.loads(lab.api("sage-studio/api/engine/status")[1])
    assert status["status"] == "running"


def test_chat_streams_tokens(lab, studio_page):
    page = studio_page
    # A short answer keeps the test quick on a busy CPU: the session's own sampling settings cap it.
    body = json.dumps({"title": "browser chat", "settings": {"max_tokens": 24, "temperature": 0.0}}).encode()
    session = json.loads(lab.api("sage-studio/api/chat/sessions", "POST", body)[1])
    sidebar = open_section(page, lab, "chat")
    sid = session["id"]
    sidebar.locator(f'li[data-session-id="{sid}"] .sage-list-main').click()
    chat = page.locator(".sage-chat-panel:visible").last
    chat.wait_for()
    chat.get_by_label("Message").fill("What is the capital of France?")
    # Count DOM updates of the answer while it arrives: streamed tokens update it many times.
    page.evaluate(
        """() => {
            window.__sageUpdates = 0;
            const panel = [...document.querySelectorAll('.sage-chat-panel')].filter(p => p.offsetParent).pop();
            new MutationObserver(() => { window.__sageUpdates += 1; })
              .observe(panel.querySelector('.sage-messages'), {subtree: true, childList: true, characterData: true});
        }"""
    )
    chat.get_by_role("button", name="Send").click()
    chat.get_by_role("button", name="Stop").wait_for(timeout=90_000)  # streaming: Stop replaces Send
    # Done when the answer has text and the Stop button has turned back into Send.
    page.wait_for_function(
        """() => {
            const panel = [...document.querySelectorAll('.sage-chat-panel')].filter(p => p.offsetParent).pop();
            const msgs = panel ? panel.querySelectorAll('.sage-msg-assistant') : [];
            const buttons = panel ? [...panel.querySelectorAll('button')].map(b => b.textContent) : [];
            return msgs.length && msgs[msgs.length - 1].innerText.trim() && !buttons.includes('Stop');
        }""",
        timeout=240_000,
    )
    answer = chat.locator(".sage-msg-assistant").last
    assert answer.inner_text().strip()
    assert page.evaluate("window.__sageUpdates") >= 4  # many token updates, not one final paint
    no_error(chat)
    if answer.get_by_role("button", name="details").count():  # per-message details (intent, tokens, TTFT…)
        answer.get_by_role("button", name="details").click()
        chat.locator(".sage-details").first.wait_for()
    screenshot(page, "chat")
    stored = json.loads(lab.api(f"sage-studio/api/chat/sessions/{sid}")[1])
    assert [m["role"] for m in stored["messages"]][-2:] == ["user", "assistant"]


def test_memory_panel_shows_the_session(lab, studio_page):
    page = studio_page
    panel = open_main(page, lab, "memory")
    panel.get_by_role("button", name="Refresh").click()
    row = panel.locator("tr[data-session-id]").first
    row.wait_for(timeout=UI_TIMEOUT)
    no_error(panel)
    assert "1" in row.inner_text()  # at least one dialog remembered
    screenshot(page, "memory")


def test_flow_from_template_runs_with_node_status(lab, studio_page):
    page = studio_page
    # The template reads `sample_docs/flows.md` relative to the server's working directory (the lab root).
    docs = lab.root / "sample_docs"
    docs.mkdir(exist_ok=True)
    (docs / "flows.md").write_text(
        "# Flows\n\nA flow is a graph of operators. Data moves along typed edges.\n"
    )
    panel = open_section(page, lab, "flows")
    panel.get_by_role("button", name="New flow", exact=True).click()
    canvas = page.locator(".sage-flow-panel:visible").last
    canvas.wait_for(timeout=UI_TIMEOUT)
    canvas.locator(".sage-palette-item").first.wait_for(timeout=UI_TIMEOUT)  # operator registry loaded
    canvas.get_by_label("Template").select_option("summarise-file")
    canvas.locator(".sage-node").nth(3).wait_for()
    # Nodes keep their measured size across renders: React Flow hides a node it has to measure again, and a render
    # between two of its measurements could leave a node hidden for good.
    canvas.locator(".react-flow__node").first.evaluate(
        """el => {
            window.__sageHidden = [];
            new MutationObserver(ms => ms.forEach(m => {
                if (m.target.style && m.target.style.visibility === 'hidden') window.__sageHidden.push(m.target.dataset.id);
            })).observe(el.parentElement, {attributes: true, subtree: true, attributeFilter: ['style']});
        }"""
    )
    # The config form of a node comes from its schema: make the generator's answer short (busy CPU).
    canvas.locator('.sage-node[data-node-id="llm"]').click()
    max_tokens = canvas.locator(".sage-config").get_by_label("Max tokens")
    max_tokens.fill("8")
    # Selecting a node and editing its config re-rendered the canvas: no node was hidden meanwhile.
    assert page.evaluate("window.__sageHidden") == []
    canvas.get_by_role("button", name="Run", exact=True).click()
    try:
        canvas.locator(
            '.sage-run-info[data-run-status="finished"], .sage-run-info[data-run-status="failed"]'
        ).wait_for(timeout=300_000)
    finally:
        screenshot(page, "flow-canvas")
    statuses = canvas.locator(".sage-node").evaluate_all("els => els.map(e => e.dataset.status)")
    assert canvas.locator(".sage-run-info").get_attribute("data-run-status") == "finished", (
        statuses,
        canvas.locator(".sage-run-info").inner_text(),
    )
    assert statuses and all(s == "done" for s in statuses), statuses
    # The canvas edits the file like any document: dirty after edits, saved with File > Save.
    assert page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count() == 1  # edited, not saved yet
    page.locator(".lm-MenuBar-itemLabel", has_text="File").click()
    page.locator('.lm-Menu-item[data-command="docmanager:save"]').click()
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.jp-mod-dirty')].some(e => e.offsetParent)", timeout=30_000
    )
    saved = list(lab.root.glob("*.sage-flow.json"))
    assert saved
    nodes = {n["id"]: n for n in json.loads(saved[0].read_text())["nodes"]}
    assert len(nodes) == 4 and nodes["llm"]["data"]["config"]["max_tokens"] == 8


def test_finetune_loss_curve_then_use_in_chat(lab, studio_page, tmp_path):
    page = studio_page
    panel = open_main(page, lab, "finetune")
    data = tmp_path / "tiny.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in TRAIN_ROWS))
    panel.get_by_label("dataset file").set_input_files(str(data))
    panel.locator(".sage-dataset-ok").wait_for(timeout=UI_TIMEOUT)
    panel.get_by_label("task name").fill("browser-tiny")
    panel.get_by_label("max steps (0 = all)").fill("4")
    panel.get_by_label("batch size").fill("2")
    panel.get_by_role("button", name="Start fine-tune").click()
    detail = panel.locator(".sage-task-detail")
    detail.wait_for(timeout=UI_TIMEOUT)
    panel.locator('svg.sage-loss[data-points]:not([data-points="0"])').wait_for(timeout=300_000)
    panel.locator('.sage-task-detail[data-status="completed"]').wait_for(timeout=300_000)
    screenshot(page, "finetune")
    panel.get_by_role("button", name="Use in chat").click()
    panel.locator(".sage-notice").wait_for(timeout=UI_TIMEOUT)
    no_error(panel)
    notice = panel.locator(".sage-notice").inner_text()
    assert "Chat now uses" in notice, notice
    # Chat answers with the hot-swapped adapter (no engine restart).
    # The notice names the adapter by its task name, the served model id beside it ("served as ...").
    adapter = re.search(r"served as ([^;)\s]+)", notice) or re.match(
        r"Chat now uses (\S+?)(?: \(|\.$)", notice
    )
    assert adapter, notice
    adapter = adapter.group(1)
    body = json.dumps(
        {"title": "after fine-tune", "settings": {"max_tokens": 12, "temperature": 0.0}}
    ).encode()
    sid = json.loads(lab.api("sage-studio/api/chat/sessions", "POST", body)[1])["id"]
    # (The chat panel's model picker lists the adapter; here the turn names it, as picking it would.)
    turn = {"content": "What is the capital of France?", "model": adapter}
    reply = json.loads(
        lab.api(
            f"sage-studio/api/chat/sessions/{sid}/messages", "POST", json.dumps(turn).encode(), timeout=300
        )[1]
    )
    assert reply["content"].strip()
    assert reply["metadata"]["model"] == adapter, (reply["metadata"], notice)


def test_engine_stop_from_panel(lab, studio_page):
    page = studio_page
    panel = open_section(page, lab, "engine")
    panel.get_by_role("button", name="Stop engine").click()
    panel.locator('[data-engine-status="stopped"]').wait_for(timeout=UI_TIMEOUT)
    assert json.loads(lab.api("sage-studio/api/engine/status")[1])["status"] in ("stopped", "exited")
