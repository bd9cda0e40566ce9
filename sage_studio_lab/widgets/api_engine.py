"""Engine, model catalog and GPU methods of the transport (`engine.*`, `gpu.*`, `health`), via EngineManager."""

from __future__ import annotations

import inspect

from .transport import plain, rpc


def manager():
    from ..engine import EngineManager

    return EngineManager()


def _accepted(fn, **kwargs) -> dict:
    """Only the keyword arguments `fn` takes (optional knobs a backend may not have), never None values."""
    params = inspect.signature(fn).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return {k: v for k, v in kwargs.items() if v is not None}
    return {k: v for k, v in kwargs.items() if v is not None and k in params}


def engine_status() -> dict:
    status = plain(manager().status())
    if isinstance(status, list):
        return {"engines": status}
    if isinstance(status, dict) and "engines" not in status:
        return {"engines": [status] if status.get("status") not in (None, "stopped") else []}
    return status


def engine_start(model: str | None = None, backend: str = "auto", **options) -> dict:
    m = manager()
    return plain(m.start(**_accepted(m.start, model=model, backend=backend, **options)))


def engine_stop(id: str | None = None) -> dict:
    m = manager()
    result = plain(m.stop(**_accepted(m.stop, id=id, engine_id=id)))
    return result if isinstance(result, dict) else {"stopped": result}


class EngineApi:
    @rpc("health")
    def rpc_health(self):
        import importlib.util

        from .. import __version__, gpu, models

        return {
            "status": "ok",
            "version": __version__,
            "transport": "widget",
            "available": {
                "torch": importlib.util.find_spec("torch") is not None,
                "vllm": importlib.util.find_spec("vllm") is not None,
                "gpu": bool(gpu.gpu_info().get("available")),
                "bundled_model": models.bundled_available(),
            },
        }

    @rpc("engine.status")
    def rpc_engine_status(self):
        return engine_status()

    @rpc("engine.models")
    def rpc_engine_models(self):
        from ..models import list_models

        return {"models": [{**m.to_dict(), "kind": m.type} for m in list_models()]}

    @rpc("engine.start", stream=True)  # waits for readiness (seconds): off the kernel thread
    def rpc_engine_start(
        self,
        model: str | None = None,
        backend: str = "auto",
        gpu_memory_utilization=None,
        quantization=None,
        port=None,
        call=None,
    ):
        call.emit({"type": "status", "status": "starting", "model": model, "backend": backend})
        record = engine_start(
            model,
            backend,
            gpu_memory_utilization=gpu_memory_utilization,
            quantization=quantization,
            port=port,
        )
        self._refresh_engine()
        return record

    @rpc("engine.stop")
    def rpc_engine_stop(self, id: str | None = None):
        result = engine_stop(id)
        self._refresh_engine()
        return result

    @rpc("engine.logs")
    def rpc_engine_logs(self, id: str | None = None, tail: int = 200):
        m = manager()
        lines = plain(m.logs(**_accepted(m.logs, id=id, engine_id=id, lines=tail, tail=tail)))
        if isinstance(lines, str):
            lines = lines.splitlines()
        return lines if isinstance(lines, dict) else {"lines": lines}

    @rpc("gpu.info")
    def rpc_gpu_info(self):
        from ..gpu import gpu_info

        return plain(gpu_info())

    @rpc("gpu.watch", stream=True)
    def rpc_gpu_watch(self, interval_s: float = 2.0, call=None):
        from ..gpu import gpu_info

        interval = max(0.5, float(interval_s))
        while not call.cancelled.is_set():
            info = plain(gpu_info())
            if self.has_trait("gpu"):  # Python readers of the widget (e.g. `panel.gpu`) stay current too
                self.gpu = info
            call.emit(info)
            call.cancelled.wait(interval)
        return {"cancelled": True}

    def _refresh_engine(self) -> None:
        """Widgets that show engine state (EnginePanel) override this to refresh their traits."""
