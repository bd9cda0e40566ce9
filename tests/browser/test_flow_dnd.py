"""Flow canvas in a real JupyterLab + chromium: a palette entry dragged onto the canvas becomes a node where it is
dropped (HTML5 drag and drop + React Flow's screenToFlowPosition); click-to-add still works; nodes connected by
dragging from a handle to another make a flow that runs (build and run from the panel alone, #19)."""

from __future__ import annotations

from .conftest import open_lab
from .test_panels import UI_TIMEOUT, open_section


def test_drag_operator_from_palette_onto_canvas(lab, page):
    open_lab(page, lab)
    panel = open_section(page, lab, "flows")
    panel.get_by_role("button", name="New flow", exact=True).click()
    canvas = page.locator(".sage-flow-panel:visible").last
    item = canvas.locator('.sage-palette-item[data-operator="chunker"]')
    item.wait_for(timeout=UI_TIMEOUT)  # operator registry loaded
    assert item.get_attribute("draggable") == "true"
    assert canvas.locator(".sage-node").count() == 0
    assert page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count() == 0

    pane = canvas.locator(".react-flow__pane")
    box = pane.bounding_box()
    drop = {"x": round(box["width"] * 0.55), "y": round(box["height"] * 0.35)}
    item.drag_to(pane, target_position=drop)

    node = canvas.locator('.react-flow__node:has(.sage-node[data-node-id="chunker_1"])')
    node.wait_for(timeout=10_000)
    assert canvas.locator(".sage-node").count() == 1
    # The node's top-left corner is where the pointer let go (screen coordinates, any zoom).
    at = node.bounding_box()
    assert abs(at["x"] - (box["x"] + drop["x"])) <= 8, (at, box, drop)
    assert abs(at["y"] - (box["y"] + drop["y"])) <= 8, (at, box, drop)
    assert "Chunker" in node.inner_text() or "chunker" in node.inner_text()
    # The edit went into the document: its tab is dirty.
    page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").wait_for(timeout=10_000)

    # Click-to-add is still there.
    canvas.locator('.sage-palette-item[data-operator="text_input"]').click()
    canvas.locator('.sage-node[data-node-id="text_input_1"]').wait_for(timeout=10_000)
    assert canvas.locator(".sage-node").count() == 2

    # Build and run: an output node, connected from the text input by dragging between their handles.
    canvas.get_by_placeholder("Search operators").fill("output")  # (a sticky category header may cover it)
    canvas.locator('.sage-palette-item[data-operator="output"]').click()
    sink = canvas.locator('.react-flow__node:has(.sage-node[data-node-id="output_1"])')
    sink.wait_for(timeout=10_000)
    pane.click(position={"x": 5, "y": 5})  # the config form closes: the whole canvas is in view
    canvas.locator(".react-flow__controls-fitview").click()
    page.wait_for_timeout(500)  # the fit's animation
    source = canvas.locator('.react-flow__node:has(.sage-node[data-node-id="text_input_1"])')
    source.locator(".react-flow__handle.source").drag_to(sink.locator(".react-flow__handle.target"))
    canvas.locator(".react-flow__edge").first.wait_for(timeout=10_000)
    canvas.locator('.sage-node[data-node-id="chunker_1"]').click()
    canvas.get_by_role("button", name="Delete node").click()  # the unconnected chunker would fail validation
    canvas.get_by_label("flow input input").fill("built on the canvas")
    canvas.get_by_role("button", name="Run", exact=True).click()
    info = canvas.locator(
        '.sage-run-info[data-run-status="finished"], .sage-run-info[data-run-status="failed"]'
    )
    info.wait_for(timeout=UI_TIMEOUT)
    assert info.get_attribute("data-run-status") == "finished", info.inner_text()
    assert "built on the canvas" in info.inner_text()
