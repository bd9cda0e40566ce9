"""The improvement loop (#20) from the notebook widgets alone, in a real JupyterLab + chromium with the bundled model:
rate answers in the Chat widget (👎 with an ideal answer, 👍) → build a dataset from them in the fine-tune widget
(*From rated chats*) → fine-tune on it (evaluated base vs adapter when it ends) → the evaluation table → *Use in
chat* → the Arena widget compares base and adapter and records the pick. The kernel's objects and the store are
checked after each step."""

from __future__ import annotations

import json
import re

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from .conftest import open_lab, screenshot
from .test_panels import no_error
from .test_widgets_browser import (
    LONG,
    TURN_ENDED,
    UI_TIMEOUT,
    click,
    last_output,
    output,
    run_cell,
    wait_idle,
)

CELLS = [
    "import json\nfrom sage_studio_lab.widgets import Arena, Chat, FinetuneProgress\n"
    'chat = Chat(title="loop", settings={"max_tokens": 16, "temperature": 0.0})\nchat',
    'print("RATINGS", json.dumps([m["metadata"].get("rating", {}).get("value") for m in chat.refresh()]))',
    "FinetuneProgress()",
    "arena = Arena(max_tokens=16)\narena",
]
IDEAL = "The capital of France is Paris."


def test_rate_build_train_evaluate_and_compare_from_the_widgets(lab, engine, page):
    page.set_default_timeout(UI_TIMEOUT)
    nb = new_notebook(
        cells=[new_code_cell(c) for c in CELLS],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(nb, lab.root / "improve-loop-widgets.ipynb")
    try:
        loop(lab, page)
    except Exception:
        screenshot(page, "improve-loop-widgets-failure")
        print("--- jupyter log ---\n" + lab.log_tail(80))
        raise


def ask(page, chat, question: str):
    """Send from the widget's composer; returns the stored answer's bubble once its feedback controls show."""
    before = chat.locator(".sage-msg-assistant").count()
    chat.locator(".sage-composer textarea").fill(question)
    click(page, chat.locator(".sage-composer .sage-primary"))
    answer = chat.locator(".sage-msg-assistant").nth(before)
    answer.get_by_role("button", name="Good answer").wait_for(timeout=LONG)
    page.wait_for_function(TURN_ENDED, arg=chat.element_handle(), timeout=LONG)
    return answer


def loop(lab, page):
    open_lab(page, lab, "lab/tree/improve-loop-widgets.ipynb")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=UI_TIMEOUT)
    wait_idle(page)
    chat = run_cell(page, 0, timeout=LONG).locator(".sage-chat")
    chat.wait_for(timeout=UI_TIMEOUT)

    # 1. Rate and correct in the Chat widget.
    wrong = ask(page, chat, "What is the capital of France?")
    click(page, wrong.get_by_role("button", name="Bad answer"))
    click(page, wrong.get_by_role("button", name="Skip"))  # the comment is optional
    click(page, wrong.get_by_role("button", name="ideal answer", exact=True))
    wrong.get_by_label("Ideal answer").fill(IDEAL)
    click(page, wrong.get_by_role("button", name="Save ideal answer"))
    wrong.locator("[data-ideal-saved]").wait_for(timeout=UI_TIMEOUT)
    good = ask(page, chat, "Say hello.")
    click(page, good.get_by_role("button", name="Good answer"))
    page.wait_for_function(
        "el => el.getAttribute('aria-pressed') === 'true'",
        arg=good.get_by_role("button", name="Good answer").element_handle(),
        timeout=UI_TIMEOUT,
    )
    run_cell(page, 1)  # the kernel's Chat reads both ratings back
    match = re.search(r"RATINGS (.*)", last_output(page, 1))
    assert match and json.loads(match.group(1)) == [None, "down", None, "up"], last_output(page, 1)

    # 2. Build a dataset from them in the fine-tune widget: 2 rows, one held out for the evaluation.
    run_cell(page, 2)
    tuning = output(page, 2).locator(".sage-finetune")
    click(page, tuning.get_by_role("button", name="From rated chats"))
    builder = tuning.locator(".sage-dataset-builder")
    builder.get_by_label("eval share").fill("50")
    builder.get_by_label("dataset name").fill("loop data")
    click(page, builder.get_by_role("button", name="Preview", exact=True))
    preview = builder.locator('.sage-builder-preview[data-rows="2"]')
    preview.wait_for(timeout=UI_TIMEOUT)
    assert any(IDEAL in r for r in preview.locator(".sage-builder-rows pre").all_inner_texts())
    click(page, builder.get_by_role("button", name="Build dataset"))
    built = builder.locator(".sage-builder-built")
    built.wait_for(timeout=UI_TIMEOUT)
    assert built.inner_text().startswith("Built loop data v1: 2 rows: 1 train, 1 eval"), built.inner_text()

    # 3. Fine-tune on it; the task is evaluated on the held-out row when it ends.
    click(page, built.get_by_role("button", name="Fine-tune on it"))
    tuning.get_by_label("task name").fill("loop-adapter")
    tuning.get_by_label("max steps (0 = all)").fill("4")
    tuning.get_by_label("batch size").fill("1")
    click(page, tuning.get_by_role("button", name="Start fine-tune"))
    row = tuning.locator("tr[data-task-id]").first
    row.wait_for(timeout=UI_TIMEOUT)
    task_id = row.get_attribute("data-task-id")
    detail = tuning.locator(f'.sage-task-detail[data-task-id="{task_id}"][data-status="completed"]')
    detail.wait_for(timeout=LONG)
    click(page, detail.locator("details.sage-evaluation-section summary"))
    evaluation = detail.locator(f'.sage-evaluation[data-task-id="{task_id}"][data-state="completed"]')
    evaluation.wait_for(timeout=LONG)
    loss = evaluation.locator('table.sage-eval-metrics tr[data-metric="eval_loss"]')
    assert loss.locator(".sage-eval-base").inner_text() and loss.locator(".sage-eval-adapter").inner_text()
    assert evaluation.locator("table.sage-eval-samples tbody tr").count() == 1
    click(page, detail.get_by_role("button", name="Use in chat"))
    detail.locator(".sage-notice", has_text="Chat now uses").wait_for(timeout=LONG)
    no_error(tuning)

    # 4. Compare base and adapter side by side in the Arena widget; the pick is stored.
    run_cell(page, 3)
    arena = output(page, 3).locator(".sage-arena")
    page.wait_for_function(
        "el => [...el.querySelectorAll('select')].every(s => s.value)",
        arg=arena.element_handle(),
        timeout=LONG,
    )
    arena.get_by_label("Model B").select_option(task_id)
    base = arena.get_by_label("Model A").input_value()
    assert base != task_id
    arena.get_by_label("Arena prompt").fill("What is the capital of France?")
    click(page, arena.locator(".sage-arena-compare"))
    pick = arena.locator(".sage-arena-pick")
    pick.wait_for(timeout=LONG)
    for side in ("a", "b"):
        assert arena.locator(f'.sage-arena-col[data-side="{side}"] .sage-arena-text').inner_text().strip()
    click(page, pick.get_by_role("button", name="B is better"))
    arena.locator('.sage-arena-picked[data-winner="b"]').wait_for(timeout=UI_TIMEOUT)
    no_error(arena)
    screenshot(page, "improve-loop-widgets")
    duels = json.loads(lab.api("sage-studio/api/improve/duels")[1])["duels"]
    assert (duels[0]["winner"], duels[0]["model_a"], duels[0]["model_b"]) == ("b", base, task_id)
