"""Engine operations: the local inference server's status, start/stop/restart, logs, models and adapters."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .. import models as catalog
from ..engine import EngineManager
from ..request_json import Name, PathName
from ..settings import get_settings
from .registry import operation


class Stage(BaseModel):
    name: str
    state: Literal["done", "current", "failed", "pending", "skipped"]


class AdapterLabel(BaseModel):
    """An adapter the engine serves: `id` is its served (LoRA) name, `label` what people call it (the fine-tune
    task's name, as chat's model list shows it), `task_id` its task when it is a fine-tuned one."""

    id: str
    label: str
    task_id: str | None


class EngineStatus(BaseModel, extra="allow"):
    """One engine per user; `status` is stopped when none runs. Memory in bytes. While `loading`: the `stage`
    (starting, materialising, loading weights, warming up), its `progress` (0..1, null when unknown) and
    `stage_detail` (e.g. "120/272 tensors"), every stage in `stages`, `elapsed_s` since the start; a failed
    start keeps its `stages` (the failed one marked) and says why in `error`."""

    status: Literal["stopped", "loading", "running", "stopping", "failed"]
    id: str | None
    backend: str | None
    model: str | None
    base_url: str | None
    port: int | None
    pid: int | None
    uptime_s: float | None
    adapters: list[str]
    rss_bytes: int | None
    gpu_memory: int | None
    exit_code: int | None
    error: str | None
    log_tail: str
    progress: float | None = Field(None, ge=0, le=1)
    stage: str | None = None
    stage_detail: str | None = None
    stages: list[Stage] = []
    elapsed_s: float | None = None
    adapter_labels: list[AdapterLabel] = []
    argv: list[str] = Field(
        [], description="the command line the engine runs (for the curious: views hide it)"
    )


class StartArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: PathName | None = Field(
        None, description="catalog id or local folder; default: the configured default model"
    )
    backend: Literal["auto", "cpu", "vllm"] = "auto"
    port: int | None = Field(None, ge=1024, le=65535)
    gpu_memory_utilization: float = Field(0.9, ge=0.05, le=1.0)
    quantization: Name | None = None
    wait: bool = Field(
        False, description="answer only once the engine is ready (else at once, status loading)"
    )
    timeout: float = Field(180, gt=0, le=3600)


class StopArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grace: float = Field(10.0, ge=0, le=120, description="seconds between SIGTERM and SIGKILL")


class LogsArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: int = Field(200, ge=1, le=10_000, description="how many of the last lines")


class EngineLogs(BaseModel):
    lines: int
    text: str


class Model(BaseModel):
    id: str
    name: str
    type: Literal["base", "finetuned"]
    source: str  # bundled | local | hf-cache | finetune
    path: str | None = None
    base_model: str | None = None
    details: dict[str, Any] = {}


class ModelCatalog(BaseModel):
    default: str
    models: list[Model]


class Adapters(BaseModel):
    adapters: list[str]
    labels: list[AdapterLabel] = Field(
        [],
        description="each adapter's name as people know it (its fine-tune task's), in the order of `adapters`",
    )
    engine: str


class RestartArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    wait: bool = Field(
        True,
        description="answer once the engine is ready (else at once, status loading, adapters loaded later)",
    )
    timeout: float = Field(180, gt=0, le=3600)


class AdapterArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@/-]+$")
    path: PathName = Field(min_length=1, description="a PEFT adapter folder")


class AdapterRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128, pattern=r"^[^/]+$")


def _manager():
    return EngineManager()


def _started(record: dict) -> int:
    return 200 if record.get("status") == "running" else 202


@operation("engine.status", "GET", "api/engine/status", blocking=True)
def status() -> EngineStatus:
    """The engine's state, process, memory, adapters and the tail of its log."""
    return _manager().status()


@operation("engine.start", "POST", "api/engine/start", blocking=True, status=_started)
def start(args: StartArgs) -> EngineStatus:
    """Start the engine (202 while it loads, 200 once running); re-attaches when one already runs."""
    settings = get_settings()
    backend = args.backend if args.backend != "auto" else (settings.engine_kind or "auto")
    return _manager().start(
        model=args.model or settings.default_model,
        backend=backend,
        port=args.port,
        gpu_memory_utilization=args.gpu_memory_utilization,
        quantization=args.quantization,
        wait=args.wait,
        timeout=args.timeout,
    )


@operation("engine.stop", "POST", "api/engine/stop", blocking=True)
def stop(args: StopArgs) -> EngineStatus:
    """Stop the engine: SIGTERM, then SIGKILL after `grace` seconds."""
    return _manager().stop(grace=args.grace)


@operation("engine.restart", "POST", "api/engine/restart", blocking=True)
def restart(args: RestartArgs) -> EngineStatus:
    """Restart the engine with the same model, options and adapters."""
    return _manager().restart(timeout=args.timeout, wait=args.wait)


@operation("engine.logs", "GET", "api/engine/logs", blocking=True)
def logs(args: LogsArgs) -> EngineLogs:
    """The last lines of the engine's log."""
    return EngineLogs(lines=args.lines, text=_manager().logs(args.lines))


@operation("engine.models", "GET", "api/engine/models", blocking=True)
def models() -> ModelCatalog:
    """The model catalog: the bundled model, local folders, the HF cache and fine-tuned adapters."""
    return ModelCatalog(
        default=get_settings().default_model, models=[m.to_dict() for m in catalog.list_models()]
    )


@operation("engine.adapters", "GET", "api/engine/adapters", blocking=True)
def adapters() -> Adapters:
    """The adapters the engine serves."""
    record = _manager().status()
    return Adapters(adapters=record["adapters"], labels=record["adapter_labels"], engine=record["status"])


@operation("engine.load_adapter", "POST", "api/engine/adapters", blocking=True)
def load_adapter(args: AdapterArgs) -> dict[str, Any]:
    """Hot-load a LoRA adapter into the running engine (no restart)."""
    return _manager().load_adapter(args.name, args.path)


@operation("engine.unload_adapter", "DELETE", "api/engine/adapters/{name}", blocking=True)
def unload_adapter(args: AdapterRef) -> dict[str, Any]:
    """Unload an adapter from the running engine."""
    return _manager().unload_adapter(args.name)
