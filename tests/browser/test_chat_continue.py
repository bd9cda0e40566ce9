"""Continue a stopped answer and the session list's Clear / Import, in a real JupyterLab + headless chromium
against the real server and bundled model: the engine is started from the chat, an answer stopped after some
text keeps its stopped marker, *Continue* streams onto the end of the same bubble (no new message) and the marker
goes; the JSON that *Export as JSON* downloads is imported through the list's file picker as a new chat with the
same messages, and *Clear* (confirmed in JupyterLab's dialog) empties a chat.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import dismiss_news_toast, open_lab, screenshot
from .test_chat_first_run import new_session, open_chat
from .test_panels import no_error, open_section

UI_TIMEOUT = 90_000  # ms; cold model loads and a busy 2-core machine need generous UI waits
STORY = "Write a long story about a dragon who learns to bake bread."
TURN_ENDED = """() => {
    const panel = [...document.querySelectorAll('.sage-chat-panel')].filter(p => p.offsetParent).pop();
    const buttons = panel ? [...panel.querySelectorAll('button')].map(b => b.textContent) : [];
    return buttons.includes('Send') && !buttons.includes('Stop');
}"""
LONGER_THAN = """(n) => {
    const panel = [...document.querySelectorAll('.sage-chat-panel')].filter(p => p.offsetParent).pop();
    const last = panel ? [...panel.querySelectorAll('.sage-msg-assistant')].pop() : null;
    return !!last && last.innerText.length > n;
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


def stored(lab, sid: str) -> dict:
    return json.loads(lab.api(f"sage-studio/api/chat/sessions/{sid}")[1])


def test_continue_grows_the_stopped_answer_in_place(lab, studio_page):
    page = studio_page
    sid = new_session(lab, "dragon bakery", 160)
    chat = open_chat(page, lab, sid)
    offer = chat.locator(".sage-engine-offer")
    offer.get_by_role("button", name="Start engine").click(timeout=UI_TIMEOUT)
    offer.wait_for(state="detached", timeout=300_000)

    chat.get_by_label("Message").fill(STORY)
    chat.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_function(LONGER_THAN, arg=20, timeout=240_000)
    chat.get_by_role("button", name="Stop", exact=True).click()
    answer = chat.locator(".sage-msg-assistant").last
    answer.locator("[data-stopped]").wait_for(timeout=UI_TIMEOUT)
    page.wait_for_function(TURN_ENDED, timeout=UI_TIMEOUT)
    # The stored (cancelled) answer has replaced the optimistic bubble: its real id is on it.
    first = stored(lab, sid)["messages"][-1]
    assert first["metadata"]["cancelled"] is True
    chat.locator(f'.sage-msg-assistant[data-message-id="{first["id"]}"]').wait_for(timeout=UI_TIMEOUT)
    partial = first["content"]
    screenshot(page, "chat-stopped-continue")

    answer.get_by_role("button", name="Continue").click()
    # While it streams the marker is gone and the same bubble grows.
    page.wait_for_function(LONGER_THAN, arg=len(partial) + 10, timeout=240_000)
    page.wait_for_function(TURN_ENDED, timeout=240_000)
    page.wait_for_timeout(1500)  # the stored conversation replaces the optimistic one
    bubbles = chat.locator(".sage-msg-assistant")
    assert bubbles.count() == 1
    assert bubbles.first.get_attribute("data-message-id") == first["id"]
    assert bubbles.first.locator("[data-stopped]").count() == 0
    text = bubbles.first.inner_text()
    assert partial.strip()[:20] in text and len(text) > len(partial) + 10
    no_error(chat)
    screenshot(page, "chat-continued")

    after = stored(lab, sid)["messages"]
    assert [m["role"] for m in after] == ["user", "assistant"] and after[-1]["id"] == first["id"]
    assert after[-1]["content"].startswith(partial) and len(after[-1]["content"]) > len(partial)
    meta = after[-1]["metadata"]
    assert "cancelled" not in meta and meta["continued"] == 1
    assert meta["tok_s"] > 0.5  # the decode rate, not tokens over the request's whole time


def test_import_an_export_then_clear_a_chat(lab, studio_page, tmp_path):
    page = studio_page
    sessions = json.loads(lab.api("sage-studio/api/chat/sessions")[1])["sessions"]
    sid = next(s["id"] for s in sessions if s["title"] == "dragon bakery")
    original = stored(lab, sid)["messages"]
    sidebar = open_section(page, lab, "chat")
    row = sidebar.locator(f'li[data-session-id="{sid}"]')
    row.wait_for()
    with page.expect_download(timeout=UI_TIMEOUT) as info:
        row.locator('button[title="Export as JSON"]').click()
    exported = tmp_path / "dragon bakery.json"
    Path(info.value.path()).replace(exported)

    sidebar.locator('input[type="file"][aria-label="Import chat file"]').set_input_files(str(exported))
    known = {s["id"] for s in sessions}
    new_row = sidebar.locator("li[data-session-id]").filter(has_text="dragon bakery")
    new_row.nth(1).wait_for(timeout=UI_TIMEOUT)  # the list shows the imported chat beside the original
    now = json.loads(lab.api("sage-studio/api/chat/sessions")[1])["sessions"]
    (imported,) = [s for s in now if s["id"] not in known]
    copy = stored(lab, imported["id"])["messages"]
    assert [(m["role"], m["content"]) for m in copy] == [(m["role"], m["content"]) for m in original]

    # Clear asks in JupyterLab's dialog; the chat keeps existing, empty.
    row.hover()
    row.locator('button[title="Clear messages"]').click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for()
    assert "Clear chat" in dialog.locator(".jp-Dialog-header").inner_text()
    dialog.locator(".jp-mod-accept").click()
    dialog.wait_for(state="detached")
    assert stored(lab, sid)["messages"] == []
    assert len(stored(lab, imported["id"])["messages"]) == len(original)
    no_error(sidebar)
