"""Engine benchmark: our CPU engine against `transformers serve --continuous-batching` and a bare `generate`, all on
the same model folder, all measured in one run (ratios; absolute numbers depend on the machine).

    .venv/bin/python bench/engine.py [--busy] [--tokens 64] [--rounds 3] [--skip-peer] [--nice N] [--threads N]

Phases: quiet, then with --busy the same again while one CPU-bound process (`while True: pass`, its own session,
as a notebook kernel computing) keeps a core busy; the report puts them side by side. Each phase, rounds
alternating between the servers so they share the same noise:
1. tok/s of one stream and of 8 concurrent streams: our engine, the peer, bare `model.generate` (one stream);
   median and spread (max/min over rounds)
2. 4 base-model streams with an adapter loaded that none of them uses vs none loaded (target >= 0.95x)
3. hot swap: load an adapter, answer on it, unload it during 4 streams (target: 0 failures, no gap over 1 s)
Quiet only: time to first token with a conversation's history cached vs cold (prefix caching), adapter load time.
Guide targets (#22), checked at the end: quiet one stream >= 35 tok/s and 8 streams >= 135 tok/s on a 2-core
laptop-class CPU; busy one stream >= 0.8x quiet and >= 1.2x the peer's; spreads <= 1.5x.
The engine runs as the Studio runs it: under the supervisor, in its own session, at `engine_nice` (--nice).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import httpx
from engine_parts import (
    PROMPTS,
    BusyCore,
    adapter_load_time,
    base_with_adapter_loaded,
    baseline_generate,
    concurrent,
    hot_swap,
    load,
    make_lora,
    start_engine,
    start_peer,
    stop,
    stream_once,
    summary,
)

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("SAGE_STUDIO_MODELS_CACHE", str(REPO / ".cache" / "models"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


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


def engine_threads(url: str) -> float | None:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    found = re.search(r"^sage_studio:engine_threads\{[^}]*\} (\S+)$", text, re.M)
    return float(found.group(1)) if found else None


def phase(label: str, url: str, name: str, peers: dict, model_dir: Path, generate, lora: Path, args) -> dict:
    """One phase's measurements (see the module doc), rounds alternating between the servers."""
    print(f"[{label}] load average {load()}", file=sys.stderr, flush=True)
    report: dict = {"load_average_start": load()}
    base, single, agg, ttfts, threads = [], [], [], [], []
    peer_single = {m: [] for m in peers}
    peer_agg = {m: [] for m in peers}
    for _ in range(args.rounds):
        base.append(generate(args.tokens))
        run = stream_once(url, name, PROMPTS[0], args.tokens)
        single.append(run["tokens"] / run["wall"])
        ttfts.append(run["ttft"])
        threads.append(engine_threads(url))
        for mode, (peer_url, _) in peers.items():
            run = stream_once(peer_url, str(model_dir), PROMPTS[0], args.tokens)
            peer_single[mode].append(run["tokens"] / run["wall"])
        many = concurrent(url, name, args.tokens)
        agg.append(many["tok_s"])
        ttfts += many["ttfts"]
        for mode, (peer_url, _) in peers.items():
            peer_agg[mode].append(concurrent(peer_url, str(model_dir), args.tokens)["tok_s"])
    print(f"[{label}] streams done, load average {load()}", file=sys.stderr, flush=True)
    report |= {
        "engine_threads_seen": threads,
        "generate_tok_s": summary(base),
        "engine_single_tok_s": summary(single),
        "engine_8_streams_tok_s": summary(agg),
        "single_vs_generate": statistics.median(single) / statistics.median(base),
        "ttft_p50_s": statistics.median(ttfts),
        "peers": {
            m: {"single_tok_s": summary(peer_single[m]), "8_streams_tok_s": summary(peer_agg[m])}
            for m in peers
        },
    }
    for m in peers:
        report[f"single_vs_{m}"] = statistics.median(single) / statistics.median(peer_single[m])
        report[f"8_streams_vs_{m}"] = statistics.median(agg) / statistics.median(peer_agg[m])
    if not args.skip_adapters:
        report["base_with_adapter_loaded"] = base_with_adapter_loaded(
            url, name, lora, args.tokens, args.rounds
        )
        report["hot_swap_during_4_streams"] = hot_swap(url, name, lora, 2 * args.tokens)
    report["load_average_end"] = load()
    print(f"[{label}] done, load average {report['load_average_end']}", file=sys.stderr, flush=True)
    return report


