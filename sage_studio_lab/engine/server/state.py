"""`EngineState`: what the engine serves, loaded in a thread once the server listens (/health says 503 meanwhile)."""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import time

from ..stages import LOADING, MATERIALISING, RUNNING, WARMING, StageWriter

WARMUP_STEPS = 3  # a prefill and two decode steps: oneDNN builds its kernels here, not in the first request


class EngineState:
    def __init__(
        self,
        model: str | None,
        served_name: str | None,
        max_batch: int,
        threads: int | None,
        dtype: str = "auto",
        prefix_cache_mb: float = 0,
        max_model_len: int | None = None,
        prepack: bool = True,
        stage_file: str | None = None,
    ):
        self.stages = StageWriter(stage_file)  # what the manager shows while /health still says 503
        self.max_model_len_arg = max_model_len
        self.prepack = prepack
        self.governor = None  # `cpu.ThreadGovernor`, once loading starts
        self.dtype = dtype
        self.prefix_cache_mb = prefix_cache_mb
        self.model_arg = model
        self.served_name = served_name
        self.max_batch = max_batch
        self.threads = threads
        self.ready = False
        self.error: str | None = None
        self.scheduler = None
        self.tokenizer = None
        self.model_path: str | None = None
        self.max_model_len = 0
        self.metrics = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> EngineState:
        return cls(
            args.model,
            args.served_model_name,
            args.max_batch,
            args.threads,
            args.dtype,
            args.prefix_cache_mb if args.enable_prefix_caching else 0,
            args.max_model_len,
            args.prepack,
            args.stage_file,
        )

    def load(self) -> None:
        """Runs in a thread after the server is listening, so /health can say 503 meanwhile."""
        try:
            t0 = time.perf_counter()
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            from ... import models
            from ...cpu import ThreadGovernor
            from . import packed
            from .load_progress import counting_tensors
            from .metrics import EngineMetrics
            from .prefix_cache import PrefixCache
            from .scheduler import Scheduler

            self.governor = ThreadGovernor(
                torch.set_num_threads,
                fixed=self.threads,
                max_threads=torch.get_num_threads(),
                report=functools.partial(print, flush=True),
            )
            torch.set_num_threads(self.governor.threads)  # the decode thread applies (and adapts) its own
            arg = self.model_arg or models.BUNDLED_MODEL_ID
            bundled = arg in (models.BUNDLED_MODEL_ID, "bundled")
            if bundled and not (models.bundled_cache_dir() / "config.json").exists():
                self.stages.enter(MATERIALISING, "the bundled GGUF becomes an HF folder (once per machine)")
            else:
                self.stages.skip(MATERIALISING)
            with counting_tensors(self.stages):
                path = models.resolve_model(self.model_arg)
            self.model_path = str(path)
            if not self.served_name:
                arg = self.model_arg or models.BUNDLED_MODEL_ID
                self.served_name = models.BUNDLED_MODEL_ID if arg == "bundled" else arg
            print(f"loading {self.served_name} from {path}", flush=True)
            self.stages.enter(LOADING)
            tokenizer = AutoTokenizer.from_pretrained(path)
            self.dtype = resolve_dtype(self.dtype)
            with counting_tensors(self.stages):
                model = AutoModelForCausalLM.from_pretrained(path, dtype=getattr(torch, self.dtype)).eval()
            eos = model.generation_config.eos_token_id
            eos_ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
            if tokenizer.eos_token_id is not None:
                eos_ids.add(tokenizer.eos_token_id)
            own_len = int(getattr(model.config, "max_position_embeddings", 2048))
            self.max_model_len = min(self.max_model_len_arg or own_len, own_len)
            self.metrics = EngineMetrics(self.served_name)
            self.metrics.watch_threads(lambda: self.governor.threads)
            self.tokenizer = tokenizer
            cache = PrefixCache(int(self.prefix_cache_mb * 2**20)) if self.prefix_cache_mb > 0 else None
            self.stages.enter(WARMING, "packing weights")
            self.scheduler = Scheduler(
                model,
                tokenizer,
                eos_ids,
                max_batch=self.max_batch,
                metrics=self.metrics,
                prefix_cache=cache,
                governor=self.governor,
                prepack=self.prepack,
            )
            warm_up(model, tokenizer, self.stages)
            self.scheduler.start()
            self.stages.enter(RUNNING)
            self.ready = True
            gov = self.governor
            threads = f"{gov.threads} of {gov.usable} cores, " + ("adaptive" if gov.adaptive else "fixed")
            packing = ", prepacked" if packed.is_packed(model) else ""
            print(
                f"ready: {self.served_name} in {time.perf_counter() - t0:.1f} s "
                f"(torch threads {threads}, max batch {self.max_batch}, {self.dtype}{packing})",
                flush=True,
            )
            # Import PEFT now, while idle: it costs 0.3-2 s, which the first hot-swapped adapter would pay.
            with contextlib.suppress(ImportError):
                import peft  # noqa: F401
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            self.stages.fail(self.error)
            print(f"model load failed while {self.stages.state['stage']}: {self.error}", flush=True)
            os._exit(3)  # a dead engine is truthful; a live one that can never serve is not


def resolve_dtype(dtype: str) -> str:
    """`auto` (as in vLLM): bfloat16 when the CPU multiplies bf16 natively — half the bytes per decode step,
    which is what bounds a small model's decoding — else float32 (emulated bf16 would be slower)."""
    if dtype != "auto":
        return dtype
    import torch

    native = [
        getattr(torch.cpu, f, lambda: False) for f in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    ]
    try:
        return "bfloat16" if any(f() for f in native) else "float32"
    except Exception:  # noqa: BLE001 - private torch probes: when in doubt, the safe dtype
        return "float32"


def warm_up(model, tokenizer, stages: StageWriter, steps: int = WARMUP_STEPS) -> None:
    """A few forward passes before the first request (a short prefill, then decode steps on its cache), each
    reported as a step. A failure here is only logged: the first request would meet it with a clear error."""
    import torch

    try:
        ids = torch.tensor([tokenizer.encode("Hello, how are you?")[:16] or [0]])
        past = None
        with torch.inference_mode():
            for step in range(1, steps + 1):
                out = model(input_ids=ids, past_key_values=past, use_cache=True)
                past, ids = out.past_key_values, out.logits[:, -1:].argmax(-1)
                stages.progress(step, steps, "warm-up steps")
    except Exception as exc:  # noqa: BLE001 - warm-up is an optimisation, never a reason to fail the start
        print(f"warm-up skipped: {type(exc).__name__}: {exc}", flush=True)
