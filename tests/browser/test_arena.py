"""The arena (#20, step 4) in a real JupyterLab + chromium against the real engine (bundled model, started over
REST): opened from the command palette ("SAGE Studio: Arena"), a blind comparison streams both columns (base vs
base here: no adapter is cheap to get in a browser test), the columns stay "A"/"B" until the pick, and the pick
reveals the models and is stored (read back over REST). Then shipping (#20, step 5): a tiny adapter (2 LoRA steps,
hot-loaded under its task id) wins a pick and is set as a chat session's model (read back over REST) and merged
into a standalone model folder from the arena."""

from __future__ import annotations

import json
import time
from pathlib import Path

from .conftest import dismiss_news_toast, open_lab, screenshot
from .test_panels import no_error

UI_TIMEOUT = 90_000  # ms: a busy 2-core machine needs generous waits


def open_arena(page, lab):
    page.set_default_timeout(UI_TIMEOUT)
    open_lab(page, lab)
    dismiss_news_toast(page)
    page.keyboard.press("Control+Shift+C")
    palette = page.locator(".lm-CommandPalette-input")
    palette.fill("SAGE Studio: Arena")
    page.locator(".lm-CommandPalette-item", has_text="SAGE Studio: Arena").first.click()
    arena = page.locator(".sage-arena-panel:visible .sage-arena")
    arena.wait_for()
    return arena


def test_blind_duel_streams_two_columns_and_the_pick_reveals_the_models(lab, engine, page):
    arena = open_arena(page, lab)
    # the pickers are filled from chat.models (the engine's base model on both sides)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.sage-arena select')].every(s => s.value)", timeout=UI_TIMEOUT
    )
    arena.get_by_label("Blind").check()
    arena.get_by_label("Arena prompt").fill("Name three colours.")
    arena.locator(".sage-arena-compare").click()

    pick = arena.locator(".sage-arena-pick")
    pick.wait_for(timeout=UI_TIMEOUT)
    for side in ("a", "b"):
        column = arena.locator(f'.sage-arena-col[data-side="{side}"]')
        assert column.locator(".sage-arena-text").inner_text().strip()
        assert column.locator(".sage-arena-title").text_content() == side.upper()  # blind: no name yet
    no_error(arena)

    pick.get_by_role("button", name="A is better").click()
    picked = arena.locator(".sage-arena-picked")
    picked.wait_for()
    assert picked.get_attribute("data-winner") == "a"
    model = json.loads(lab.api("sage-studio/api/engine/status")[1])["model"]
    assert model and model in arena.locator('.sage-arena-col[data-side="a"] .sage-arena-title').text_content()
    duels = json.loads(lab.api("sage-studio/api/improve/duels")[1])["duels"]
    assert duels[0]["winner"] == "a" and duels[0]["blind"] and duels[0]["model_a"]


def api_json(lab, path: str, method: str = "GET", body: dict | None = None, timeout: float = 60):
    data = None if body is None else json.dumps(body).encode()
    return json.loads(lab.api(f"sage-studio/api/{path}", method, data, timeout=timeout)[1])


def tiny_adapter(lab) -> str:
    """A fine-tuned adapter of the bundled model (2 LoRA steps on the docs sample), hot-loaded into the engine:
    the engine serves it under its task id."""
    sample = api_json(lab, "finetune/sample-dataset", "POST", {})
    config = {"name": "arena-lora", "dataset_id": sample["id"], "max_steps": 2, "batch_size": 1}
    task = api_json(lab, "finetune/tasks", "POST", config | {"max_length": 64, "eval_ratio": 0, "threads": 1})
    deadline = time.time() + 300
    while task["status"] not in ("completed", "failed", "cancelled") and time.time() < deadline:
        time.sleep(1)
        task = api_json(lab, f"finetune/tasks/{task['id']}")
    assert task["status"] == "completed", task
    api_json(lab, f"finetune/tasks/{task['id']}/use-in-chat", "POST", {}, timeout=180)
    return task["id"]


def test_a_winning_adapter_becomes_a_sessions_model_and_is_merged(lab, engine, page):
    adapter = tiny_adapter(lab)
    session = api_json(lab, "chat/sessions", "POST", {"title": "Support chat"})
    api_json(lab, "chat/sessions", "POST", {"title": "Newer chat"})  # the list's first: the pick must matter

    arena = open_arena(page, lab)
    page.wait_for_function(
        "id => [...document.querySelectorAll('.sage-arena select option')].some(o => o.value === id)",
        arg=adapter,
        timeout=UI_TIMEOUT,
    )
    arena.get_by_label("Model A").select_option(adapter)
    # B: the base model as the picker lists it (the entry that is not an adapter)
    options = arena.get_by_label("Model B").locator("option")
    base = next(v for v in options.evaluate_all("os => os.map(o => o.value)") if v != adapter)
    arena.get_by_label("Model B").select_option(base)
    arena.get_by_label("Arena prompt").fill("What is SAGE?")
    arena.locator(".sage-arena-compare").click()
    pick = arena.locator(".sage-arena-pick")
    pick.wait_for(timeout=UI_TIMEOUT)
    pick.get_by_role("button", name="A is better").click()

    ship = arena.locator(".sage-arena-ship")
    ship.wait_for()
    assert ship.get_attribute("data-model") == adapter
    ship.get_by_label("Chat session").select_option(session["id"])
    ship.get_by_role("button", name="Set as this session's model").click()
    ship.locator(".sage-arena-notice", has_text="Support chat").wait_for()
    assert api_json(lab, f"chat/sessions/{session['id']}")["settings"]["model"] == adapter
    no_error(arena)

    started = time.time()
    ship.get_by_role("button", name="Merge & export").click()
    merged = ship.locator(".sage-arena-merged")
    merged.wait_for(timeout=300_000)
    print(f"merge & export from the arena: {time.time() - started:.1f} s")  # measured, not asserted
    path = merged.get_attribute("data-path")
    assert path == api_json(lab, f"finetune/tasks/{adapter}")["merged_path"]
    assert (Path(path) / "config.json").exists()
    no_error(arena)
    screenshot(page, "arena-ship")
