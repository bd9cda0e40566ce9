"""Engine benchmark: ratios measured in one run on this machine (no absolute targets, CPU is shared).

    .venv/bin/python bench/engine.py [--tokens 64] [--skip-peer]

1. single-stream tok/s of our engine vs a bare in-process `model.generate` (target >= 0.9x)
2. 8 concurrent streams, aggregate tok/s vs single stream (target >= 3x)
3. the peer `transformers serve` on the same model folder: single and 8 concurrent (target: we are faster)
4. time to first token p50/p99; rank-8 adapter load time (target < 1 s)
5. prefix caching: time to first token of a long conversation's next turn, its history cached vs cold (same engine)
Baseline and engine runs alternate, and medians are reported, to damp noise from other processes.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("SAGE_STUDIO_MODELS_CACHE", str(REPO / ".cache" / "models"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
PROMPTS = [
    f"Write a long story about a {animal} who learns to fly."
    for animal in ("cat", "dog", "fox", "owl", "bear", "frog", "goat", "wolf")
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_health(url: str, proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    return False


def stream_once(url: str, model: str, prompt: str | list, tokens: int) -> dict:
    """One streamed chat request (a prompt, or a list of messages): wall time, time to first token, tokens."""
    body = {
        "model": model,
        "messages": [{"role": "user", "content": prompt}] if isinstance(prompt, str) else prompt,
        "temperature": 0,
        "max_tokens": tokens,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    t0 = time.perf_counter()
    ttft, usage, pieces = None, None, 0
    with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, timeout=600) as resp:
        resp.raise_for_status()
        for line in resp.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("usage"):
                usage = chunk["usage"]
            for choice in chunk.get("choices") or []:
                if (choice.get("delta") or {}).get("content"):
                    pieces += 1
                    if ttft is None:
                        ttft = time.perf_counter() - t0
    wall = time.perf_counter() - t0
    return {"wall": wall, "ttft": ttft or wall, "tokens": (usage or {}).get("completion_tokens") or pieces}


def concurrent(url: str, model: str, tokens: int, n: int = 8) -> dict:
    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(n) as pool:
        runs = list(pool.map(lambda p: stream_once(url, model, p, tokens), PROMPTS[:n]))
    wall = time.perf_counter() - t0
    return {"tok_s": sum(r["tokens"] for r in runs) / wall, "ttfts": [r["ttft"] for r in runs]}


def conversation(session: int, turns: int = 6) -> list[dict]:
    """A chat history of about 600 tokens, unique from its first message on (so nothing but the system prompt is
    cached before it is sent once)."""
    history = [
        {"role": "user", "content": f"Session {session}: let us plan a garden together, step by step."}
    ]
    for t in range(turns):
        history.append(
            {
                "role": "assistant",
                "content": f"Step {t + 1}: choose plants for the season, check the soil, water in the morning, "
                "keep a notebook of what grows well and what does not, and compare it with last year.",
            }
        )
        history.append(
            {"role": "user", "content": f"Good. What about step {t + 2}, for beds in partial shade?"}
        )
    return history


def prefix_cache_ttft(url: str, model: str, rounds: int) -> dict:
    """Turn N+1 of a conversation whose history the engine has seen (cached) vs one it has not (cold)."""
    cold, warm = [], []
    for r in range(rounds):
        history = conversation(1000 + r)
        cold.append(stream_once(url, model, history, 4)["ttft"])
        follow_up = [
            *history,
            {"role": "assistant", "content": "Shade-loving herbs."},
            {"role": "user", "content": "And?"},
        ]
        warm.append(stream_once(url, model, follow_up, 4)["ttft"])
    return {
        "cold_ttft_s": cold,
        "cached_ttft_s": warm,
        "cold_vs_cached": statistics.median(cold) / statistics.median(warm),
    }


def baseline_generate(model, tokenizer, prompt: str, tokens: int) -> float:
    import torch

    text = tokenizer.apply_chat_template(
        [{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=False
    )
    ids = tokenizer(text, return_tensors="pt", add_special_tokens=False)
    t0 = time.perf_counter()
    with torch.inference_mode():
        out = model.generate(
            **ids, max_new_tokens=tokens, do_sample=False, pad_token_id=tokenizer.eos_token_id
        )
    return (out.shape[1] - ids["input_ids"].shape[1]) / (time.perf_counter() - t0)


def adapter_load_time(url: str, model_dir: Path, repeats: int = 3) -> list[float]:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    out = Path(tempfile.mkdtemp(prefix="bench-lora-"))
    base = AutoModelForCausalLM.from_pretrained(model_dir)
    get_peft_model(
        base, LoraConfig(r=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    ).save_pretrained(out)
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        httpx.post(
            f"{url}/v1/load_lora_adapter", json={"lora_name": f"bench{i}", "lora_path": str(out)}, timeout=120
        ).raise_for_status()
        times.append(time.perf_counter() - t0)
        httpx.post(
            f"{url}/v1/unload_lora_adapter", json={"lora_name": f"bench{i}"}, timeout=120
        ).raise_for_status()
    shutil.rmtree(out, ignore_errors=True)
    return times


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def start_peer(model_dir: Path, mode: str, log_dir: Path, dtype: str):
    """`transformers serve` preloading the same local folder in the engine's dtype; (url, proc) or (error, None) when it cannot run."""
    exe = shutil.which("transformers", path=str(Path(sys.executable).parent)) or shutil.which("transformers")
    if not exe:
        return "the `transformers` CLI is not installed", None
    port = free_port()
    log = log_dir / f"peer-{mode}.log"
    extra = ["--continuous-batching"] if mode == "continuous-batching" else []
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [exe, "serve", str(model_dir), "--port", str(port), "--dtype", dtype, *extra],
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    if not wait_health(url, proc, 240):
        proc.kill()
        return "did not become healthy: " + log.read_text()[-400:], None
    try:
        stream_once(url, str(model_dir), PROMPTS[0], 8)  # warm-up (loads the model on demand)
    except Exception as exc:
        proc.kill()
        return f"{type(exc).__name__}: {exc}; log: {log.read_text()[-400:]}", None
    return url, proc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--skip-peer", action="store_true")
    ap.add_argument(
        "--dtype",
        default="auto",
        choices=["auto", "float32", "bfloat16"],
        help="weights dtype of the engine and of the baseline (auto: as the engine resolves it)",
    )
    args = ap.parse_args()

    import torch

    from sage_studio_lab.engine.server.state import resolve_dtype

    args.dtype = resolve_dtype(args.dtype)  # the baseline uses the very dtype the engine runs
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from sage_studio_lab import models

    model_dir = models.resolve_model(None)
    name = models.BUNDLED_MODEL_ID
    log_dir = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    port = free_port()
    with open(log_dir / "engine.log", "wb") as fh:
        engine = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sage_studio_lab.engine.serve",
                "--port",
                str(port),
                "--dtype",
                args.dtype,
            ],
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    peers, peer_errors = {}, {}
    try:
        assert wait_health(url, engine, 300), (log_dir / "engine.log").read_text()
        if not args.skip_peer:  # all servers up at once; measurements alternate so they share the same noise
            for mode in ("plain", "continuous-batching"):
                peer_url, proc = start_peer(model_dir, mode, log_dir, args.dtype)
                if proc is None:
                    peer_errors[mode] = peer_url
                else:
                    peers[mode] = (peer_url, proc)
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=getattr(torch, args.dtype)).eval()
        baseline_generate(model, tokenizer, PROMPTS[0], 8)  # warm-ups
        stream_once(url, name, PROMPTS[0], 8)

        base, single, agg, ttfts = [], [], [], []
        peer_single = {m: [] for m in peers}
        peer_agg = {m: [] for m in peers}
        for _ in range(args.rounds):
            base.append(baseline_generate(model, tokenizer, PROMPTS[0], args.tokens))
            run = stream_once(url, name, PROMPTS[0], args.tokens)
            single.append(run["tokens"] / run["wall"])
            ttfts.append(run["ttft"])
            for mode, (peer_url, _) in peers.items():
                run = stream_once(peer_url, str(model_dir), PROMPTS[0], args.tokens)
                peer_single[mode].append(run["tokens"] / run["wall"])
            many = concurrent(url, name, args.tokens)
            agg.append(many["tok_s"])
            ttfts += many["ttfts"]
            for mode, (peer_url, _) in peers.items():
                peer_agg[mode].append(concurrent(peer_url, str(model_dir), args.tokens)["tok_s"])
        del model
        prefix = prefix_cache_ttft(url, name, args.rounds)
        loads = adapter_load_time(url, model_dir)
        report = {
            "engine_dtype": args.dtype,
            "machine": {
                "cpus": os.cpu_count(),
                "loadavg": os.getloadavg(),
                "torch_threads": torch.get_num_threads(),
            },
            "tokens_per_request": args.tokens,
            "baseline_generate_tok_s": statistics.median(base),
            "engine_single_tok_s": statistics.median(single),
            "single_vs_generate": statistics.median(single) / statistics.median(base),
            "engine_8_concurrent_tok_s": statistics.median(agg),
            "concurrent8_vs_single": statistics.median(agg) / statistics.median(single),
            "ttft_p50_s": pct(ttfts, 0.5),
            "ttft_p99_s": pct(ttfts, 0.99),
            "prefix_cache": prefix,
            "adapter_load_s": loads,
            "adapter_load_median_s": statistics.median(loads),
            "per_round": {"generate": base, "single": single, "concurrent8": agg},
            "peer_transformers_serve": {
                **{m: {"error": e} for m, e in peer_errors.items()},
                **{
                    m: {
                        "single_tok_s": statistics.median(peer_single[m]),
                        "concurrent8_tok_s": statistics.median(peer_agg[m]),
                    }
                    for m in peers
                },
            },
        }
        for mode in peers:
            report[f"vs_peer_{mode}_single"] = statistics.median(single) / statistics.median(
                peer_single[mode]
            )
            report[f"vs_peer_{mode}_concurrent8"] = statistics.median(agg) / statistics.median(peer_agg[mode])
    finally:
        engine.terminate()
        engine.wait(30)
        for _, proc in peers.values():
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
