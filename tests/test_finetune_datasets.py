"""Dataset formats, validation with line numbers, storage, split, preview/token stats, docs sample."""

from __future__ import annotations

import json

import pytest

from sage_studio_lab.errors import InvalidInput, NotFound
from sage_studio_lab.finetune import datasets
from sage_studio_lab.store import get_store


def write_jsonl(path, records):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


ALPACA = {"instruction": "Say hi", "input": "", "output": "Hi!"}
SHAREGPT = {"conversations": [{"from": "human", "value": "Say hi"}, {"from": "gpt", "value": "Hi!"}]}
OPENAI = {
    "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Say hi"},
        {"role": "assistant", "content": "Hi!"},
    ]
}


@pytest.mark.parametrize("record, fmt", [(ALPACA, "alpaca"), (SHAREGPT, "sharegpt"), (OPENAI, "openai")])
def test_each_format_is_detected_and_normalised(tmp_path, record, fmt):
    path = write_jsonl(tmp_path / "d.jsonl", [record] * 3)
    report = datasets.validate_file(path)
    assert report == {"ok": True, "format": fmt, "rows": 3, "errors": [], "error_count": 0}
    ds = datasets.import_file(path)
    conv = datasets.load_conversations(ds["id"])[0]
    assert conv[-1] == {"role": "assistant", "content": "Hi!"}
    assert conv[-2]["role"] == "user" and conv[-2]["content"] == "Say hi"


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"instruction": "x"}, "line 17: missing 'output'"),
        ({"conversations": [{"from": "alien", "value": "x"}]}, "line 17: 'conversations[0].from' is 'alien'"),
        ({"messages": [{"role": "user", "content": "hi"}]}, "line 17: no assistant turn"),
        ("{not json", "line 17: not valid JSON"),
    ],
)
def test_validation_names_the_bad_line(tmp_path, bad, message):
    good = {"alpaca": ALPACA, "sharegpt": SHAREGPT, "openai": OPENAI}
    first = ALPACA if isinstance(bad, str) else next(v for k, v in good.items() if set(v) & set(bad))
    path = write_jsonl(tmp_path / "d.jsonl", [first] * 16 + [bad] + [first])
    report = datasets.validate_file(path)
    assert not report["ok"] and report["rows"] == 17
    assert report["errors"][0].startswith(message), report["errors"]
    with pytest.raises(InvalidInput, match="line 17"):
        datasets.import_file(path)
    assert get_store().query("SELECT * FROM datasets") == []  # nothing stored
    assert list(datasets.datasets_root().iterdir()) == []


def test_json_array_and_mixed_formats(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps([ALPACA, OPENAI, ALPACA]))
    report = datasets.validate_file(path)
    assert report["errors"] == ["record 2: missing 'instruction'"]
    path.write_text(json.dumps({"not": "a list"}))
    assert "array" in datasets.validate_file(path)["errors"][0]
    bad_ext = write_jsonl(tmp_path / "d.csv", [ALPACA])
    assert "extension" in datasets.validate_file(bad_ext)["errors"][0]


def test_alpaca_system_input_and_history(tmp_path):
    rec = {
        "instruction": "Translate",
        "input": "bonjour",
        "output": "hello",
        "system": "You translate.",
        "history": [["hi", "hello there"]],
    }
    ds = datasets.import_file(write_jsonl(tmp_path / "d.jsonl", [rec]))
    conv = datasets.load_conversations(ds["id"])[0]
    assert [m["role"] for m in conv] == ["system", "user", "assistant", "user", "assistant"]
    assert conv[3]["content"] == "Translate\n\nbonjour"


def test_split_is_seeded_and_keeps_an_eval_example():
    items = list(range(10))
    train, ev = datasets.split(items, 0.1, seed=1)
    assert len(ev) == 1 and len(train) == 9 and sorted(train + ev) == items
    assert datasets.split(items, 0.1, seed=1) == (train, ev)
    assert datasets.split(items[:3], 0.05, seed=1)[1]  # at least one eval example when asked for
    assert datasets.split(items, 0.0, seed=1)[1] == []


def test_unknown_ids_and_traversal():
    with pytest.raises(InvalidInput):
        datasets.get_dataset("../etc")
    with pytest.raises(NotFound):
        datasets.get_dataset("ds-missing")


def test_docs_sample_dataset(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "guide.md").write_text(
        "# Guide\nIntro text.\n\n## Install\nRun pip install.\n```\n# not a heading\n```\n"
    )
    ds = datasets.prepare_docs(str(docs))
    convs = datasets.load_conversations(ds["id"])
    assert ds["rows"] == 2 and ds["format"] == "docs"
    assert "Install" in convs[1][0]["content"] and "# not a heading" in convs[1][1]["content"]
    with pytest.raises(InvalidInput):
        datasets.prepare_docs(str(tmp_path / "nope"))


def test_preview_uses_the_chat_template_and_token_stats(tmp_path):
    ds = datasets.import_file(write_jsonl(tmp_path / "d.jsonl", [ALPACA, {**ALPACA, "output": "Hi! " * 50}]))
    preview = datasets.preview(ds["id"], rows=1)
    assert "<|im_start|>user\nSay hi<|im_end|>" in preview[0]["rendered"]
    stats = datasets.token_stats(ds["id"], max_length=64)
    assert stats["count"] == 2 and stats["max"] > 64 and stats["over_max_length"] == 1


def test_loss_mask_covers_only_assistant_tokens():
    from sage_studio_lab.finetune.encoding import encode, tokenizer_for

    tok = tokenizer_for(None)
    msgs = [
        {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "Four."},
        {"role": "user", "content": "And 3+3?"},
        {"role": "assistant", "content": "Six."},
    ]
    enc = encode(tok, msgs, 256)
    learned = tok.decode(
        [t for t, label in zip(enc["input_ids"], enc["labels"], strict=True) if label != -100]
    )
    assert learned == "Four.<|im_end|>\nSix.<|im_end|>\n"
