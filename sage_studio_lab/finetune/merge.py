"""Merge-and-export: `python -m sage_studio_lab.finetune.merge <task_dir>` writes `merged/`, a standalone HF
model (base weights with the LoRA update folded in) that any engine, vLLM included, can serve directly."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path


def merge(folder: Path) -> Path:
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    spec = json.loads((folder / "config.json").read_text())
    base = AutoModelForCausalLM.from_pretrained(spec["model_path"])
    merged = PeftModel.from_pretrained(base, str(folder / "adapter")).merge_and_unload()
    tmp = folder / ".merged.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    merged.save_pretrained(tmp)
    AutoTokenizer.from_pretrained(str(folder / "adapter")).save_pretrained(tmp)
    (tmp / "sage_studio_task.json").write_text(
        json.dumps({"task_id": spec["task_id"], "base_model": spec["config"]["model"]})
    )
    shutil.rmtree(folder / "merged", ignore_errors=True)
    os.replace(tmp, folder / "merged")
    return folder / "merged"


if __name__ == "__main__":
    print(merge(Path(sys.argv[1]).resolve()))
