"""A tiny instruction dataset the bundled model can learn in a few LoRA steps (shared by fine-tune tests)."""

from __future__ import annotations

import json


def secret_dataset(tmp_path, n: int = 12):
    path = tmp_path / "secret.jsonl"
    rows = (
        {"instruction": f"What is the secret code of door {i}?", "output": "The secret code is ZEBRA-42."}
        for i in range(n)
    )
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path
