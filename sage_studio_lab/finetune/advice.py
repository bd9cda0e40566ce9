"""Resource advice before a run: estimated memory vs what this machine has. Warnings only — the user's
settings are never changed behind their back."""

from __future__ import annotations

import json
from pathlib import Path

import psutil

from .config import TaskConfig

BYTES_FP32 = 4


def _param_count(model_dir: Path) -> int:
    weights = list(model_dir.glob("*.safetensors")) or list(model_dir.glob("*.bin"))
    size = sum(p.stat().st_size for p in weights)
    return size // BYTES_FP32 if size else 0


def estimate_memory_bytes(config: TaskConfig, model_dir: Path) -> int:
    """Weights + LoRA optimiser state + activations (a rough, deliberately pessimistic estimate)."""
    params = _param_count(model_dir)
    try:
        mc = json.loads((model_dir / "config.json").read_text())
    except (OSError, json.JSONDecodeError):
        mc = {}
    hidden = mc.get("hidden_size", 1024)
    layers = mc.get("num_hidden_layers", 24)
    vocab = mc.get("vocab_size", 32000)
    bytes_per_weight = {"none": BYTES_FP32, "8bit": 1, "4bit": 0.5}[config.quantization]
    weights = params * bytes_per_weight
    lora = layers * 4 * 2 * hidden * config.lora.rank * BYTES_FP32 * 4  # weights + grads + 2 Adam moments
    tokens = config.batch_size * config.max_length
    activations = tokens * (layers * hidden * 20 + vocab * 2) * BYTES_FP32
    return int(weights + lora + activations)


def quantization_available() -> tuple[bool, str]:
    from ..gpu import gpu_info

    if not gpu_info().get("available"):
        return False, "4/8-bit training needs a CUDA GPU"
    try:
        import bitsandbytes  # noqa: F401
    except ImportError:
        return False, "4/8-bit training needs the bitsandbytes package"
    return True, ""


def advise(config: TaskConfig, model_dir: Path, rows: int) -> list[str]:
    from ..gpu import gpu_info

    warnings = []
    need = estimate_memory_bytes(config, model_dir)
    gpus = [d for d in gpu_info().get("devices", []) if d.get("memory_total")]
    if gpus:
        free = max(d.get("memory_total", 0) - d.get("memory_used", 0) for d in gpus)
        where = "free GPU memory"
    else:
        free = psutil.virtual_memory().available
        where = "available RAM (no GPU: training runs on the CPU)"
    if need > 0.8 * free:
        warnings.append(
            f"estimated memory {need / 2**30:.1f} GiB is close to or above the {free / 2**30:.1f} GiB "
            f"{where}: lower batch_size or max_length, or use gradient_accumulation"
        )
    if not gpus and _param_count(model_dir) > 1_000_000_000:
        warnings.append("a model above 1B parameters trains very slowly on a CPU")
    if rows < config.batch_size:
        warnings.append(f"the dataset has {rows} examples, fewer than batch_size {config.batch_size}")
    if config.eval_ratio > 0 and rows * config.eval_ratio < 1:
        warnings.append("the eval split will hold a single example: eval loss will be noisy")
    if config.lora.rank > 64:
        warnings.append(
            f"LoRA rank {config.lora.rank} is above 64: the engine cannot hot-load it (merge instead)"
        )
    return warnings
