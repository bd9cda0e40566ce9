"""System operations: what this installation can do, and the GPUs."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import platform
import time
from functools import cache
from typing import Any

from pydantic import BaseModel

from .. import gpu, models, paths
from ..chat.sessions import SessionStore
from ..engine import EngineManager
from ..finetune.tasks import list_tasks
from ..version import __version__
from .registry import operation

PACKAGES = ("jupyter_server", "jupyterlab", "torch", "transformers", "peft", "vllm", "ray")


class Health(BaseModel):
    status: str
    version: str
    python: str
    data_dir: str
    user: str
    versions: dict[str, str | None]
    available: dict[str, bool]


class GpuDevice(BaseModel):
    index: int
    name: str
    memory_total: int  # bytes
    memory_used: int
    memory_free: int
    utilization: int | None  # %
    temperature: int | None  # degrees C
    processes: list[dict[str, Any]]


class GpuInfo(BaseModel):
    available: bool
    devices: list[GpuDevice] = []
    error: str | None = None  # a driver error, when NVML answered with one
    time: float | None = None


@cache
def _installed() -> tuple[dict[str, str | None], dict[str, bool]]:
    """Package versions and presence, read once per process: looking them up costs ms and they do not change."""

    def version(dist: str) -> str | None:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return None

    present = {name: importlib.util.find_spec(name) is not None for name in ("torch", "vllm", "ray")}
    return {d: version(d) for d in PACKAGES}, present


@operation("health", "GET", "api/health")
def health() -> Health:
    """Versions, the data directory and what is available here (packages are looked up, never imported)."""
    versions, present = _installed()
    return Health(
        status="ok",
        version=__version__,
        python=platform.python_version(),
        data_dir=str(paths.data_home()),
        user=paths.current_user_name(),
        versions=versions,
        available={**present, "gpu": gpu.gpu_available(), "bundled_model": models.bundled_available()},
    )


@operation("gpu.info", "GET", "api/system/gpu", blocking=True)
def gpu_info() -> GpuInfo:
    """The GPUs NVML sees (`available: false` without a GPU or pynvml): memory in bytes, utilisation in %."""
    return GpuInfo.model_validate({**gpu.gpu_info(), "time": time.time()})


class Overview(BaseModel):
    engine: dict[str, Any]  # status, id, model, base_url
    sessions: int
    tasks: dict[str, int]  # fine-tune tasks by status
    gpus: list[str]
    data_dir: str


@operation("status", "GET", "api/status", blocking=True)
def overview() -> Overview:
    """One line per area: the engine, how many chat sessions, fine-tune tasks by status, GPUs, the data dir."""
    from collections import Counter

    return Overview(
        engine=EngineManager().endpoint(),
        sessions=SessionStore().count(),
        tasks=dict(Counter(t["status"] for t in list_tasks())),
        gpus=[d["name"] for d in gpu.gpu_info()["devices"]],
        data_dir=str(paths.data_home()),
    )
