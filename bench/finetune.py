"""Fine-tune benchmarks, each against a baseline measured in the same run:

1. training tokens/s of a real task (detached trainer subprocess: HF Trainer + PEFT + progress events) vs a
   bare PEFT loop (forward, backward, clip, AdamW step) on the same model, data, LoRA settings and threads
   (target >= 0.95x). Rounds alternate bare/task so load from other processes hits both alike;
2. step end -> its progress event readable by another process (a reader tailing events.jsonl every 10 ms;
   the WebSocket face tails at 100 ms on top of that) (target <= 1 s);
3. hot-swap: request -> first token answered by the adapter, on a running CPU engine, while concurrent chat
   streams on the base model keep going (target <= 1 s and 0 failed requests). Each swap after the first unloads
   the adapter, so every swap pays the full load (PEFT wraps the model again); the engine runs as deployed.

    .venv/bin/python bench/finetune.py [--steps 12] [--rounds 2] [--threads 1] [--streams 6] [--swaps 3]
                                       [--no-hotswap]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--max-length", type=int, default=96)
    ap.add_argument(
        "--streams", type=int, default=6, help="concurrent base-model chat streams during hot-swap"
    )
    ap.add_argument("--swaps", type=int, default=3, help="hot-swaps measured (unload, then load again)")
    ap.add_argument("--no-hotswap", action="store_true")
    return ap.parse_args()


ARGS = parse_args()
os.environ.setdefault("OMP_NUM_THREADS", str(ARGS.threads))
os.environ["SAGE_STUDIO_TRAIN_THREADS"] = str(ARGS.threads)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
if "SAGE_STUDIO_HOME" not in os.environ:
    os.environ["SAGE_STUDIO_HOME"] = tempfile.mkdtemp(prefix="sage-bench-finetune-")
os.environ.setdefault(
    "SAGE_STUDIO_MODELS_CACHE", str(Path(__file__).resolve().parents[1] / ".cache" / "models")
)

from sage_studio_lab.finetune import datasets, tasks  # noqa: E402
from sage_studio_lab.finetune.config import TaskConfig  # noqa: E402


def make_dataset() -> dict:
    path = Path(os.environ["SAGE_STUDIO_HOME"]) / "bench.jsonl"
    topics = ["rivers", "mountains", "stars", "bread", "trains", "music", "bees", "glass"]
    with path.open("w") as fh:
        for i in range(64):
            t = topics[i % len(topics)]
            fh.write(
                json.dumps(
                    {
                        "instruction": f"Write one sentence about {t} (example {i}).",
                        "output": f"Here is a sentence about {t}: " + "they are interesting. " * (1 + i % 4),
                    }
                )
                + "\n"
            )
    return datasets.import_file(path)


def task_config(ds) -> TaskConfig:
    return TaskConfig(
        dataset_id=ds["id"],
        max_steps=ARGS.steps,
        batch_size=ARGS.batch_size,
        max_length=ARGS.max_length,
        eval_ratio=0.0,
        save_steps=10_000,
        learning_rate=1e-4,
        threads=ARGS.threads,
    )


def bare_loop(ds) -> float:
    """Tokens/s of a plain PEFT loop on the same examples, collator, LoRA and optimiser settings."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, DataCollatorForSeq2Seq

    from sage_studio_lab.finetune.encoding import encode, tokenizer_for
    from sage_studio_lab.models import resolve_model

    torch.set_num_threads(ARGS.threads)
    cfg = task_config(ds)
    tok = tokenizer_for(cfg.model)
    rows, _ = datasets.split(datasets.load_conversations(ds["id"]), 0.0, cfg.seed)
    examples = [encode(tok, m, cfg.max_length) for m in rows]
    model = AutoModelForCausalLM.from_pretrained(resolve_model(cfg.model))
    model = get_peft_model(
        model,
        LoraConfig(
            r=cfg.lora.rank,
            lora_alpha=cfg.lora.alpha,
            lora_dropout=cfg.lora.dropout,
            target_modules=cfg.lora.target_modules,
            task_type="CAUSAL_LM",
        ),
    )
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.learning_rate)
    collate = DataCollatorForSeq2Seq(tok, padding=True, label_pad_token_id=-100)
    g = torch.Generator().manual_seed(cfg.seed)
    order = torch.randperm(len(examples), generator=g).tolist()
    batches, tokens = [], 0
    for s in range(ARGS.steps):
        idx = [order[(s * cfg.batch_size + j) % len(order)] for j in range(cfg.batch_size)]
        batch = collate([examples[i] for i in idx])
        batches.append(batch)
        tokens += batch["input_ids"].numel()
    t0 = time.perf_counter()
    for batch in batches:
        loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad()
    return tokens / (time.perf_counter() - t0)


def run_task(ds) -> tuple[float, list[float], dict]:
    """Tokens/s reported by the task (from train begin), and step-end -> readable latencies."""
    task = tasks.create_task(task_config(ds))
    events_file = Path(task["output_dir"]) / "events.jsonl"
    latencies, stop = [], threading.Event()

    def reader():
        offset = 0
        from sage_studio_lab.finetune.events import read_events

        while not stop.is_set():
            events, offset = read_events(events_file, offset)
            seen = time.time()
            for e in events:
                if e["type"] == "progress" and e.get("step_end_at"):
                    latencies.append(seen - e["step_end_at"])
            time.sleep(0.01)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    while (row := tasks.get_task(task["id"]))["status"] not in ("completed", "failed", "cancelled"):
        time.sleep(0.2)
    time.sleep(0.05)
    stop.set()
    t.join()
    assert row["status"] == "completed", row["error"]
    return row["progress"]["tokens_per_s"], latencies, row


