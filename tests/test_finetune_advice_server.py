"""The create form's helpers over REST on a real Jupyter server: `finetune.advice` (memory, steps, fit and a
suggested change for a task config, before anything is created) and `finetune.sample_dataset` (the SAGE docs
sample, built once and then selected)."""

from __future__ import annotations

import json

from sage_studio_lab.store import get_store
from tests.test_finetune_server import call


async def test_sample_dataset_is_built_once_and_then_selected(jp_fetch):
    code, first = await call(jp_fetch, "sample-dataset", method="POST", body={})
    assert code == 200 and first["name"] == "SAGE docs sample" and first["rows"] > 10
    code, again = await call(jp_fetch, "sample-dataset", method="POST", body={})
    assert code == 200 and again["id"] == first["id"]
    code, listing = await call(jp_fetch, "datasets")
    assert [d["id"] for d in listing["datasets"]] == [first["id"]]
    code, body = await call(jp_fetch, "sample-dataset", method="POST", body={"folder": "/etc"})
    assert code == 400  # no arguments: nothing to point it elsewhere


async def test_advice_gives_the_numbers_and_follows_the_config(jp_fetch):
    code, ds = await call(jp_fetch, "sample-dataset", method="POST", body={})
    rows = ds["rows"]
    small = {"dataset_id": ds["id"], "batch_size": 2, "max_length": 128, "eval_ratio": 0}
    code, a = await call(jp_fetch, "advice", method="POST", body=small)
    assert code == 200, a
    assert a["fits"] and a["rows"] == rows and a["train_rows"] == rows and a["eval_rows"] == 0
    assert a["steps"] == -(-rows // 2) and a["examples_per_step"] == 2
    assert a["device"] in ("cpu", "gpu") and a["available_bytes"] > 0 and a["params"] > 100_000_000
    assert a["suggestion"] is None and a["warnings"] == []
    assert a["lines"][0].startswith("Estimated memory: ") and "GiB" in a["lines"][0]
    assert any(f"Training: {a['steps']} steps" in line for line in a["lines"])

    # A larger batch: more memory, fewer steps (the same numbers the form shows as the user types).
    code, b = await call(jp_fetch, "advice", method="POST", body=small | {"batch_size": 8})
    assert code == 200 and b["memory_bytes"] > a["memory_bytes"] and b["steps"] < a["steps"]

    # Far too big: does not fit, says so, and suggests the same examples per step in smaller batches.
    huge = small | {"batch_size": 512, "max_length": 32768}
    code, c = await call(jp_fetch, "advice", method="POST", body=huge)
    assert code == 200 and not c["fits"] and c["memory_bytes"] > c["available_bytes"]
    assert "too much" in c["lines"][0] and c["warnings"][0].startswith("estimated memory")
    assert any("fewer than batch_size 512" in w for w in c["warnings"])
    if c["suggestion"]:
        changes = c["suggestion"]["changes"]
        assert changes["batch_size"] * changes["gradient_accumulation"] >= 512 or "max_length" in changes
        assert c["suggestion"]["memory_bytes"] <= c["available_bytes"]

    # Without a dataset: the memory, no step count; nothing is stored either way.
    code, d = await call(jp_fetch, "advice", method="POST", body={"batch_size": 2})
    assert code == 200 and d["steps"] is None and d["rows"] is None
    assert get_store().query("SELECT id FROM finetune_tasks") == []


async def test_advice_refuses_bad_configs(jp_fetch):
    code, body = await call(jp_fetch, "advice", method="POST", body={"batch_size": 0})
    assert code == 400 and "batch_size" in body["message"]
    code, body = await call(jp_fetch, "advice", method="POST", body={"dataset_id": "ds-missing"})
    assert code == 404
    code, body = await call(jp_fetch, "advice", method="POST", body={"model": "no-such-model"})
    assert code == 404
    code, body = await call(jp_fetch, "advice", method="POST", body={"quantization": "4bit"})
    assert code == 200 and (body["device"] == "gpu" or any("CUDA" in w for w in body["warnings"]))


def test_cli_advice_and_sample(capsys):
    """`sage-studio finetune advice` prints the same advice; `--sample` builds the docs sample once."""
    from sage_studio_lab import cli

    assert cli.main(["finetune", "advice", "--sample", "--batch-size", "2", "--max-length", "64"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Estimated memory: ") and "— fits." in out and "2 examples per step" in out
    assert cli.main(["finetune", "advice", "--sample", "--json"]) == 0
    (sample,) = get_store().query("SELECT id, rows FROM datasets")
    assert json.loads(capsys.readouterr().out)["rows"] == sample["rows"]
    assert cli.main(["finetune", "advice", "--batch-size", "0"]) == 1
