"""The dataset builder in a real JupyterLab + chromium (issue #20, step 2): answers written by the bundled model and
rated / corrected over REST, then in the Fine-tune panel *From rated chats* → *Preview* (rows rendered with the chat
template and their token counts) → the preference pairs downloaded as JSONL → *Build* (the version shown) →
*Fine-tune on it* (the create form opens with the dataset picked). The store is checked over REST: the dataset
exists with the rows the preview promised. No training."""

from __future__ import annotations

import json

from .conftest import dismiss_news_toast, open_lab, screenshot
from .test_panels import UI_TIMEOUT, no_error, open_main


def _post(lab, path: str, body: dict) -> dict:
    _, out = lab.api(f"sage-studio/api/{path}", "POST", json.dumps(body).encode(), timeout=300)
    return json.loads(out)


def _answer(lab, sid: str, question: str) -> dict:
    """A turn through the session's pipeline (the engine answers, a few tokens)."""
    reply = _post(lab, f"chat/sessions/{sid}/messages", {"content": question})
    assert reply["role"] == "assistant" and reply["id"], reply
    return reply


def _rated_chats(lab) -> dict:
    """maths: a 👍 answer, then a 👎 answer corrected with its ideal answer; greetings: a 👍 answer.
    Default filters (answers I corrected + 👍 answers) select 3 rows: 2 train, 1 eval at 10 %."""
    settings = {"max_tokens": 16, "temperature": 0.0}
    ids = {}
    for title in ("maths", "greetings"):
        ids[title] = _post(lab, "chat/sessions", {"title": title, "settings": settings})["id"]
    good = _answer(lab, ids["maths"], "What is 2+2?")
    _post(lab, f"chat/sessions/{ids['maths']}/messages/{good['id']}/rating", {"rating": "up"})
    wrong = _answer(lab, ids["maths"], "Name a primary colour.")
    _post(lab, f"chat/sessions/{ids['maths']}/messages/{wrong['id']}/rating", {"rating": "down"})
    _post(lab, f"chat/sessions/{ids['maths']}/messages/{wrong['id']}/ideal", {"content": "Red."})
    hello = _answer(lab, ids["greetings"], "Say hello.")
    _post(lab, f"chat/sessions/{ids['greetings']}/messages/{hello['id']}/rating", {"rating": "up"})
    return ids


def test_preview_build_and_finetune_on_it(lab, engine, page):
    _rated_chats(lab)
    open_lab(page, lab)
    dismiss_news_toast(page)
    main = open_main(page, lab, "finetune")
    main.get_by_role("button", name="From rated chats").click()
    builder = main.locator(".sage-dataset-builder")
    builder.wait_for(timeout=UI_TIMEOUT)

    # Preview: the counts in words, each row rendered with the chat template and its token count.
    builder.get_by_role("button", name="Preview", exact=True).click()
    preview = builder.locator('.sage-builder-preview[data-rows="3"]')
    preview.wait_for(timeout=UI_TIMEOUT)
    counts = preview.locator(".sage-builder-counts").inner_text()
    assert counts.startswith("3 rows from ") and "2 train, 1 eval" in counts, counts
    rows = preview.locator(".sage-builder-rows tbody tr")
    assert rows.count() == 3
    for i in range(3):
        assert int(rows.nth(i).get_attribute("data-tokens")) > 5
    rendered = preview.locator(".sage-builder-rows pre").all_inner_texts()
    assert any("Red." in r for r in rendered), rendered  # the corrected turn learns the ideal answer
    assert all("<|im_start|>assistant" in r for r in rendered), rendered  # SmolLM2's chat template

    # Preference pairs: the corrected answer (rejected) against its ideal answer (chosen), as JSONL.
    with page.expect_download(timeout=UI_TIMEOUT) as download:
        builder.get_by_role("button", name="Download preference pairs").click()
    lines = [json.loads(line) for line in open(download.value.path()).read().splitlines()]
    assert len(lines) == 1 and lines[0]["chosen"] == [{"role": "assistant", "content": "Red."}], lines
    pairs = builder.locator(".sage-builder-pairs")
    pairs.wait_for(timeout=UI_TIMEOUT)
    assert pairs.inner_text().startswith("Downloaded 1 preference pair from maths")

    # Build: the version, its rows and where they came from; the list of built versions follows.
    builder.get_by_label("dataset name").fill("from chats")
    builder.get_by_role("button", name="Build dataset").click()
    built = builder.locator(".sage-builder-built")
    built.wait_for(timeout=UI_TIMEOUT)
    text = built.inner_text()
    assert text.startswith("Built from chats v1: 3 rows: 2 train, 1 eval"), text
    assert "maths" in text and "greetings" in text
    dataset_id = built.get_attribute("data-dataset-id")
    builder.locator(f'.sage-builder-builds tr[data-dataset-id="{dataset_id}"]').wait_for(timeout=UI_TIMEOUT)
    no_error(main)
    screenshot(page, "dataset-builder")

    # The store agrees: a dataset of 2 training rows (eval.jsonl holds the third), linked to both chats.
    _, body = lab.api("sage-studio/api/finetune/datasets")
    (dataset,) = [d for d in json.loads(body)["datasets"] if d["id"] == dataset_id]
    assert dataset["name"] == "from chats v1" and dataset["rows"] == 2
    _, body = lab.api("sage-studio/api/improve/datasets")
    (build,) = [b for b in json.loads(body)["builds"] if b["dataset_id"] == dataset_id]
    assert build["counts"]["selected"] == 3 and len(build["sessions"]) == 2

    # Fine-tune on it: the create form opens with the dataset picked.
    built.get_by_role("button", name="Fine-tune on it").click()
    builder.wait_for(state="detached", timeout=UI_TIMEOUT)
    picker = main.get_by_label("dataset", exact=True)
    picker.locator(f'option[value="{dataset_id}"]').wait_for(state="attached", timeout=UI_TIMEOUT)
    assert picker.input_value() == dataset_id
    assert picker.locator("option:checked").inner_text() == "from chats v1 (2 rows)"
    ok = main.locator(".sage-dataset-ok")
    assert ok.inner_text().startswith("from chats v1: ✓ 2 rows"), ok.inner_text()
    assert main.get_by_role("button", name="Start fine-tune").is_enabled()
    no_error(main)
