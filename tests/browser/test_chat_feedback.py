"""Feedback on answers (#20) in a real JupyterLab + headless chromium against the real server and bundled model:
from the chat panel, an answer rated 👎 with a comment and corrected with an *ideal answer* (stored as a preferred
sibling, shown on request, the branch arrows back to the original), both in the store and in the export, and the
👎 still pressed after a page reload. The same controls in the Chat widget: test_improve_loop_widgets.py.
"""

from __future__ import annotations

import json

from .conftest import dismiss_news_toast, open_lab, screenshot
from .test_chat_first_run import new_session, open_chat
from .test_panels import no_error

UI_TIMEOUT = 90_000  # ms; a busy 2-core machine needs generous UI waits
TURN_ENDED = """() => {
    const panel = [...document.querySelectorAll('.sage-chat-panel')].filter(p => p.offsetParent).pop();
    const buttons = panel ? [...panel.querySelectorAll('button')].map(b => b.textContent) : [];
    return buttons.includes('Send') && !buttons.includes('Stop');
}"""
COMMENT = "It should name Paris"
IDEAL = "The capital of France is Paris."


def stored(lab, sid: str) -> dict:
    return json.loads(lab.api(f"sage-studio/api/chat/sessions/{sid}")[1])


def test_rate_and_correct_an_answer_in_the_chat_panel(lab, engine, page):
    open_lab(page, lab)
    dismiss_news_toast(page)
    sid = new_session(lab, "feedback panel", 24)
    chat = open_chat(page, lab, sid)
    chat.get_by_label("Message").fill("What is the capital of France?")
    chat.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_function(TURN_ENDED, timeout=240_000)
    original = stored(lab, sid)["messages"][-1]
    assert original["role"] == "assistant"
    # The stored answer (its real id) replaced the optimistic bubble: its feedback controls are there.
    answer = chat.locator(f'.sage-msg-assistant[data-message-id="{original["id"]}"]')
    bad = answer.get_by_role("button", name="Bad answer")
    bad.wait_for(timeout=UI_TIMEOUT)
    assert bad.get_attribute("aria-pressed") == "false"

    # 👎, then the optional comment.
    bad.click()
    box = answer.get_by_label("What was wrong? (optional)")
    box.fill(COMMENT)
    screenshot(page, "chat-feedback-comment")
    answer.get_by_role("button", name="Save", exact=True).click()
    box.wait_for(state="detached", timeout=UI_TIMEOUT)
    assert bad.get_attribute("aria-pressed") == "true"
    assert COMMENT in (bad.get_attribute("title") or "")
    rating = stored(lab, sid)["messages"][-1]["metadata"]["rating"]
    assert rating["value"] == "down" and rating["comment"] == COMMENT

    # The ideal answer: an editor prefilled with the answer's text.
    answer.get_by_role("button", name="ideal answer", exact=True).click()
    editor = answer.get_by_label("Ideal answer")
    assert editor.input_value() == original["content"]
    editor.fill(IDEAL)
    answer.get_by_role("button", name="Save ideal answer").click()
    answer.locator("[data-ideal-saved]").wait_for(timeout=UI_TIMEOUT)
    assert "✓ ideal answer saved" in answer.locator("[data-ideal-saved]").inner_text()
    page.wait_for_function(  # the re-read session: the answer now has a sibling (branch arrows 1/2)
        "(id) => !!document.querySelector(`.sage-msg-assistant[data-message-id='${id}'] .sage-branches`)",
        arg=original["id"],
        timeout=UI_TIMEOUT,
    )
    now = stored(lab, sid)["messages"][-1]
    assert now["id"] == original["id"]  # the conversation did not move to the ideal answer
    ideal_id = now["metadata"]["rejected_by"]
    assert now["sibling_ids"] == [original["id"], ideal_id]
    no_error(chat)
    screenshot(page, "chat-feedback-rated")

    # "show it" switches to the ideal answer, badged as the user's.
    answer.get_by_role("button", name="show it").click()
    ideal = chat.locator(f'.sage-msg-assistant[data-message-id="{ideal_id}"]')
    ideal.locator("[data-ideal]").wait_for(timeout=UI_TIMEOUT)
    assert IDEAL in ideal.inner_text()
    assert "ideal answer (written by you)" in ideal.inner_text()
    shown = stored(lab, sid)["messages"][-1]
    assert shown["id"] == ideal_id and shown["content"] == IDEAL
    assert shown["metadata"]["preferred"] is True and shown["metadata"]["ideal_for"] == original["id"]
    screenshot(page, "chat-feedback-ideal")
    # The branch arrows lead back to the original.
    ideal.locator(".sage-branches button").first.click()
    answer.wait_for(timeout=UI_TIMEOUT)
    assert stored(lab, sid)["messages"][-1]["id"] == original["id"]

    # The export carries both (ratings survive export).
    export = json.loads(lab.api(f"sage-studio/api/chat/sessions/{sid}/export?format=json")[1])
    exported = {m["id"]: m for m in export["messages"]}
    assert exported[original["id"]]["metadata"]["rating"]["value"] == "down"
    assert exported[ideal_id]["metadata"]["preferred"] is True

    # After a reload the stored rating still shows: 👎 pressed, the comment in its title.
    page.reload()
    page.locator("#jupyterlab-splash").wait_for(state="detached", timeout=UI_TIMEOUT)
    chat = open_chat(page, lab, sid)
    answer = chat.locator(f'.sage-msg-assistant[data-message-id="{original["id"]}"]')
    bad = answer.get_by_role("button", name="Bad answer")
    bad.wait_for(timeout=UI_TIMEOUT)
    assert bad.get_attribute("aria-pressed") == "true"
    assert COMMENT in (bad.get_attribute("title") or "")
    assert answer.get_by_role("button", name="Good answer").get_attribute("aria-pressed") == "false"
    assert answer.locator("[data-ideal-saved]").count() == 1
