"""The arena (#20, step 4) in a real JupyterLab + chromium against the real engine (bundled model, started over
REST): opened from the command palette ("SAGE Studio: Arena"), a blind comparison streams both columns (base vs
base here: no adapter is cheap to get in a browser test), the columns stay "A"/"B" until the pick, and the pick
reveals the models and is stored (read back over REST)."""

from __future__ import annotations

import json

from .conftest import dismiss_news_toast, open_lab
from .test_panels import no_error

UI_TIMEOUT = 90_000  # ms: a busy 2-core machine needs generous waits


def test_blind_duel_streams_two_columns_and_the_pick_reveals_the_models(lab, engine, page):
    page.set_default_timeout(UI_TIMEOUT)
    open_lab(page, lab)
    dismiss_news_toast(page)
    page.keyboard.press("Control+Shift+C")
    palette = page.locator(".lm-CommandPalette-input")
    palette.fill("SAGE Studio: Arena")
    page.locator(".lm-CommandPalette-item", has_text="SAGE Studio: Arena").first.click()
    arena = page.locator(".sage-arena-panel:visible .sage-arena")
    arena.wait_for()
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
