"""Resource advice before a run: estimated memory vs what this machine has, the step count, and a suggested
change when the run would not fit. Advice only — the user's settings are never changed behind their back."""

from __future__ import annotations

import json
import math
from pathlib import Path

import psutil

from .config import TaskConfig

BYTES_FP32 = 4
GiB = 2**30
FIT_SHARE = 0.8  # above this share of the free memory a run is likely to be killed or to swap


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


def _memory_here() -> dict:
    """The memory a run can use: the emptiest GPU's free memory, else the available RAM."""
    from ..gpu import gpu_info

    gpus = [d for d in gpu_info().get("devices", []) if d.get("memory_total")]
    if gpus:
        best = max(gpus, key=lambda d: d.get("memory_total", 0) - d.get("memory_used", 0))
        name = str(best.get("name") or "GPU")
        return {
            "device": "gpu",
            "device_name": name,
            "available_bytes": int(best["memory_total"] - best.get("memory_used", 0)),
            "where": f"free GPU memory ({name})",
        }
    return {
        "device": "cpu",
        "device_name": "CPU",
        "available_bytes": int(psutil.virtual_memory().available),
        "where": "available RAM (no GPU found: training runs on the CPU)",
    }


def split_rows(rows: int, eval_ratio: float) -> tuple[int, int]:
    """(train, eval) row counts as `datasets.split` makes them."""
    n_eval = int(round(rows * eval_ratio)) if eval_ratio > 0 else 0
    if eval_ratio > 0 and n_eval == 0 and rows >= 2:
        n_eval = 1
    return rows - n_eval, n_eval


def planned_steps(config: TaskConfig, rows: int | None) -> int | None:
    """Optimizer steps the trainer will run (as the HF Trainer counts them), None without a dataset."""
    if config.max_steps > 0:
        return config.max_steps
    if not rows:
        return None
    train = max(1, split_rows(rows, config.eval_ratio)[0])
    per_epoch = max(1, math.ceil(train / config.batch_size) // config.gradient_accumulation)
    return max(1, math.ceil(per_epoch * config.epochs))


def _gib(n: float) -> str:
    return f"{n / GiB:.1f} GiB"


def suggest(config: TaskConfig, model_dir: Path, budget: float, device: str) -> dict | None:
    """The smallest change that brings the estimate under `budget` bytes: a smaller batch with more gradient
    accumulation (the same examples per step), then shorter examples, then 4-bit weights on a GPU."""
    candidates: list[dict] = []
    batch, accumulation = config.batch_size, config.gradient_accumulation
    while batch > 1:
        batch //= 2
        factor = config.batch_size // batch
        candidates.append({"batch_size": batch, "gradient_accumulation": min(512, accumulation * factor)})
    length = config.max_length
    while length > 64:
        length = max(64, length // 2)
        candidates.append(
            {
                "batch_size": 1,
                "gradient_accumulation": min(512, accumulation * config.batch_size),
                "max_length": length,
            }
        )
    if device == "gpu" and config.quantization == "none" and quantization_available()[0]:
        candidates.append({"quantization": "4bit"})
    for changes in candidates:
        need = estimate_memory_bytes(config.model_copy(update=changes), model_dir)
        if need <= budget:
            return {"changes": changes, "memory_bytes": need, "text": _suggestion_text(changes, need)}
    return None


def _suggestion_text(changes: dict, need: int) -> str:
    parts = []
    if "batch_size" in changes:
        parts.append(
            f"batch size {changes['batch_size']} with gradient accumulation "
            f"{changes['gradient_accumulation']} (the same examples per step)"
        )
    if "max_length" in changes:
        parts.append(f"max length {changes['max_length']} tokens")
    if "quantization" in changes:
        parts.append("4-bit quantization")
    return f"Suggestion: {' and '.join(parts)} needs about {_gib(need)}."


def _memory_warning(need: int, here: dict) -> str | None:
    free = here["available_bytes"]
    if need <= FIT_SHARE * free:
        return None
    return (
        f"estimated memory {_gib(need)} is close to or above the {_gib(free)} "
        f"{here['where']}: lower batch_size or max_length, or use gradient_accumulation"
    )


def _other_warnings(config: TaskConfig, model_dir: Path, rows: int | None, here: dict) -> list[str]:
    """Warnings other than memory; those about the rows only once a dataset is known."""
    warnings = []
    if here["device"] == "cpu" and _param_count(model_dir) > 1_000_000_000:
        warnings.append("a model above 1B parameters trains very slowly on a CPU")
    if rows is not None and rows < config.batch_size:
        warnings.append(f"the dataset has {rows} examples, fewer than batch_size {config.batch_size}")
    if rows is not None and config.eval_ratio > 0 and rows * config.eval_ratio < 1:
        warnings.append("the eval split will hold a single example: eval loss will be noisy")
    if config.lora.rank > 64:
        warnings.append(
            f"LoRA rank {config.lora.rank} is above 64: the engine cannot hot-load it (merge instead)"
        )
    return warnings


def assess(config: TaskConfig, model_dir: Path, rows: int | None) -> dict:
    """The advice with the numbers behind it: estimated memory, what this machine has, whether it fits,
    the step count, warnings, plain-word lines (with units) and a suggested change when it does not fit."""
    model_dir = Path(model_dir)
    here = _memory_here()
    need = estimate_memory_bytes(config, model_dir)
    free = here["available_bytes"]
    fits = need <= FIT_SHARE * free
    params = _param_count(model_dir)
    steps = planned_steps(config, rows)
    train_rows, eval_rows = split_rows(rows, config.eval_ratio) if rows else (None, None)
    per_step = config.batch_size * config.gradient_accumulation
    lines = [
        f"Estimated memory: {_gib(need)} of {_gib(free)} {here['where']} — "
        + ("fits." if fits else "too much: this run would likely run out of memory.")
    ]
    if params:
        lines.append(f"Model: about {params / 1e6:,.0f} million parameters.")
    if steps is not None:
        data = f"{train_rows} training rows, {eval_rows} held out for evaluation, " if rows else ""
        lines.append(
            f"Training: {steps} step{'' if steps == 1 else 's'} ({data}{per_step} example"
            f"{'' if per_step == 1 else 's'} per step)."
        )
    others = _other_warnings(config, model_dir, rows, here)
    if config.quantization != "none":
        ok, why = quantization_available()
        if not ok:
            others.append(f"{config.quantization} quantization is not available here: {why}")
    memory = _memory_warning(need, here)
    warnings = ([memory] if memory else []) + others
    suggestion = None if fits else suggest(config, model_dir, FIT_SHARE * free, here["device"])
    lines += [w[0].upper() + w[1:] + "." for w in others]  # the memory one is the first line already
    if suggestion:
        lines.append(suggestion["text"])
    return {
        "lines": lines,
        "warnings": warnings,
        "memory_bytes": need,
        "available_bytes": free,
        "device": here["device"],
        "device_name": here["device_name"],
        "fits": fits,
        "params": params,
        "rows": rows,
        "train_rows": train_rows,
        "eval_rows": eval_rows,
        "steps": steps,
        "examples_per_step": per_step,
        "suggestion": suggestion,
    }


def advise(config: TaskConfig, model_dir: Path, rows: int) -> list[str]:
    """The warnings a task records at creation (the same as `assess` gives)."""
    model_dir = Path(model_dir)
    here = _memory_here()
    memory = _memory_warning(estimate_memory_bytes(config, model_dir), here)
    return ([memory] if memory else []) + _other_warnings(config, model_dir, rows, here)
