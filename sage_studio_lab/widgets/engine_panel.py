"""`EnginePanel`: engine status, start/stop, the model catalog and GPU gauges."""

from __future__ import annotations

import traitlets

from .api_engine import engine_start, engine_status, engine_stop
from .base import StudioWidget, asset


class EnginePanel(StudioWidget):
    _esm = asset("engine", "js")
    _css = asset("engine", "css")
    view = traitlets.Unicode("engine").tag(sync=True)
    engines = traitlets.List().tag(sync=True)
    gpu = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.refresh()

    def refresh(self) -> list[dict]:
        self.engines = engine_status()["engines"]
        self.gpu = self.call("gpu.info")
        return self.engines

    _refresh_engine = refresh

    def start(self, model: str | None = None, backend: str = "auto", **options) -> dict:
        """Start an engine and wait until it is ready (blocking, like `sage-studio engine start`)."""
        self.status = "starting"
        try:
            return engine_start(model, backend, **options)
        finally:
            self.status = "ready"
            self.refresh()

    def stop(self, id: str | None = None) -> dict:
        try:
            return engine_stop(id)
        finally:
            self.refresh()
