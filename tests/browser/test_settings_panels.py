"""The panels' JupyterLab settings, the chat source states and the Knowledge section in a real lab + chromium.

No engine is started here: the source switch must say so (local "no engine running"), and the settings must change
what the panels do (the default source of a new chat, the engine-status poll rate, details shown by default).
"""

from __future__ import annotations

import json
import time

import pytest

from .conftest import dismiss_news_toast, open_lab, screenshot

PLUGIN = "sage-studio-lab:plugin"
UI_TIMEOUT = 90_000


def put_settings(lab, values: dict) -> None:
    status, _ = lab.api(f"lab/api/settings/{PLUGIN}", "PUT", json.dumps({"raw": json.dumps(values)}).encode())
    assert status == 204


@pytest.fixture
def lab_page(lab, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT)
    yield page
    context.close()


def show_sidebar(page, section: str):
    """Open the Studio sidebar on `section`. The Lab restores its layout asynchronously (the sidebar may open by
    itself just after the tab appears, and a click on an open tab closes it): click only while hidden."""
    tab = page.locator('[data-id="sage-studio-sidebar"]')
    tab.wait_for()
    sidebar = page.locator("#sage-studio-sidebar")
    for _ in range(3):
        if sidebar.is_visible():
            break
        tab.click()
        try:
            sidebar.wait_for(state="visible", timeout=10_000)
        except Exception:
            continue
    sidebar.locator(f'button[data-section="{section}"]').click()
    return sidebar


def open_new_chat(page, lab):
    open_lab(page, lab)
    dismiss_news_toast(page, timeout=5_000)
    sidebar = show_sidebar(page, "chat")
    sidebar.get_by_role("button", name="Open chat").click()
    chat = page.locator(".sage-chat-panel:visible").last
    chat.wait_for()
    return chat


def test_settings_schema_is_served(lab):
    status, body = lab.api(f"lab/api/settings/{PLUGIN}")
    assert status == 200
    props = json.loads(body)["schema"]["properties"]
    assert {
        "gpuRefreshInterval",
        "engineStatusPollInterval",
        "defaultChatSource",
        "defaultMaxTokens",
        "defaultTemperature",
        "showMessageDetails",
    } <= set(props)
    assert props["defaultChatSource"]["enum"] == ["auto", "local", "cloud"]
    assert props["gpuRefreshInterval"]["default"] == 2


def test_default_source_setting_selects_the_source_of_a_new_chat(lab, lab_page):
    put_settings(lab, {"defaultChatSource": "cloud", "defaultMaxTokens": 40, "defaultTemperature": 0.3})
    try:
        chat = open_new_chat(lab_page, lab)
        chat.locator('[role="radio"][data-source="cloud"][aria-checked="true"]').wait_for()
        assert chat.locator('[role="radio"][aria-checked="true"]').count() == 1
        # A new session from this panel starts with the default sampling settings.
        lab_page.locator("#sage-studio-sidebar").get_by_role("button", name="New").click()
        deadline = time.time() + 30
        sessions = []
        while time.time() < deadline and not sessions:
            sessions = json.loads(lab.api("sage-studio/api/chat/sessions")[1])["sessions"]
            time.sleep(0.5)
        session = json.loads(lab.api(f"sage-studio/api/chat/sessions/{sessions[0]['id']}")[1])
        assert session["settings"]["source"] == "cloud"
        assert session["settings"]["max_tokens"] == 40 and session["settings"]["temperature"] == 0.3
    finally:
        put_settings(lab, {})
    chat = open_new_chat(lab_page, lab)
    chat.locator('[role="radio"][data-source="auto"][aria-checked="true"]').wait_for()


def test_engine_status_poll_follows_the_setting(lab, lab_page):
    def polls_in(seconds: float, interval: float) -> int:
        put_settings(lab, {"engineStatusPollInterval": interval})
        page = lab_page
        open_lab(page, lab)
        sidebar = show_sidebar(page, "engine")
        sidebar.locator('[data-engine-status="stopped"]').wait_for()
        seen: list[float] = []
        page.on("request", lambda r: seen.append(time.time()) if "api/engine/status" in r.url else None)
        page.wait_for_timeout(seconds * 1000)
        return len(seen)

    try:
        fast = polls_in(6, 1)
        slow = polls_in(6, 30)
    finally:
        put_settings(lab, {})
    assert fast >= 4, fast
    assert slow <= 1, slow


