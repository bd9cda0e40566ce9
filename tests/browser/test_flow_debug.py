"""Debugging a flow like a notebook (#21) in a real JupyterLab + chromium: after a run, the selected node shows what
it received and emitted; *Run to here* runs only the nodes it needs; an edited node is *re-run* on the upstream
outputs of the last run; *Pin output* marks the node and runs then use the pinned value."""

from __future__ import annotations

import json

from .conftest import dismiss_news_toast, open_lab
from .test_panels import UI_TIMEOUT

FLOW = {
    "version": 1,
    "name": "debug me",
    "nodes": [
        {"id": "in", "type": "text_input", "position": {"x": 0, "y": 0}, "data": {"config": {}}},
        {
            "id": "upper",
            "type": "map",
            "position": {"x": 260, "y": 0},
            "data": {"config": {"expression": "x.upper()"}},
        },
        {
            "id": "out",
            "type": "output",
            "position": {"x": 520, "y": 0},
            "data": {"config": {"name": "shout"}},
        },
    ],
    "edges": [
        {"id": "e1", "source": "in", "target": "upper"},
        {"id": "e2", "source": "upper", "target": "out"},
    ],
}


def _run(page, canvas, button) -> None:
    """Click a run button and wait until a *new* run (another id in the run line) has finished."""
    info = canvas.locator(".sage-run-info")
    before = info.get_attribute("data-run-id") if info.count() else None
    button.click()
    page.wait_for_function(
        """before => {
            const el = [...document.querySelectorAll('.sage-flow-panel .sage-run-info')]
                .find(e => e.offsetParent !== null);
            return el && el.dataset.runId && el.dataset.runId !== before && el.dataset.runStatus === 'finished';
        }""",
        arg=before,
        timeout=UI_TIMEOUT,
    )


def test_inspect_run_to_here_rerun_and_pin(lab, page):
    (lab.root / "debug.sage-flow.json").write_text(json.dumps(FLOW))
    open_lab(page, lab, "lab/tree/debug.sage-flow.json")
    dismiss_news_toast(page)
    canvas = page.locator(".sage-flow-panel:visible").last
    canvas.locator('.sage-node[data-node-id="upper"]').wait_for(timeout=UI_TIMEOUT)

    canvas.get_by_label("flow input input").fill("hello")
    _run(page, canvas, canvas.get_by_role("button", name="Run", exact=True))

    canvas.locator('.react-flow__node[data-id="upper"] .sage-node-title').click()
    debug = canvas.locator('.sage-node-debug[data-node-debug="upper"]')
    debug.locator(".sage-node-io").wait_for(timeout=UI_TIMEOUT)
    assert "hello" in debug.locator(".sage-node-io").inner_text()
    assert "HELLO" in debug.locator(".sage-node-io").inner_text()

    # Run to here: the output node does not run this time.
    _run(page, canvas, debug.get_by_role("button", name="Run to here"))
    assert canvas.locator('.sage-node[data-node-id="upper"]').get_attribute("data-status") == "done"
    assert canvas.locator('.sage-node[data-node-id="out"]').get_attribute("data-status") == "idle"

    # Edit the node, re-run only it on the input of the last run.
    canvas.get_by_label("flow input input").fill("changed input, not used")
    expression = canvas.locator(".sage-config .cm-content, .sage-config textarea").first
    expression.fill("x + '!'")
    _run(page, canvas, debug.get_by_role("button", name="Re-run this node"))
    debug.locator(".sage-node-io", has_text="hello!").wait_for(timeout=UI_TIMEOUT)

    # Pin its output: the node shows the pin and the flow file keeps it.
    debug.get_by_role("button", name="Pin output").click()
    canvas.locator('.sage-node[data-node-id="upper"] .sage-node-pin').wait_for(timeout=UI_TIMEOUT)
    debug.get_by_role("button", name="Unpin output").wait_for(timeout=UI_TIMEOUT)
    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')", timeout=UI_TIMEOUT
    )
    saved = json.loads((lab.root / "debug.sage-flow.json").read_text())
    upper = next(n for n in saved["nodes"] if n["id"] == "upper")
    assert upper["data"]["pinned"] == {"out": ["hello!"]}