def targets(report: dict) -> dict:
    """#22's guide targets, met or not (absolute tok/s only mean something on a laptop-class 2-core CPU)."""
    quiet, busy = report["quiet"], report.get("busy")
    med = lambda r, key: r[key]["median"]  # noqa: E731
    out = {
        "quiet_single_ge_35_tok_s": med(quiet, "engine_single_tok_s") >= 35,
        "quiet_8_streams_ge_135_tok_s": med(quiet, "engine_8_streams_tok_s") >= 135,
    }
    for label, r in (("quiet", quiet), ("busy", busy)):
        if not r:
            continue
        out[f"{label}_spread_le_1.5"] = (
            max(r["engine_single_tok_s"]["spread"], r["engine_8_streams_tok_s"]["spread"]) <= 1.5
        )
        if "base_with_adapter_loaded" in r:
            out[f"{label}_adapter_loaded_ge_0.95"] = (
                r["base_with_adapter_loaded"]["loaded_vs_without"] >= 0.95
            )
            swap = r["hot_swap_during_4_streams"]
            out[f"{label}_hot_swap_ok"] = swap["failures"] == 0 and swap["max_token_gap_s"] <= 1.0
    if busy:
        ratio = med(busy, "engine_single_tok_s") / med(quiet, "engine_single_tok_s")
        report["busy_single_vs_quiet"] = ratio
        out["busy_single_ge_0.8x_quiet"] = ratio >= 0.8
        if "single_vs_continuous-batching" in busy:
            out["busy_single_ge_1.2x_peer"] = busy["single_vs_continuous-batching"] >= 1.2
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--busy", action="store_true", help="also measure with one core kept busy")
    ap.add_argument("--skip-peer", action="store_true")
    ap.add_argument("--skip-adapters", action="store_true")
    ap.add_argument(
        "--peer-modes",
        default="continuous-batching",
        help="comma-separated `transformers serve` modes: continuous-batching, plain",
    )
    ap.add_argument(
        "--nice", type=int, default=None, help="engine niceness (default: the engine_nice setting)"
    )
    ap.add_argument("--threads", type=int, default=0, help="engine --threads (default 0: adaptive)")
    ap.add_argument("--prepack", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument(
        "--dtype",
        default="auto",
        choices=["auto", "float32", "bfloat16"],
        help="weights dtype of the engine and of the baseline (auto: as the engine resolves it)",
    )
    args = ap.parse_args()

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from sage_studio_lab import models
    from sage_studio_lab.engine.server.state import resolve_dtype
    from sage_studio_lab.settings import get_settings

    args.dtype = resolve_dtype(args.dtype)  # the baseline uses the very dtype the engine runs
    nice = get_settings().engine_nice if args.nice is None else args.nice
    model_dir = models.resolve_model(None)
    name = models.BUNDLED_MODEL_ID
    log_dir = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    print(f"[start] load average {load()}, logs in {log_dir}", file=sys.stderr, flush=True)
    url, engine = start_engine(args, log_dir, nice)
    peers, peer_errors, lora = {}, {}, None
    try:
        if not args.skip_peer:  # all servers up at once; measurements alternate so they share the same noise
            for mode in args.peer_modes.split(","):
                peer_url, proc = start_peer(model_dir, mode, log_dir, args.dtype)
                if proc is None:
                    peer_errors[mode] = peer_url
                else:
                    peers[mode] = (peer_url, proc)
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=getattr(torch, args.dtype)).eval()
        lora = make_lora(model_dir)

        def generate(tokens: int) -> float:
            return baseline_generate(model, tokenizer, PROMPTS[0], tokens)

        generate(8)  # warm-ups
        stream_once(url, name, PROMPTS[0], 8)
        report = {
            "engine_dtype": args.dtype,
            "engine_nice": nice,
            "engine_threads_flag": args.threads or "adaptive",
            "prepack": args.prepack,
            "machine": {"cpus": os.cpu_count(), "bench_torch_threads": torch.get_num_threads()},
            "tokens_per_request": args.tokens,
            "peer_errors": peer_errors,
        }
        report["quiet"] = phase("quiet", url, name, peers, model_dir, generate, lora, args)
        report["quiet"]["prefix_cache"] = prefix_cache_ttft(url, name, args.rounds)
        if not args.skip_adapters:
            loads = adapter_load_time(url, lora)
            report["quiet"]["adapter_load_s"] = {"median": statistics.median(loads), "runs": loads}
        if args.busy:
            with BusyCore():
                report["busy"] = phase("busy", url, name, peers, model_dir, generate, lora, args)
        report["targets"] = targets(report)
    finally:
        stop(engine)
        for _, proc in peers.values():
            stop(proc)
        if lora:
            shutil.rmtree(lora, ignore_errors=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
