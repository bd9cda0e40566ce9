"""Which engine backend to run and the exact argv (a list, never a shell string) that launches it."""

from __future__ import annotations

import importlib.util
import sys

from .. import gpu
from ..errors import InvalidInput, Unavailable
from ..settings import get_settings

BACKENDS = ("auto", "cpu", "vllm")
QUANTIZATIONS = ("awq", "gptq", "fp8", "bitsandbytes", "gguf")


def vllm_importable() -> bool:
    return importlib.util.find_spec("vllm") is not None


def choose_backend(backend: str | None) -> str:
    """`auto` is vLLM only when vllm is importable and a GPU is present; otherwise our CPU engine."""
    backend = (backend or "auto").lower()
    if backend not in BACKENDS:
        raise InvalidInput(f"backend {backend!r} is unknown: use one of {', '.join(BACKENDS)}")
    if backend == "auto":
        return "vllm" if vllm_importable() and gpu.gpu_available() else "cpu"
    if backend == "vllm" and not vllm_importable():
        raise Unavailable(
            "backend 'vllm' needs the vllm package and a GPU: pip install 'sage_studio_lab[gpu]' "
            "(or use backend 'cpu')"
        )
    return backend


def vllm_command(
    model: str,
    port: int,
    host: str = "127.0.0.1",
    gpu_memory_utilization: float = 0.9,
    quantization: str | None = None,
    served_name: str | None = None,
    vllm_executable: str | None = None,
) -> tuple[list[str], dict[str, str]]:
    """`vllm serve` with runtime LoRA loading enabled (so fine-tuned adapters hot-swap without a restart)."""
    if not 0.05 <= gpu_memory_utilization <= 1.0:
        raise InvalidInput("gpu_memory_utilization must be between 0.05 and 1.0")
    if quantization and quantization not in QUANTIZATIONS:
        raise InvalidInput(f"quantization {quantization!r} is unknown: use one of {', '.join(QUANTIZATIONS)}")
    argv = [
        vllm_executable or "vllm",
        "serve",
        model,
        "--host",
        host,
        "--port",
        str(port),
        "--enable-lora",
        "--max-lora-rank",
        "64",
        "--max-loras",
        "4",
        "--gpu-memory-utilization",
        str(gpu_memory_utilization),
    ]
    if served_name:
        argv += ["--served-model-name", served_name]
    if quantization:
        argv += ["--quantization", quantization]
    return argv, {"VLLM_ALLOW_RUNTIME_LORA_UPDATING": "True"}


def cpu_command(
    model: str,
    port: int,
    host: str = "127.0.0.1",
    served_name: str | None = None,
    stage_file: str | None = None,
) -> tuple[list[str], dict[str, str]]:
    argv = [
        sys.executable,
        "-m",
        "sage_studio_lab.engine.serve",
        "--model",
        model,
        "--host",
        host,
        "--port",
        str(port),
    ]
    if served_name:
        argv += ["--served-model-name", served_name]
    threads = get_settings().engine_threads  # 0: the engine picks from the free cores, and keeps adapting
    if threads:
        argv += ["--threads", str(threads)]
    if stage_file:
        argv += ["--stage-file", stage_file]
    return argv, {}


def build_command(
    backend: str,
    model: str,
    port: int,
    host: str = "127.0.0.1",
    gpu_memory_utilization: float = 0.9,
    quantization: str | None = None,
    served_name: str | None = None,
    stage_file: str | None = None,
) -> tuple[list[str], dict[str, str]]:
    """`stage_file`: where our CPU engine reports its loading stages (vLLM's are read from its log)."""
    if backend == "vllm":
        return vllm_command(model, port, host, gpu_memory_utilization, quantization, served_name)
    if quantization:
        raise InvalidInput("quantization is only supported by the vllm backend")
    return cpu_command(model, port, host, served_name, stage_file)
