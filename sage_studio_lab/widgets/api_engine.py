"""GPU stream of the transport (`gpu.watch`); the engine and GPU operations come from the Studio API."""

from __future__ import annotations

from .transport import rpc


class EngineApi:
    @rpc("gpu.watch", stream=True)
    def rpc_gpu_watch(self, interval_s: float = 2.0, call=None):
        from ..api import invoke

        interval = max(0.5, float(interval_s))
        while not call.cancelled.is_set():
            info = invoke("gpu.info")
            if self.has_trait("gpu"):  # Python readers of the widget (e.g. `panel.gpu`) stay current too
                self.gpu = info
            call.emit(info)
            call.cancelled.wait(interval)
        return {"cancelled": True}
