"""Arena benchmark (issue #20, step 4): one prompt answered by two models — the base model and a LoRA adapter —
as the arena does it (both requests at once: the CPU engine's scheduler runs them in the same decode steps) vs the
same two requests one after the other. Same engine, same prompts, same run; rounds alternate the order.

    .venv/bin/python bench/arena.py [--prompts 4] [--tokens 48] [--rounds 2] [--threads 0]

The adapter is an untrained rank-8 LoRA with random B (its answers differ; its speed is a trained one's). The
engine requires a key, as Studio starts it; the chat core reaches it as an engine Studio does not manage
(`SAGE_STUDIO_ENGINE_URL` + its key). Target: duel >= 1.6x faster than sequential, on the CPU engine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from engine_parts import free_port, load, make_lora, stop, wait_health

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("SAGE_STUDIO_MODELS_CACHE", str(REPO / ".cache" / "models"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
PROMPTS = [
    "Explain what a hash table is in two sentences.",
    "Give three tips for writing clear emails.",
    "What is the difference between a list and a tuple in Python?",
    "Describe the water cycle briefly.",
    "Why do leaves change colour in autumn?",
    "Suggest a name for a small bakery and say why.",
    "How does a bicycle stay upright?",
    "Summarise the plot of Romeo and Juliet in one paragraph.",
]
ADAPTER = "arena-lora"


def start_engine(key: str, threads: int, log: Path) -> tuple[str, subprocess.Popen]:
    port = free_port()
    argv = [sys.executable, "-m", "sage_studio_lab.engine.serve", "--port", str(port)]
    argv += ["--threads", str(threads)] if threads else []
    env = {**os.environ, "VLLM_API_KEY": key}
    proc = subprocess.Popen(
        argv, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    if not wait_health(url, proc, 300):
        stop(proc)
        raise SystemExit("engine did not start: " + log.read_text()[-2000:])
    return url, proc


async def measure(prompts: list[str], base: str, tokens: int, concurrent_pair: bool) -> tuple[float, int]:
    """Seconds for both answers to every prompt, and the tokens generated."""
    from sage_studio_lab.chat import arena, llm

    t0, generated = time.perf_counter(), 0
    for prompt in prompts:
        if concurrent_pair:
            out = await arena.duel(prompt, base, ADAPTER, source="local", max_tokens=tokens, temperature=0)
            generated += out["a"]["tokens"] + out["b"]["tokens"]
        else:
            for model in (base, ADAPTER):
                done = await llm.stream_chat(
                    [{"role": "user", "content": prompt}],
                    source="local",
                    model=model,
                    sampling={"max_tokens": tokens, "temperature": 0},
                )
                generated += done.completion_tokens or done.tokens
    return time.perf_counter() - t0, generated


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", type=int, default=4)
    ap.add_argument("--tokens", type=int, default=48)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0, help="engine --threads (default 0: adaptive)")
    args = ap.parse_args()

    from sage_studio_lab import models
    from sage_studio_lab.chat import upstream

    work = Path(tempfile.mkdtemp(prefix="bench-arena-"))
    os.environ["SAGE_STUDIO_HOME"] = str(work / "home")  # the duels are stored here, not in the user's store
    key = secrets.token_hex(16)
    url, proc = start_engine(key, args.threads, work / "engine.log")
    try:
        headers = {"Authorization": f"Bearer {key}"}
        lora = make_lora(models.bundled_model_dir())
        httpx.post(
            f"{url}/v1/load_lora_adapter",
            json={"lora_name": ADAPTER, "lora_path": str(lora)},
            headers=headers,
            timeout=120,
        ).raise_for_status()
        base = httpx.get(f"{url}/v1/models", headers=headers).json()["data"][0]["id"]
        os.environ[upstream.ENGINE_URL_ENV] = url
        os.environ[upstream.ENGINE_KEY_ENV] = key
        prompts = PROMPTS[: args.prompts]
        print(f"engine {url}, base {base}, adapter {ADAPTER}, {len(prompts)} prompts x {args.tokens} tokens")

        async def run() -> dict:
            await measure(prompts[:1], base, 8, True)  # warm-up: both paths compiled, adapter touched
            times: dict = {"duel": [], "sequential": []}
            tokens: dict = {"duel": [], "sequential": []}
            for r in range(args.rounds):
                order = ("duel", "sequential") if r % 2 == 0 else ("sequential", "duel")
                for kind in order:
                    s, n = await measure(prompts, base, args.tokens, kind == "duel")
                    times[kind].append(s)
                    tokens[kind].append(n)
                    print(f"round {r + 1} {kind:>10}: {s:6.2f} s, {n} tokens, load {load()}")
            return {"times": times, "tokens": tokens}

        out = asyncio.run(run())
    finally:
        stop(proc)
    duel, seq = (statistics.median(out["times"][k]) for k in ("duel", "sequential"))
    ratio = seq / duel
    print(f"duel (both at once): median {duel:.2f} s; two requests in turn: median {seq:.2f} s")
    print(f"tokens per round: duel {out['tokens']['duel']}, sequential {out['tokens']['sequential']}")
    print(f"speed-up {ratio:.2f}x (target >= 1.6x): {'OK' if ratio >= 1.6 else 'BELOW TARGET'}")
    # At temperature 0 a batched answer may still differ from the same request alone (padding changes the float
    # sums), so the two modes can generate different token counts: the rate compares the work done per second.
    rate = {
        k: statistics.median(n / s for n, s in zip(out["tokens"][k], out["times"][k], strict=True))
        for k in ("duel", "sequential")
    }
    print(
        f"tokens/s: duel {rate['duel']:.1f}, sequential {rate['sequential']:.1f} "
        f"({rate['duel'] / rate['sequential']:.2f}x)"
    )


if __name__ == "__main__":
    main()
