"""`EnginePanel`: engine status, start/stop, the model catalog and GPU gauges."""

from __future__ import annotations

import traitlets

from .base import StudioWidget, asset

CHANGES_ENGINE = {
    "engine.start",
    "engine.stop",
    "engine.restart",
    "engine.load_adapter",
    "engine.unload_adapter",
}


class EnginePanel(StudioWidget):
    _esm = asset("engine", "js")
    _css = asset("engine", "css")
    view = traitlets.Unicode("engine").tag(sync=True)
    engine = traitlets.Dict().tag(sync=True)  # the `engine.status` record
    gpu = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.refresh()

    def refresh(self) -> dict:
        self.engine = self.call("engine.status")
        self.gpu = self.call("gpu.info")
        return self.engine

    def after_operation(self, name: str) -> None:
        if name in CHANGES_ENGINE:
            self.engine = self.call("engine.status")

    def start(self, model: str | None = None, backend: str = "auto", **options) -> dict:
        """Start the engine and wait until it is ready (blocking, like `sage-studio engine start`)."""
        self.status = "starting"
        try:
            return self.call("engine.start", model=model, backend=backend, wait=True, **options)
        finally:
            self.status = "ready"

    def stop(self, grace: float = 10.0) -> dict:
        return self.call("engine.stop", grace=grace)
