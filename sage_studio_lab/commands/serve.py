"""`sage-studio serve [MODEL] --port P`: run the CPU engine in the foreground (Ctrl-C stops it)."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser(
        "serve", help="serve a model in the foreground with the OpenAI/vLLM protocol (CPU engine)"
    )
    p.add_argument(
        "model", nargs="?", default=None, help="catalog id or local HF folder (default: bundled model)"
    )
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--max-batch", type=int, default=32)
    p.add_argument("--dtype", default="auto", choices=["auto", "float32", "bfloat16"])
    p.add_argument(
        "--enable-prefix-caching",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="reuse the KV of prompt prefixes seen before (as vLLM)",
    )
    p.add_argument("--prefix-cache-mb", type=float, default=128)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..engine import serve

    argv = [
        "--port",
        str(args.port),
        "--host",
        args.host,
        "--max-batch",
        str(args.max_batch),
        "--dtype",
        args.dtype,
        "--prefix-cache-mb",
        str(args.prefix_cache_mb),
        "--enable-prefix-caching" if args.enable_prefix_caching else "--no-enable-prefix-caching",
    ]
    if args.model:
        argv += ["--model", args.model]
    print(f"serving on http://{args.host}:{args.port}/v1 (Ctrl-C to stop)", flush=True)
    serve.main(argv)
    return 0
