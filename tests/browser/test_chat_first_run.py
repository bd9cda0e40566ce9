"""The chat view's first run in a real JupyterLab + headless chromium, against the real server and bundled model:
with no engine the chat offers Start engine and a message then gets an answer; Stop keeps the streamed text with a
"stopped" marker (the server stores it as a partial answer); the Markdown and JSON exports download files that hold
the conversation. Screenshots go to docs/screenshots/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import dismiss_news_toast, open_lab, screenshot
from .test_panels import no_error, open_section

UI_TIMEOUT = 90_000  # ms; cold model loads and a busy 2-core machine need generous UI waits
ANSWERED = """() => {
    const panel = [...document.querySelectorAll('.sage-chat-panel')].filter(p => p.offsetParent).pop();
    const msgs = panel ? panel.querySelectorAll('.sage-msg-assistant') : [];
    const buttons = panel ? [...panel.querySelectorAll('button')].map(b => b.textContent) : [];
    return msgs.length && msgs[msgs.length - 1].innerText.trim() && !buttons.includes('Stop');
}"""


@pytest.fixture(scope="module")
def studio_page(lab, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT)
    open_lab(page, lab)
    dismiss_news_toast(page)
    yield page
    context.close()


def new_session(lab, title: str, max_tokens: int) -> str:
    body = json.dumps({"title": title, "settings": {"max_tokens": max_tokens, "temperature": 0.0}}).encode()
    return json.loads(lab.api("sage-studio/api/chat/sessions", "POST", body)[1])["id"]


def open_chat(page, lab, sid: str):
    sidebar = open_section(page, lab, "chat")
    item = sidebar.locator(f'li[data-session-id="{sid}"] .sage-list-main')
    for _ in range(3):  # the list may not show a session made through the API yet: New/refresh re-reads it
        if item.count():
            break
        open_section(page, lab, "memory")
        sidebar = open_section(page, lab, "chat")
        page.wait_for_timeout(1000)
    item.click()
    chat = page.locator(".sage-chat-panel:visible").last
    chat.wait_for()
    return chat


def test_chat_offers_start_engine_then_answers(lab, studio_page):
    page = studio_page
    status = json.loads(lab.api("sage-studio/api/engine/status")[1])
    assert status["status"] != "running"
    sid = new_session(lab, "first run", 16)
    chat = open_chat(page, lab, sid)
    offer = chat.locator(".sage-engine-offer")
    chat.locator('.sage-engine-offer[data-offer="start"]').wait_for(timeout=UI_TIMEOUT)
    assert "not running" in offer.inner_text()
    screenshot(page, "chat-start-engine")
    offer.get_by_role("button", name="Start engine").click()
    # While the model loads the offer turns into a progress state; then it goes.
    chat.locator('.sage-engine-offer[data-offer="loading"] progress').wait_for(timeout=UI_TIMEOUT)
    offer.wait_for(state="detached", timeout=300_000)
    assert json.loads(lab.api("sage-studio/api/engine/status")[1])["status"] == "running"
    chat.get_by_label("Message").fill("What is the capital of France?")
    chat.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_function(ANSWERED, timeout=240_000)
    assert chat.locator(".sage-msg-assistant").last.inner_text().strip()
    no_error(chat)
    stored = json.loads(lab.api(f"sage-studio/api/chat/sessions/{sid}")[1])
    assert [m["role"] for m in stored["messages"]] == ["user", "assistant"]
    assert stored["messages"][-1]["content"].strip()


def test_stop_keeps_the_partial_answer(lab, studio_page):
    page = studio_page
    sid = new_session(lab, "dragon story", 400)
    chat = open_chat(page, lab, sid)
    chat.get_by_label("Message").fill("Write a long story about a dragon who learns to cook.")
    chat.get_by_role("button", name="Send", exact=True).click()
    answer = chat.locator(".sage-msg-assistant").last
    page.wait_for_function(
        """() => {
            const panel = [...document.querySelectorAll('.sage-chat-panel')].filter(p => p.offsetParent).pop();
            const msgs = panel.querySelectorAll('.sage-msg-assistant');
            return msgs.length && msgs[msgs.length - 1].innerText.trim().length > 20;
        }""",
        timeout=240_000,
    )
    chat.get_by_role("button", name="Stop", exact=True).click()
    marker = answer.locator("[data-stopped]")
    marker.wait_for(timeout=UI_TIMEOUT)
    chat.get_by_role("button", name="Send", exact=True).wait_for(timeout=UI_TIMEOUT)  # the turn has ended
    page.wait_for_timeout(1500)  # the stored conversation has replaced the optimistic one
    text = answer.inner_text()
    assert "partial answer" in marker.inner_text()
    assert len(text.replace(marker.inner_text(), "").strip()) > 20, text
    assert answer.get_by_role("button", name="Regenerate").is_visible()
    no_error(chat)
    screenshot(page, "chat-stopped")
    stored = json.loads(lab.api(f"sage-studio/api/chat/sessions/{sid}")[1])
    last = stored["messages"][-1]
    assert last["role"] == "assistant" and last["metadata"]["cancelled"] is True
    assert last["metadata"]["partial"] is True
    # What the screen keeps is what the server stored.
    assert last["content"].strip()[:20] in text


def test_exports_download_files(lab, studio_page):
    page = studio_page
    sessions = json.loads(lab.api("sage-studio/api/chat/sessions")[1])["sessions"]
    sid = next(s["id"] for s in sessions if s["title"] == "first run")
    sidebar = open_section(page, lab, "chat")
    row = sidebar.locator(f'li[data-session-id="{sid}"]')
    with page.expect_download(timeout=UI_TIMEOUT) as info:
        row.locator('button[title="Export as Markdown"]').click()
    download = info.value
    assert download.suggested_filename == "first run.md"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "What is the capital of France?" in text
    stored = json.loads(lab.api(f"sage-studio/api/chat/sessions/{sid}")[1])
    assert stored["messages"][-1]["content"].strip()[:20] in text
    with page.expect_download(timeout=UI_TIMEOUT) as info:
        row.locator('button[title="Export as JSON"]').click()
    download = info.value
    assert download.suggested_filename == "first run.json"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["id"] == sid and data["format"] == "json"
    assert [m["role"] for m in data["messages"]] == ["user", "assistant"]
    no_error(sidebar)
