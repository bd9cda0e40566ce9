"""The engine's command line (vLLM's flag names where vLLM has the flag)."""

from __future__ import annotations

import argparse


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m sage_studio_lab.engine.serve",
        description="SAGE Studio CPU engine (OpenAI/vLLM protocol over transformers)",
    )
    ap.add_argument(
        "--model", default=None, help="catalog id or local HF folder (default: the bundled model)"
    )
    ap.add_argument("--served-model-name", default=None, help="name clients use (default: the model id)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8001)
    ap.add_argument(
        "--api-key",
        default=None,
        help="require `Authorization: Bearer KEY` on the /v1 routes (default: $VLLM_API_KEY, as vLLM; prefer the "
        "variable: every user sees a command line in `ps`); without a key the engine is open",
    )
    ap.add_argument(
        "--max-model-len", type=int, default=None, help="context length (default: the model's own)"
    )
    ap.add_argument("--max-batch", type=int, default=32, help="most sequences decoded together")
    ap.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch intra-op threads (default or 0: from the cores other processes leave free, re-checked every "
        "0.5 s; a thread sharing a core with a busy process stalls every step)",
    )
    ap.add_argument(
        "--prepack",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="bfloat16 linear layers on oneDNN-prepacked weights (~1.5x faster decoding, same results)",
    )
    # float32 keeps answers identical to a plain `generate`; bfloat16 batches far better on CPUs with
    # AVX512-BF16/AMX (oneDNN kernels) at the cost of slightly different numerics.
    ap.add_argument(
        "--dtype",
        default="auto",
        choices=["auto", "float32", "bfloat16"],
        help="weights dtype; auto = bfloat16 where the CPU has native bf16 matmul (AVX512-BF16/AMX), else float32",
    )
    ap.add_argument(
        "--enable-prefix-caching",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="reuse the KV of prompt prefixes seen before (system prompt, earlier turns), as vLLM does",
    )
    ap.add_argument(
        "--prefix-cache-mb",
        type=float,
        default=128,
        help="memory for the prefix cache (least recently used out)",
    )
    ap.add_argument(
        "--stage-file",
        default=None,
        help="write the loading stage and its progress to this JSON file (replaced atomically), readable before "
        "the port answers; the Studio's manager passes one beside the engine log",
    )
    return ap.parse_args(argv)