def test_source_states_and_knowledge_section(lab, lab_page, tmp_path):
    chat = open_new_chat(lab_page, lab)
    # No engine in this module, no cloud configured: the switch says so for each source.
    local = chat.locator('[role="radio"][data-source="local"]')
    local.wait_for()
    lab_page.wait_for_function(
        """() => document.querySelector('.sage-chat-panel [role="radio"][data-source="local"]')
              ?.getAttribute('data-state') === 'off'"""
    )
    assert local.get_attribute("title") == "Local: no engine running"
    assert (
        chat.locator('[role="radio"][data-source="cloud"]').get_attribute("title") == "Cloud: not configured"
    )
    local.click()
    assert "Local: no engine running" in chat.locator(".sage-source-state").inner_text()

    # Knowledge: upload with the file picker, see it listed, delete it.
    chat.get_by_role("button", name="Knowledge").click()
    section = chat.locator(".sage-knowledge")
    section.get_by_text("No documents yet.").wait_for()
    doc = tmp_path / "zorbl-facts.md"
    doc.write_text("# Zorbl\n\nZorbl is a blue fruit.\n\nIt grows on Mars.\n")
    section.get_by_label("Upload knowledge documents").set_input_files(str(doc))
    row = section.locator('li[data-doc="zorbl-facts.md"]')
    row.wait_for()
    assert "3 chunks" in row.inner_text()
    listed = json.loads(lab.api("sage-studio/api/chat/knowledge")[1])["documents"]
    assert [d["name"] for d in listed] == ["zorbl-facts.md"]
    bad = tmp_path / "notes.pdf"
    bad.write_bytes(b"%PDF-1.4")
    section.get_by_label("Upload knowledge documents").set_input_files(str(bad))
    section.locator(".sage-error").wait_for()
    assert ".md" in section.locator(".sage-error").inner_text()  # the server says what to fix
    screenshot(lab_page, "chat-knowledge")
    row.get_by_role("button", name="Delete zorbl-facts.md").click()
    confirm = lab_page.locator(".jp-Dialog")  # JupyterLab's own dialog, not window.confirm
    confirm.wait_for()
    assert 'Remove "zorbl-facts.md"' in confirm.inner_text()
    confirm.locator(".jp-mod-accept").click()
    row.wait_for(state="detached")
    assert json.loads(lab.api("sage-studio/api/chat/knowledge")[1])["documents"] == []


ANSWER = (
    "Here is a function:\n\n```python\ndef add(a, b):\n    return a + b  # the sum\n```\n\n"
    "and some model output that must stay text: <script>window.__sageInjected = 1</script>"
)


def keyword_colour(page) -> tuple[str, str]:
    """(computed colour of a highlighted keyword, the Lab theme's editor keyword colour)."""
    return page.evaluate(
        """() => {
            const kw = document.querySelector('.sage-chat-panel .sage-msg-assistant .hljs-keyword');
            const probe = document.createElement('span');
            probe.style.color = 'var(--jp-mirror-editor-keyword-color)';
            document.body.appendChild(probe);
            const want = getComputedStyle(probe).color;
            probe.remove();
            return [getComputedStyle(kw).color, want];
        }"""
    )


def test_code_is_highlighted_in_the_theme_colours_and_model_html_stays_text(lab, lab_page):
    body = {
        "title": "highlighted code",
        "messages": [
            {"id": "u1", "role": "user", "content": "Write add() in Python"},
            {
                "id": "a1",
                "parent_id": "u1",
                "role": "assistant",
                "content": ANSWER,
                "metadata": {"intent": "code", "source": "local", "tokens": 30},
            },
        ],
    }
    session = json.loads(
        lab.api("sage-studio/api/chat/sessions/import", "POST", json.dumps(body).encode())[1]
    )
    put_settings(lab, {"showMessageDetails": True})
    themes = "lab/api/settings/@jupyterlab/apputils-extension:themes"
    try:
        colours = {}
        for theme in ("JupyterLab Light", "JupyterLab Dark"):
            lab.api(themes, "PUT", json.dumps({"raw": json.dumps({"theme": theme})}).encode())
            page = lab_page
            open_lab(page, lab)
            sidebar = show_sidebar(page, "chat")
            sidebar.locator(f'li[data-session-id="{session["id"]}"] .sage-list-main').click()
            chat = page.locator(".sage-chat-panel:visible").last
            answer = chat.locator(".sage-msg-assistant").last
            answer.locator("code.hljs.language-python .hljs-keyword", has_text="def").wait_for()
            assert answer.locator(".hljs-comment", has_text="# the sum").count() == 1
            # The model's <script> is shown as text, never run or inserted as an element.
            assert "<script>window.__sageInjected = 1</script>" in answer.inner_text()
            assert answer.locator("script").count() == 0
            assert page.evaluate("window.__sageInjected") is None
            # Details are open without a click (the setting), with the message's metadata.
            assert "intent: code" in answer.locator(".sage-details").inner_text()
            got, want = keyword_colour(page)
            assert got == want, (theme, got, want)
            colours[theme] = got
            if theme == "JupyterLab Light":
                screenshot(page, "chat-code")
        assert colours["JupyterLab Light"] != colours["JupyterLab Dark"]  # the colours follow the theme
    finally:
        lab.api(themes, "PUT", json.dumps({"raw": "{}"}).encode())
        put_settings(lab, {})
