"""The GPU stream of the widget transport (`gpu.watch`); the engine and GPU operations come from the Studio API."""

from __future__ import annotations

from .transport import widget_method


@widget_method("gpu.watch", stream=True)
def gpu_watch(widget, interval_s: float = 2.0, call=None):
    from ..api import invoke

    interval = max(0.5, float(interval_s))
    while not call.cancelled.is_set():
        info = invoke("gpu.info")
        if widget.has_trait("gpu"):  # Python readers of the widget (e.g. `panel.gpu`) stay current too
            widget.gpu = info
        call.emit(info)
        call.cancelled.wait(interval)
    return {"cancelled": True}
