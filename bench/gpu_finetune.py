"""Fine-tuning on a CUDA GPU (CI has none: run it where one is lent). Three real tasks through the task queue on the
same data and settings — LoRA (bf16 mixed precision), QLoRA 4-bit (NF4) and 8-bit — each a trainer subprocess
(HF Trainer + PEFT) like any Studio task. Per method: final status, loss at the first and last logged step, training
tokens/s (from the task's own progress events) and the trainer's peak GPU memory (NVML), with 4/8-bit memory as a
ratio of plain LoRA's in the same run.

    python bench/gpu_finetune.py [--model ID_OR_FOLDER] [--steps 40]
    python bench/gpu_finetune.py --tiny-llama TOKENIZER_FOLDER [--hidden 2048 --layers 16]
        # no model installed there: a randomly initialised Llama of that size with that tokenizer
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None, help="catalog id or HF folder (default: the bundled model)")
    ap.add_argument("--tiny-llama", default=None, help="build a random Llama with this folder's tokenizer")
    ap.add_argument("--hidden", type=int, default=512, help="--tiny-llama's hidden size")
    ap.add_argument("--layers", type=int, default=4, help="--tiny-llama's layers")
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--batch-size", type=int, default=8)
    return ap.parse_args()


ARGS = parse_args()
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("SAGE_STUDIO_HOME", tempfile.mkdtemp(prefix="sage-bench-gpu-"))


def tiny_llama(tokenizer_dir: Path, out: Path) -> Path:
    """A randomly initialised Llama (--hidden, --layers) that uses the given tokenizer and chat template."""
    import shutil

    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    cfg = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=ARGS.hidden,
        intermediate_size=ARGS.hidden * 3,
        num_hidden_layers=ARGS.layers,
        num_attention_heads=ARGS.hidden // 64,
        num_key_value_heads=ARGS.hidden // 128,
        max_position_embeddings=2048,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        tie_word_embeddings=True,
    )
    LlamaForCausalLM(cfg).save_pretrained(out)
    for f in tokenizer_dir.iterdir():
        if f.name.startswith(("tokenizer", "special_tokens", "vocab", "merges")):
            shutil.copy(f, out / f.name)
    return out


def dataset() -> dict:
    from sage_studio_lab.finetune import datasets

    path = Path(os.environ["SAGE_STUDIO_HOME"]) / "gpu-bench.jsonl"
    topics = ["rivers", "mountains", "stars", "bread", "trains", "music", "bees", "glass"]
    with path.open("w") as fh:
        for i in range(256):
            t = topics[i % len(topics)]
            row = {"instruction": f"Describe {t} (#{i}).", "output": f"{t.title()} are fine. " * (2 + i % 5)}
            fh.write(json.dumps(row) + "\n")
    return datasets.import_file(path)


def peak_gpu_memory(pid_of, stop: threading.Event) -> list[int]:
    """Sample the trainer's GPU memory (NVML, by pid) until `stop`; returns [peak bytes]."""
    import pynvml

    pynvml.nvmlInit()
    handle = pynvml.nvmlDeviceGetHandleByIndex(0)
    peak = [0]

    def sample():
        while not stop.is_set():
            pid = pid_of()
            for proc in pynvml.nvmlDeviceGetComputeRunningProcesses(handle):
                if pid and proc.pid == pid and proc.usedGpuMemory:
                    peak[0] = max(peak[0], proc.usedGpuMemory)
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    return peak


def run(method: str, ds: dict, model: str) -> dict:
    from sage_studio_lab.finetune import tasks
    from sage_studio_lab.finetune.config import TaskConfig
    from sage_studio_lab.finetune.events import read_events

    config = TaskConfig(
        model=model,
        dataset_id=ds["id"],
        max_steps=ARGS.steps,
        batch_size=ARGS.batch_size,
        max_length=128,
        eval_ratio=0.0,
        save_steps=10_000,
        learning_rate=2e-4,
        quantization={"lora": "none", "qlora-4bit": "4bit", "8bit": "8bit"}[method],
    )
    task = tasks.create_task(config)
    stop = threading.Event()
    peak = peak_gpu_memory(lambda: tasks.get_task(task["id"]).get("pid"), stop)
    while (row := tasks.get_task(task["id"]))["status"] not in ("completed", "failed", "cancelled"):
        time.sleep(0.2)
    stop.set()
    events, _ = read_events(Path(task["output_dir"]) / "events.jsonl", 0)
    losses = [e["loss"] for e in events if e["type"] == "progress" and "loss" in e]
    return {
        "status": row["status"],
        "error": (row.get("error") or "")[-600:] or None,
        "loss_first": losses[0] if losses else None,
        "loss_last": losses[-1] if losses else None,
        "tokens_per_s": (row.get("progress") or {}).get("tokens_per_s"),
        "peak_gpu_mb": round(peak[0] / 2**20),
        "adapter": bool(row.get("adapter_path")),
    }


def main() -> int:
    import torch

    if not torch.cuda.is_available():
        print("skipped: needs a CUDA GPU (none here)")
        return 0
    from sage_studio_lab.gpu import gpu_info

    print(json.dumps({"gpu": gpu_info()}, indent=2, default=str))
    model = ARGS.model
    if ARGS.tiny_llama:
        model = str(tiny_llama(Path(ARGS.tiny_llama), Path(os.environ["SAGE_STUDIO_HOME"]) / "tiny-llama"))
    ds = dataset()
    results = {m: run(m, ds, model) for m in ("lora", "qlora-4bit", "8bit")}
    print(json.dumps(results, indent=2))
    base = results["lora"]["peak_gpu_mb"] or 1
    for method, r in results.items():
        print(
            f"{method}: {r['status']}, loss {r['loss_first']} -> {r['loss_last']}, {r['tokens_per_s']} tokens/s, "
            f"peak GPU {r['peak_gpu_mb']} MB ({r['peak_gpu_mb'] / base:.2f}x LoRA's)"
        )
    return 0 if all(r["status"] == "completed" for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
