"""First run of the flow canvas (#19) in a real JupyterLab + chromium: each shipped file template, picked on a fresh
canvas in a fresh lab (no `sample_docs/` in its root: the templates' own sample documents are used), runs on its
first Run with every node done and a readable output (text / table, never a bare `{}`); the template is laid out
legibly (zoom not below the canvas's minimum, no two nodes overlapping) and the config form leaves the selected
node in view."""

from __future__ import annotations

import os

import pytest

from .conftest import dismiss_news_toast, open_lab
from .test_panels import UI_TIMEOUT, open_section

MIN_ZOOM = 0.85  # labextension/src/views/flowLayout.ts
SHOTS = os.environ.get("SAGE_TEST_SHOTS")  # a folder: screenshots of each run, for a look by eye


@pytest.fixture(scope="module")
def lab_page(lab, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT)
    open_lab(page, lab)
    dismiss_news_toast(page)
    yield page
    context.close()


def boxes(canvas) -> dict:
    return canvas.locator(".react-flow__node").evaluate_all(
        """els => Object.fromEntries(els.map(e => {
            const r = e.getBoundingClientRect();
            return [e.dataset.id, {x: r.x, y: r.y, w: r.width, h: r.height}];
        }))"""
    )


def overlapping(b: dict) -> list:
    ids = sorted(b)
    out = []
    for i, p in enumerate(ids):
        for q in ids[i + 1 :]:
            a, c = b[p], b[q]
            if (
                a["x"] < c["x"] + c["w"]
                and c["x"] < a["x"] + a["w"]
                and a["y"] < c["y"] + c["h"]
                and c["y"] < a["y"] + a["h"]
            ):
                out.append((p, q))
    return out


@pytest.mark.parametrize(
    ("template", "output", "nodes"),
    [("summarise-file", "summary", 4), ("rag-over-documents", "answer", 10)],
)
def test_file_template_runs_on_first_run(lab, engine, lab_page, template, output, nodes):
    page = lab_page
    assert not (lab.root / "sample_docs").exists()  # the templates' own sample documents are what they read
    panel = open_section(page, lab, "flows")
    before = page.locator(".sage-flow-panel").count()
    panel.get_by_role("button", name="New flow", exact=True).click()
    page.wait_for_function(f"() => document.querySelectorAll('.sage-flow-panel').length > {before}")
    canvas = page.locator(".sage-flow-panel:visible").last
    canvas.wait_for(timeout=UI_TIMEOUT)
    canvas.locator(".sage-palette-item").first.wait_for(timeout=UI_TIMEOUT)  # operator registry loaded
    assert canvas.locator(".sage-node").count() == 0  # a fresh canvas
    canvas.get_by_label("Template").select_option(template)
    canvas.locator(".sage-node").nth(nodes - 1).wait_for()
    assert canvas.locator(".sage-node").count() == nodes

    # Legible: fitted no smaller than the minimum zoom, and no two nodes overlap.
    page.wait_for_timeout(600)  # the fit after the template's layout
    zoom = canvas.locator(".react-flow__viewport").evaluate(
        "el => new DOMMatrixReadOnly(getComputedStyle(el).transform).a"
    )
    assert zoom >= MIN_ZOOM - 0.01, zoom
    assert overlapping(boxes(canvas)) == []

    # The config form opens beside the canvas: the right-most node in view stays in view once it is selected (the
    # canvas pans to it when the narrower canvas hides it).
    pane = canvas.locator(".react-flow__pane")
    pbox = pane.bounding_box()
    in_view = {
        k: v
        for k, v in boxes(canvas).items()
        if v["x"] >= pbox["x"] and v["x"] + v["w"] <= pbox["x"] + pbox["width"]
    }
    assert in_view
    node_id = max(in_view, key=lambda k: in_view[k]["x"] + in_view[k]["w"])
    node = canvas.locator(f'.react-flow__node[data-id="{node_id}"]')
    node.locator(".sage-node-title").click()
    canvas.locator(".sage-config").wait_for()
    page.wait_for_timeout(800)  # the pan's animation
    pbox, nbox = pane.bounding_box(), node.bounding_box()
    assert pbox["x"] - 1 <= nbox["x"] and nbox["x"] + nbox["width"] <= pbox["x"] + pbox["width"] + 1, (
        pbox,
        nbox,
    )
    pane.click(position={"x": 5, "y": 5})  # deselect: the form closes
    canvas.locator(".sage-config").wait_for(state="detached")

    canvas.get_by_role("button", name="Run", exact=True).click()
    info = canvas.locator(".sage-run-info")
    try:
        canvas.locator(
            '.sage-run-info[data-run-status="finished"], .sage-run-info[data-run-status="failed"]'
        ).wait_for(timeout=300_000)
    finally:
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"first-run-{template}.png"))
    statuses = canvas.locator(".sage-node").evaluate_all(
        "els => Object.fromEntries(els.map(e => [e.dataset.nodeId, e.dataset.status]))"
    )
    errors = canvas.locator(".sage-node-error, .sage-error").all_inner_texts()
    assert info.get_attribute("data-run-status") == "finished", (statuses, errors, info.inner_text())
    assert all(s == "done" for s in statuses.values()), (statuses, errors)
    assert not errors, errors
    # A readable output: the generated text under its name, not JSON.
    shown = info.locator(f'.sage-run-output[data-output="{output}"] .sage-output-text')
    assert shown.count() == 1, info.inner_html()
    assert shown.inner_text().strip(), info.inner_html()
    assert "{}" not in info.inner_text()
    if template == "rag-over-documents":
        # The retrieved documents are a table with their text.
        table = info.locator('.sage-run-output[data-output="sources"] table.sage-output-table')
        assert table.count() == 1, info.inner_html()
        assert "text" in table.locator("th").all_inner_texts()


WIDGET_CELLS = [
    """\
from sage_studio_lab.flow import Flow
from sage_studio_lab.widgets import FlowCanvas
flow = Flow(name="shout")
flow.add_node("text_input", id="in")
flow.add_node("map", id="shout", expression="x.upper() + '!'")
flow.add_node("output", id="out", name="result")
flow.connect("in", "shout")
flow.connect("shout", "out")
canvas = FlowCanvas(flow)
canvas""",
    'print("RUN", canvas.run("from python"))',
]


def test_python_run_updates_the_canvas_widget(lab, page):
    """`canvas.run()` in a cell: the FlowCanvas widget above shows every node done and the run's output."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from .test_widgets_browser import run_cell, wait_idle

    nb = new_notebook(
        cells=[new_code_cell(c) for c in WIDGET_CELLS],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(nb, lab.root / "canvas-run.ipynb")
    open_lab(page, lab, "lab/tree/canvas-run.ipynb")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    wait_idle(page)
    run_cell(page, 0, timeout=180_000)
    flow = page.locator(".jp-Notebook .sage-flow")
    flow.locator(".sage-node").nth(2).wait_for(timeout=60_000)
    assert flow.locator('.sage-node[data-status="idle"]').count() == 3
    cell = run_cell(page, 1, timeout=180_000)
    assert "FROM PYTHON!" in cell.locator(".jp-OutputArea").inner_text()
    page.wait_for_function(
        "() => document.querySelectorAll('.sage-flow .sage-node[data-status=\"done\"]').length === 3",
        timeout=30_000,
    )
    info = flow.locator(
        '.sage-run-info[data-run-status="succeeded"], .sage-run-info[data-run-status="finished"]'
    )
    info.wait_for(timeout=30_000)
    assert (
        "FROM PYTHON!"
        in info.locator('.sage-run-output[data-output="result"] .sage-output-text').inner_text()
    )