def hotswap_bench(adapter_task: dict) -> dict:
    import httpx

    from sage_studio_lab.engine import EngineManager
    from sage_studio_lab.finetune import hotswap

    # The engine runs as deployed (torch picks its threads); OMP_NUM_THREADS pins only the training comparison.
    pinned = os.environ.pop("OMP_NUM_THREADS", None)
    manager = EngineManager()
    try:
        base_url = manager.start(backend="cpu", timeout=300)["base_url"]
    finally:
        if pinned is not None:
            os.environ["OMP_NUM_THREADS"] = pinned
    auth = {"Authorization": f"Bearer {manager.api_key()}"}  # the engine's key (vLLM's --api-key)
    failures, done, stop = [], [], threading.Event()

    def chatter():
        while not stop.is_set():
            try:
                with httpx.stream(
                    "POST",
                    f"{base_url}/v1/chat/completions",
                    headers=auth,
                    timeout=300,
                    json={
                        "messages": [{"role": "user", "content": "Tell me about rivers."}],
                        "max_tokens": 24,
                        "stream": True,
                    },
                ) as resp:
                    if resp.status_code != 200:
                        failures.append(resp.status_code)
                        continue
                    lines = [ln for ln in resp.iter_lines() if ln.startswith("data: ")]
                    if lines[-1] != "data: [DONE]" or any('"error"' in ln for ln in lines):
                        failures.append(lines[-2:])
                    done.append(1)
            except httpx.HTTPError as exc:
                failures.append(repr(exc))

    def first_adapter_token(t0: float) -> float:
        with httpx.stream(
            "POST",
            f"{base_url}/v1/chat/completions",
            headers=auth,
            timeout=300,
            json={
                "model": adapter_task["id"],
                "messages": [{"role": "user", "content": "Write about bees."}],
                "max_tokens": 8,
                "stream": True,
            },
        ) as resp:
            for line in resp.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    chunk = json.loads(line[6:])
                    if any(c.get("delta", {}).get("content") for c in chunk.get("choices", [])):
                        return time.perf_counter() - t0
        raise RuntimeError("the adapter answered no token")

    swaps = []
    try:
        threads = [threading.Thread(target=chatter, daemon=True) for _ in range(ARGS.streams)]
        for th in threads:
            th.start()
        while len(done) < ARGS.streams:  # streams are flowing before the swap
            time.sleep(0.1)
        for i in range(ARGS.swaps):
            if i:  # a real swap each time: the engine drops the adapter (and PEFT's wrapper), then loads it again
                manager.unload_adapter(adapter_task["id"])
                time.sleep(0.5)
            t0 = time.perf_counter()
            swap = hotswap.use_adapter(
                adapter_task["id"], Path(adapter_task["adapter_path"]), adapter_task["base_model"]
            )
            loaded = time.perf_counter() - t0
            swaps.append((first_adapter_token(t0), loaded, swap["load_time_s"]))
        before = len(done)
        while len(done) < before + ARGS.streams:  # streams keep completing after the swaps
            time.sleep(0.1)
        stop.set()
        for th in threads:
            th.join(300)
        firsts = [s[0] for s in swaps]
        return {
            "swap_to_first_token_s": [round(x, 3) for x in firsts],
            "median_s": round(statistics.median(firsts), 3),
            "max_s": round(max(firsts), 3),
            "adapter_load_s": [round(s[1], 3) for s in swaps],
            "engine_reported_load_s": [s[2] for s in swaps],
            "concurrent_streams": ARGS.streams,
            "concurrent_requests": len(done),
            "failed_requests": len(failures),
            "failures": failures[:3],
        }
    finally:
        stop.set()
        manager.stop()


def main():
    ds = make_dataset()
    bare, task_tps, lat, last = [], [], [], None
    for _ in range(ARGS.rounds):
        bare.append(bare_loop(ds))
        tps, latencies, last = run_task(ds)
        task_tps.append(tps)
        lat += latencies
    result = {
        "machine": f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, threads {ARGS.threads}",
        "steps": ARGS.steps,
        "batch_size": ARGS.batch_size,
        "bare_peft_tokens_per_s": [round(x, 1) for x in bare],
        "task_tokens_per_s": task_tps,
        "task_vs_bare": round(statistics.median(task_tps) / statistics.median(bare), 3),
        "step_end_to_event_readable_s": {
            "median": round(statistics.median(lat), 4),
            "max": round(max(lat), 4),
            "n": len(lat),
        },
    }
    print(json.dumps(result, indent=2), flush=True)
    if not ARGS.no_hotswap:
        result["hotswap"] = hotswap_bench(last)
        print(json.dumps({"hotswap": result["hotswap"]}, indent=2))
    print(f"task/bare tokens/s: {result['task_vs_bare']:.3f}x (target >= 0.95)")
    print(
        f"step end -> event readable: median {result['step_end_to_event_readable_s']['median'] * 1000:.0f} ms, "
        f"max {result['step_end_to_event_readable_s']['max'] * 1000:.0f} ms (target <= 1000 ms)"
    )
    if "hotswap" in result:
        h = result["hotswap"]
        print(
            f"hot-swap request -> first adapter token: median {h['median_s'] * 1000:.0f} ms, max "
            f"{h['max_s'] * 1000:.0f} ms over {len(h['swap_to_first_token_s'])} swaps with {h['concurrent_streams']} "
            f"base-model streams (target <= 1000 ms), failed concurrent requests: {h['failed_requests']} / "
            f"{h['concurrent_requests']}"
        )


if __name__ == "__main__":
    sys.exit(main())
