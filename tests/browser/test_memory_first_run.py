"""Memory settings edited from the panel, and chats renamed through JupyterLab's own dialog, in a real lab + chromium.

The memory form speaks plain language (backends, fields with units); saving goes through `memory.set_config` and is
checked over REST; a value the server refuses shows its 400 message next to the field. The sidebar's session list
follows changes made elsewhere on the page (a rename in a chat panel).
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from .conftest import dismiss_news_toast, open_lab, screenshot
from .test_settings_panels import show_sidebar
from .test_widgets_browser import run_cell, wait_idle

UI_TIMEOUT = 90_000


@pytest.fixture
def lab_page(lab, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT)
    yield page
    context.close()


def create_session(lab, title: str) -> str:
    status, body = lab.api("sage-studio/api/chat/sessions", "POST", json.dumps({"title": title}).encode())
    assert status == 201
    return json.loads(body)["id"]


def memory_config(lab, session_id: str) -> dict:
    status, body = lab.api(f"sage-studio/api/memory/config?session_id={session_id}")
    assert status == 200
    return json.loads(body)["config"]


def test_memory_settings_are_edited_in_the_panel(lab, lab_page):
    page = lab_page
    sid = create_session(lab, "Memory trip")
    open_lab(page, lab)
    dismiss_news_toast(page, timeout=5_000)
    sidebar = show_sidebar(page, "memory")
    form = sidebar.locator("form.sage-memory-settings")
    form.wait_for()
    form.get_by_label("Chat whose memory settings to change").select_option(sid)
    backend = form.locator('[data-field="backend"] select')
    # Plain names, not the backends' ids.
    assert backend.locator("option").all_text_contents() == [
        "Recent messages",
        "Semantic search (embeddings)",
        "Keyword search (BM25)",
    ]
    top_k = form.locator('[data-field="top_k"]')
    assert "Memories recalled per turn" in top_k.inner_text()
    assert "memories" in top_k.locator(".sage-unit").inner_text()

    # A value the server refuses: its 400 message shows next to the field, nothing is stored.
    top_k.locator("input").fill("0")
    form.get_by_role("button", name="Save memory settings").click()
    error = top_k.locator(".sage-field-error")
    error.wait_for()
    assert "greater than or equal to 1" in error.inner_text()
    assert memory_config(lab, sid)["top_k"] != 0

    backend.select_option(label="Keyword search (BM25)")
    top_k.locator("input").fill("6")
    form.locator('[data-field="window"] input').fill("3")
    form.get_by_role("button", name="Save memory settings").click()
    form.get_by_role("status").wait_for()
    assert "Keyword search (BM25)" in form.get_by_role("status").inner_text()
    screenshot(page, "memory-settings")
    assert top_k.locator(".sage-field-error").count() == 0
    config = memory_config(lab, sid)
    assert (config["backend"], config["top_k"], config["window"]) == ("kv", 6, 3)

    # The clean-up age is shown with a unit (30 days, not 43200 minutes).
    assert sidebar.get_by_label("Idle time", exact=True).input_value() == "30"
    assert sidebar.get_by_label("Idle time unit").input_value() == "days"


def test_rename_a_chat_through_the_lab_dialog_and_the_sidebar_follows(lab, lab_page):
    page = lab_page
    sid = create_session(lab, "Before rename")
    open_lab(page, lab)
    dismiss_news_toast(page, timeout=5_000)
    sidebar = show_sidebar(page, "chat")
    item = sidebar.locator(f'li[data-session-id="{sid}"]')
    item.wait_for()
    # Open a chat panel: its own session list is another view of the same sessions.
    sidebar.get_by_role("button", name="Open chat").click()
    chat = page.locator(".sage-chat-panel:visible").last
    chat.wait_for()
    chat_item = chat.locator(f'li[data-session-id="{sid}"]')
    chat_item.wait_for()
    chat_item.hover()
    chat_item.locator('button[title="Rename"]').click()
    # JupyterLab's InputDialog, not window.prompt.
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for()
    assert "Rename chat" in dialog.locator(".jp-Dialog-header").inner_text()
    field = dialog.locator("input")
    assert field.input_value() == "Before rename"
    field.fill("After rename")
    dialog.locator(".jp-mod-accept").click()
    dialog.wait_for(state="detached")
    # The sidebar's list reloads at once (not at its next poll, 15 s later).
    sidebar.locator(f'li[data-session-id="{sid}"]', has_text="After rename").wait_for(timeout=5_000)
    status, body = lab.api(f"sage-studio/api/chat/sessions/{sid}")
    assert json.loads(body)["title"] == "After rename"

    # Delete asks through JupyterLab's dialog too; cancelling keeps the chat.
    chat_item.hover()
    chat_item.locator('button[title="Delete"]').click()
    dialog.wait_for()
    assert 'Delete chat "After rename"?' in dialog.inner_text()
    dialog.locator(".jp-mod-reject").click()
    dialog.wait_for(state="detached")
    assert lab.api(f"sage-studio/api/chat/sessions/{sid}")[0] == 200


def test_memory_widget_saves_settings_and_asks_in_an_in_view_dialog(lab, lab_page):
    """In a notebook (no JupyterLab dialogs for the widget): the same form over the widget transport, and the
    clean-up's confirmation as a small dialog inside the output."""
    page = lab_page
    sid = create_session(lab, "Widget memory")
    nb = new_notebook(
        cells=[
            new_code_cell(f"from sage_studio_lab.widgets import MemoryPanel\nMemoryPanel(session={sid!r})")
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(nb, lab.root / "memory-widget.ipynb")
    try:
        open_lab(page, lab, "lab/tree/memory-widget.ipynb")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=UI_TIMEOUT)
        wait_idle(page)
        output = run_cell(page, 0).locator(".jp-OutputArea")
        form = output.locator("form.sage-memory-settings")
        form.wait_for(timeout=UI_TIMEOUT)
        assert form.get_by_label("Chat whose memory settings to change").count() == 0  # the widget's own chat
        window = form.locator('[data-field="window"]')
        window.locator("input").fill("5000")
        form.get_by_role("button", name="Save memory settings").click()
        window.locator(".sage-field-error").wait_for()
        assert "less than or equal to 1000" in window.locator(".sage-field-error").inner_text()
        window.locator("input").fill("5")
        form.locator('[data-field="backend"] select').select_option(label="Semantic search (embeddings)")
        form.get_by_role("button", name="Save memory settings").click()
        form.get_by_role("status").wait_for()
        config = memory_config(lab, sid)
        assert (config["backend"], config["window"]) == ("vector", 5)

        output.get_by_role("button", name="Clean up").click()
        dialog = output.locator(".sage-dialog")  # inside the output, not a JupyterLab dialog
        dialog.wait_for()
        assert page.locator(".jp-Dialog").count() == 0
        assert "Delete every chat idle for more than 30 days" in dialog.inner_text()
        dialog.get_by_role("button", name="Cancel").click()
        dialog.wait_for(state="detached")
        assert lab.api(f"sage-studio/api/chat/sessions/{sid}")[0] == 200
    except Exception:
        screenshot(page, "memory-widget-failure")
        print("--- jupyter log ---\n" + lab.log_tail(80))
        raise
