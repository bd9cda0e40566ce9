"""Evaluation benchmark, against a baseline measured in the same run: the generation throughput (answers/s) of a
task's evaluation (finetune/evaluate.py: batched, left-padded greedy `generate`, base then adapter) vs a plain
per-example `model.generate` loop over the same held-out rows, the same model with the same adapter, the same
max_new_tokens and threads (target >= 0.9x). A short real task is trained first (its own evaluation off); the
model is loaded once and shared by both sides, and rounds alternate loop/evaluation so load from other processes
hits both alike. The end-to-end examples/s of the evaluation (loss of both models + generation) is printed too.

    .venv/bin/python bench/evaluate.py [--rows 16] [--max-new-tokens 48] [--rounds 2] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=16, help="held-out rows evaluated")
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=4, help="training steps of the task evaluated")
    return ap.parse_args()


ARGS = parse_args()
os.environ.setdefault("OMP_NUM_THREADS", str(ARGS.threads))
os.environ["SAGE_STUDIO_TRAIN_THREADS"] = str(ARGS.threads)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
if "SAGE_STUDIO_HOME" not in os.environ:
    os.environ["SAGE_STUDIO_HOME"] = tempfile.mkdtemp(prefix="sage-bench-evaluate-")
os.environ.setdefault(
    "SAGE_STUDIO_MODELS_CACHE", str(Path(__file__).resolve().parents[1] / ".cache" / "models")
)

from sage_studio_lab.finetune import datasets, evaluate, tasks  # noqa: E402
from sage_studio_lab.finetune.config import TaskConfig  # noqa: E402
from sage_studio_lab.finetune.encoding import render  # noqa: E402


def make_dataset() -> dict:
    path = Path(os.environ["SAGE_STUDIO_HOME"]) / "bench.jsonl"
    topics = ["rivers", "mountains", "stars", "bread", "trains", "music", "bees", "glass"]
    with path.open("w") as fh:
        for i in range(ARGS.rows * 4):
            t = topics[i % len(topics)]
            row = {
                "instruction": f"Write one sentence about {t} (example {i}).",
                "output": f"Here is a sentence about {t}: " + "they are interesting. " * (1 + i % 4),
            }
            fh.write(json.dumps(row) + "\n")
    return datasets.import_file(path)


def train_task() -> Path:
    ds = make_dataset()
    config = TaskConfig(
        dataset_id=ds["id"],
        max_steps=ARGS.steps,
        batch_size=4,
        max_length=96,
        eval_ratio=0.25,
        eval_steps=1000,
        save_steps=1000,
        evaluate=False,  # measured below, in this process
    )
    task = tasks.create_task(config)
    deadline = time.time() + 600
    while (t := tasks.get_task(task["id"]))["status"] not in ("completed", "failed", "cancelled"):
        if time.time() > deadline:
            raise SystemExit("training did not end in 10 minutes")
        time.sleep(0.5)
    if t["status"] != "completed":
        raise SystemExit(f"training {t['status']}: {t['error']}")
    return Path(t["output_dir"])


def plain_loop(model, tok, prompts: list[str]) -> float:
    """answers/s of one `generate` per prompt and model (base with the adapter disabled, then the adapter)."""
    import torch

    t0 = time.perf_counter()
    for adapter in (False, True):
        for prompt in prompts:
            ids = tok(prompt, add_special_tokens=False, return_tensors="pt")
            with torch.no_grad():
                if adapter:
                    model.generate(
                        **ids,
                        max_new_tokens=ARGS.max_new_tokens,
                        do_sample=False,
                        pad_token_id=tok.pad_token_id,
                    )
                else:
                    with model.disable_adapter():
                        model.generate(
                            **ids,
                            max_new_tokens=ARGS.max_new_tokens,
                            do_sample=False,
                            pad_token_id=tok.pad_token_id,
                        )
    return 2 * len(prompts) / (time.perf_counter() - t0)


def main():
    import torch

    torch.set_num_threads(ARGS.threads)
    folder = train_task()
    spec = json.loads((folder / "config.json").read_text())
    config = TaskConfig.model_validate(spec["config"])
    model, tok = evaluate.load(folder, spec)
    conversations = [
        json.loads(line)["messages"] for line in (folder / "dataset.jsonl").read_text().splitlines()
    ]
    rows, _ = evaluate.held_out(conversations, config)
    rows = rows[: ARGS.rows]
    prompts = [render(tok, evaluate.prompt_and_reference(m)[0], add_generation_prompt=True) for m in rows]
    loop, ours, end_to_end = [], [], []
    for _ in range(ARGS.rounds):
        loop.append(plain_loop(model, tok, prompts))
        result = evaluate.evaluate_folder(
            folder, max_examples=ARGS.rows, max_new_tokens=ARGS.max_new_tokens, model=model, tok=tok
        )
        ours.append(result["throughput"]["answers_per_s"])
        end_to_end.append(result["throughput"]["examples_per_s"])
    out = {
        "rows": len(rows),
        "max_new_tokens": ARGS.max_new_tokens,
        "threads": ARGS.threads,
        "plain_loop_answers_per_s": loop,
        "evaluation_answers_per_s": ours,
        "evaluation_examples_per_s_end_to_end": end_to_end,
        "ratio": statistics.median(ours) / statistics.median(loop),
    }
    print(json.dumps(out, indent=2), flush=True)
    print(f"evaluation/plain-loop generation answers/s: {out['ratio']:.2f}x (target >= 0.9)")


if __name__ == "__main__":
    main()
