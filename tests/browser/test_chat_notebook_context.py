"""The Lab chat panel attaches notebook context (#21) in a real JupyterLab + chromium: the active notebook's
selected cell and the active cell's output become chips, go with the message, show on it, and are stored on it (and
counted in its token budget)."""

from __future__ import annotations

import json
import time

import nbformat

from .conftest import dismiss_news_toast, open_lab, screenshot
from .test_chat_first_run import ANSWERED, UI_TIMEOUT, new_session, open_chat


def until(check, timeout: float = 60.0) -> None:
    """Wait for a server-side effect of a UI action (a debounced save, a settings write)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the server never showed the change"
        time.sleep(0.5)


def test_attach_selected_cell_and_its_output(lab, engine, page):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("total = sum(range(10))\nprint(total * 2)", execution_count=3)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="90\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("# context"), cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, lab.root / "context.ipynb")
    sid = new_session(lab, "notebook context", 16)

    open_lab(page, lab, "lab/tree/context.ipynb")
    dismiss_news_toast(page)
    code = page.locator(".jp-Notebook .jp-CodeCell").first
    code.wait_for(timeout=UI_TIMEOUT)
    code.locator(".jp-InputPrompt").click()  # the active (and selected) cell
    chat = open_chat(page, lab, sid)

    chat.get_by_label("Attach notebook context").click()
    chat.get_by_role("menuitem", name="Selected cells").click()
    chat.get_by_label("Attach notebook context").click()
    chat.get_by_role("menuitem", name="Active cell output").click()
    chips = chat.locator(".sage-attach .sage-chip")
    assert chips.all_inner_texts() and [c.split()[0] for c in chips.all_inner_texts()] == ["In", "In"]
    assert "In [3] output" in chips.nth(1).inner_text()

    chat.get_by_label("Message").fill("What does this cell print?")
    chat.get_by_role("button", name="Send").click()
    page.wait_for_function(ANSWERED, timeout=UI_TIMEOUT)
    assert chat.locator(".sage-attach .sage-chip").count() == 0  # sent: the composer is clear again
    shown = chat.locator(".sage-msg-user .sage-attachments .sage-chip")
    assert shown.count() == 2
    screenshot(page, "chat-notebook-context")

    session = json.loads(lab.api(f"sage-studio/api/chat/sessions/{sid}")[1])
    user, answer = session["messages"][-2:]
    kinds = [(a["kind"], a["name"]) for a in user["metadata"]["context"]]
    assert kinds == [("cell", "In [3]"), ("output", "In [3] output")]
    assert "sum(range(10))" in user["metadata"]["context"][0]["text"]
    assert user["metadata"]["context"][1]["text"].strip() == "90"
    assert answer["metadata"]["token_budget"]["context"] > 0

    # The turn opens on the canvas: the chat flow with each step done, and the prompt step's output (#21).
    chat.locator(".sage-msg-assistant").last.get_by_role("button", name="details").click()
    chat.get_by_role("button", name="Open this turn on the canvas").click()
    turn = chat.locator(".sage-turn-canvas")
    prompt = turn.locator('.sage-node[data-node-id="prompt"][data-status="done"]')
    prompt.wait_for(timeout=UI_TIMEOUT)
    assert turn.locator('.sage-node[data-status="done"]').count() >= 6
    turn.locator('.react-flow__node[data-id="prompt"] .sage-node-title').click()
    emitted = turn.locator('.sage-node-debug[data-node-debug="prompt"] .sage-node-io')
    emitted.wait_for(timeout=UI_TIMEOUT)
    assert "What does this cell print?" in emitted.inner_text()
    screenshot(page, "chat-turn-on-canvas")


def test_a_chat_answers_with_an_edited_copy_of_the_chat_flow(lab, engine, page):
    """#19: a session uses the user's edited copy of the chat pipeline, made and edited from the chat's settings."""
    sid = new_session(lab, "own pipeline", 8)
    open_lab(page, lab)
    dismiss_news_toast(page)
    chat = open_chat(page, lab, sid)
    chat.get_by_role("button", name="Settings").click()
    chat.get_by_role("button", name="Edit a copy").click()
    canvas = chat.locator(".sage-chat-flow .sage-turn-canvas")
    canvas.locator('.sage-node[data-node-id="prompt"]').wait_for(timeout=UI_TIMEOUT)
    flow_id = canvas.get_attribute("data-flow-id")
    # An edit on the canvas is saved to the copy.
    canvas.locator('.react-flow__node[data-id="prompt"] .sage-node-title').click()
    canvas.locator(".sage-config").get_by_role("textbox").first.fill("My prompt step")
    until(lambda: "My prompt step" in lab.api(f"sage-studio/api/flow/flows/{flow_id}")[1].decode())
    chat.get_by_role("button", name="Save settings").click()
    until(
        lambda: (
            json.loads(lab.api(f"sage-studio/api/chat/sessions/{sid}")[1])["settings"].get("flow") == flow_id
        )
    )
    chat.get_by_label("Message").fill("Hello?")
    chat.get_by_role("button", name="Send").click()
    page.wait_for_function(ANSWERED, timeout=UI_TIMEOUT)
    answer = json.loads(lab.api(f"sage-studio/api/chat/sessions/{sid}")[1])["messages"][-1]
    assert answer["metadata"]["flow"] == flow_id
