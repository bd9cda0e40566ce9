"""The notebook widgets in a real JupyterLab + headless chromium: display each widget, interact, and check
that the kernel-side Python objects changed (chat message sent then stopped, node added on the canvas)."""

from __future__ import annotations

import re

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from .conftest import open_lab, screenshot

SETUP = """\
from sage_studio_lab.flow import Flow
from sage_studio_lab.widgets import Chat, EnginePanel, FlowCanvas, MemoryPanel
engine = EnginePanel()
engine.start()
flow = Flow(name="browser")
flow.add_node("text_input", id="question")
flow.add_node("output", id="answer")
flow.connect("question", "answer")
print("SETUP-DONE")"""
CELLS = [
    SETUP,
    "engine",
    'chat = Chat(title="browser", settings={"max_tokens": 300})\nchat',
    "canvas = FlowCanvas(flow)\ncanvas",
    "MemoryPanel(session=chat.session_id)",
    'print("STATE", len(chat.refresh()), len(canvas.flow.spec.nodes), '
    'chat.messages[-1]["metadata"].get("cancelled") if chat.messages else None)',
]


def write_notebook(lab) -> str:
    nb = new_notebook(
        cells=[new_code_cell(c) for c in CELLS],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(nb, lab.root / "widgets-browser.ipynb")
    return "widgets-browser.ipynb"


def wait_idle(page, timeout=180_000):
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=timeout)


def click(page, target) -> None:
    """Click `target`; if it does not become clickable in 15 s (a live widget above keeps moving it, or a toast
    covers it: seen once in a cold CI run), dismiss overlays with Escape and click without the checks."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        target.click(timeout=15_000)
    except PlaywrightTimeout:
        page.keyboard.press("Escape")
        target.scroll_into_view_if_needed(timeout=15_000)
        target.click(force=True, timeout=15_000)


def run_cell(page, index: int, timeout=240_000):
    """Run one cell and wait until it finished (its prompt shows a new execution count, not `*`).
    The keypress is retried if the cell did not start (a cold Lab may drop the first one)."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    before = cell.locator(".jp-InputPrompt").inner_text()
    changed = r"""([i, before, done]) => {
        const p = document.querySelectorAll('.jp-Notebook .jp-Cell')[i].querySelector('.jp-InputPrompt');
        const t = p ? p.innerText : '';
        return t !== before && (done ? /\[\d+\]/ : /\[(\*|\d+)\]/).test(t);
    }"""
    for attempt in range(4):
        click(page, cell.locator(".jp-InputPrompt"))  # select the cell (command mode) ...
        click(page, page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="run"] button'))  # ... run it
        try:
            page.wait_for_function(changed, arg=[index, before, False], timeout=15_000)
            break
        except Exception:
            if attempt == 3:
                raise
    page.wait_for_function(changed, arg=[index, before, True], timeout=timeout)
    return cell


def last_output(page, index: int) -> str:
    return page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea").inner_text()


def test_widgets_round_trip_in_a_real_lab(lab, page):
    try:
        round_trip(lab, page)
    except Exception:
        screenshot(page, "widgets-notebook-failure")
        print("--- jupyter log ---\n" + lab.log_tail(80))
        raise


def round_trip(lab, page):
    name = write_notebook(lab)
    open_lab(page, lab, f"lab/tree/{name}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    wait_idle(page)
    cell = run_cell(page, 0, timeout=300_000)
    assert "SETUP-DONE" in cell.locator(".jp-OutputArea").inner_text(), last_output(page, 0)
    for i in range(1, 5):
        run_cell(page, i)
    notebook = page.locator(".jp-Notebook")
    # Every widget rendered its real view (not the fallback note, not an error).
    notebook.locator(".sage-chat").wait_for(timeout=60_000)
    notebook.locator(".sage-flow").wait_for(timeout=60_000)
    assert notebook.locator(".sage-studio-fallback").count() == 0
    # Chat: send a message from the view, see tokens stream, then press Stop.
    composer = notebook.locator(".sage-chat .sage-composer textarea")
    composer.fill("Write a very long story about a cat who sails around the world.")
    notebook.locator(".sage-chat .sage-composer .sage-primary").click()
    stop = notebook.locator(".sage-chat .sage-composer .sage-danger")
    stop.wait_for(timeout=60_000)
    page.wait_for_function(  # tokens of the answer on screen (not the question's own words)
        "() => [...document.querySelectorAll('.sage-chat .sage-msg-assistant')].some(e => /\\w{3,}/.test(e.innerText))",
        timeout=120_000,
    )
    stop.click()
    notebook.locator(".sage-chat .sage-composer .sage-primary").wait_for(timeout=60_000)
    # The partial answer stays on screen, marked stopped (the widget's `chat.stop` ends the turn with it).
    stopped = notebook.locator(".sage-chat .sage-msg-assistant [data-stopped]")
    stopped.wait_for(timeout=60_000)
    assert "partial answer" in stopped.inner_text()
    # Flow: add a node from the palette.
    notebook.locator(".sage-flow .sage-palette-item").filter(has_text=re.compile("^Map", re.I)).first.click()
    page.wait_for_timeout(1500)  # the canvas saves the edited flow to the model
    screenshot(page, "widgets-notebook")
    # The Python side changed: 2 messages (the answer marked cancelled) and 3 nodes.
    run_cell(page, 5)
    state = last_output(page, 5)
    match = re.search(r"STATE (\d+) (\d+) (\w+)", state)
    assert match, state
    assert match.group(1) == "2" and match.group(2) == "3" and match.group(3) == "True", state
