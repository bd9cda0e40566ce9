"""Pieces of bench/engine.py: servers to start, requests to time, the busy core, adapters."""

from __future__ import annotations

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

PROMPTS = [
    f"Write a long story about a {animal} who learns to fly."
    for animal in ("cat", "dog", "fox", "owl", "bear", "frog", "goat", "wolf")
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def spread(values: list[float]) -> float:
    """max/min over rounds: how much the same measurement moves (1.0 = steady)."""
    return max(values) / max(min(values), 1e-9) if values else float("nan")


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "spread": spread(values), "rounds": values}


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
    """One streamed chat request: wall time, time to first token, tokens, the longest gap between two chunks with
    text, and an error (a non-200 answer, an error event) instead of raising."""
    body = {
        "model": model,
        "messages": [{"role": "user", "content": prompt}] if isinstance(prompt, str) else prompt,
        "temperature": 0,
        "max_tokens": tokens,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    t0 = time.perf_counter()
    ttft, usage, pieces, last, gap, error = None, None, 0, None, 0.0, None
    try:
        with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, timeout=600) as resp:
            if resp.status_code != 200:
                error = f"HTTP {resp.status_code}: {resp.read()[:200]!r}"
            for line in resp.iter_lines() if not error else ():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                chunk = json.loads(line[6:])
                if "error" in chunk:
                    error = str(chunk["error"])[:200]
                if chunk.get("usage"):
                    usage = chunk["usage"]
                for choice in chunk.get("choices") or []:
                    if (choice.get("delta") or {}).get("content"):
                        now = time.perf_counter()
                        pieces += 1
                        ttft = ttft if ttft is not None else now - t0
                        gap = max(gap, now - last) if last is not None else gap
                        last = now
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    wall = time.perf_counter() - t0
    return {
        "wall": wall,
        "ttft": ttft or wall,
        "tokens": (usage or {}).get("completion_tokens") or pieces,
        "max_gap": gap,
        "error": error,
    }


def concurrent(url: str, model: str, tokens: int, n: int = 8) -> dict:
    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(n) as pool:
        runs = list(pool.map(lambda p: stream_once(url, model, p, tokens), (PROMPTS * 2)[:n]))
    wall = time.perf_counter() - t0
    return {"tok_s": sum(r["tokens"] for r in runs) / wall, "ttfts": [r["ttft"] for r in runs], "runs": runs}


def start_engine(args, log_dir: Path, nice: int) -> tuple[str, subprocess.Popen]:
    """Our engine as the Studio starts it: under the supervisor, in its own session, at the configured niceness."""
    port = free_port()
    argv = [sys.executable, "-m", "sage_studio_lab.engine.serve", "--port", str(port), "--dtype", args.dtype]
    argv += ["--threads", str(args.threads)] if args.threads else []
    argv += [] if args.prepack else ["--no-prepack"]
    supervised = [sys.executable, "-m", "sage_studio_lab.engine.supervise", str(log_dir / "exit.json")]
    supervised += [str(log_dir / "engine.log"), *(["--nice", str(nice)] if nice else []), "--", *argv]
    proc = subprocess.Popen(supervised, start_new_session=True, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    if not wait_health(url, proc, 300):
        proc.kill()
        raise SystemExit("engine did not start: " + (log_dir / "engine.log").read_text()[-2000:])
    return url, proc


def start_peer(model_dir: Path, mode: str, log_dir: Path, dtype: str):
    """`transformers serve` preloading the same local folder in the engine's dtype; (url, proc) or (error, None)."""
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
    run = stream_once(url, str(model_dir), PROMPTS[0], 8)  # warm-up (loads the model on demand)
    if run["error"]:
        proc.kill()
        return f"{run['error']}; log: {log.read_text()[-400:]}", None
    return url, proc


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


class BusyCore:
    """One CPU-bound process (`while True: pass`), as a notebook kernel computing: its own session, normal priority."""

    def __enter__(self):
        self.proc = subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
        time.sleep(1.0)  # let the engine's thread governor see it (it samples every 0.5 s)
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()
        time.sleep(1.0)


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


def make_lora(model_dir: Path) -> Path:
    """A rank-8 LoRA on q_proj/v_proj with random B (so it changes the answers)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    out = Path(tempfile.mkdtemp(prefix="bench-lora-"))
    base = AutoModelForCausalLM.from_pretrained(model_dir)
    cfg = LoraConfig(r=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(base, cfg).save_pretrained(out)
    return out


def lora_call(url: str, verb: str, name: str, path: Path | None = None) -> float:
    body = {"lora_name": name, **({"lora_path": str(path)} if path else {})}
    t0 = time.perf_counter()
    httpx.post(f"{url}/v1/{verb}_lora_adapter", json=body, timeout=120).raise_for_status()
    return time.perf_counter() - t0


def adapter_load_time(url: str, lora: Path, repeats: int = 3) -> list[float]:
    times = []
    for i in range(repeats):
        times.append(lora_call(url, "load", f"bench{i}", lora))
        lora_call(url, "unload", f"bench{i}")
    return times


def base_with_adapter_loaded(url: str, model: str, lora: Path, tokens: int, rounds: int) -> dict:
    """4 base-model streams with no adapter loaded vs with one loaded that no request uses (alternating)."""
    without, loaded = [], []
    for _ in range(rounds):
        without.append(concurrent(url, model, tokens, 4)["tok_s"])
        lora_call(url, "load", "idle", lora)
        loaded.append(concurrent(url, model, tokens, 4)["tok_s"])
        lora_call(url, "unload", "idle")
    return {
        "without_tok_s": summary(without),
        "loaded_unused_tok_s": summary(loaded),
        "loaded_vs_without": statistics.median(loaded) / statistics.median(without),
    }


def hot_swap(url: str, model: str, lora: Path, tokens: int) -> dict:
    """Load an adapter, answer one request on it and unload it while 4 base streams run: failed requests and the
    longest pause between two chunks of any base stream (each pauses for the load)."""
    on_adapter, errors, load_s = [], [], None
    with cf.ThreadPoolExecutor(4) as pool:
        streams = [pool.submit(stream_once, url, model, p, tokens) for p in PROMPTS[:4]]
        time.sleep(1.0)
        try:
            load_s = lora_call(url, "load", "swap", lora)
            on_adapter.append(stream_once(url, "swap", PROMPTS[5], 16))
            lora_call(url, "unload", "swap")
        except httpx.HTTPError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        base = [s.result() for s in streams]
    errors += [r["error"] for r in [*base, *on_adapter] if r["error"]]
    return {
        "failures": len(errors),
        "errors": errors[:3],
        "max_token_gap_s": max(r["max_gap"] for r in base),
        "adapter_load_s": load_s,
    }
