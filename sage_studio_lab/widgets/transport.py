"""The widget transport, kernel side (see docs/TRANSPORT.md): `@rpc` handlers, calls, errors, JSON-able values.

The JS views (shared with the Lab panels) talk to Python with custom messages:
  JS -> Py  {type: "call", id, method, args}   and   {type: "cancel", id}
  Py -> JS  {type: "event", id, event}         and   {type: "result", id, ok, value | error}
Each widget declares a dispatch table `method name -> handler`. Quick handlers run in the kernel thread;
streaming ones (`@rpc(..., stream=True)`) run in a background thread and push events with `self.send`, so the
kernel stays free (the user can keep running cells while a chat answer streams or a flow runs).
Binary payloads (loss curves) travel as message buffers, never as JSON number lists.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import StudioError

STATIC = Path(__file__).resolve().parents[1] / "static"

# Shown when the frontend bundle of a view is not built (e.g. a source checkout before `make`):
# a readable note instead of a blank output, and the widget still works from Python.
_FALLBACK_ESM = """
function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "sage-studio-fallback";
  box.style.cssText = "font-family: var(--jp-ui-font-family, sans-serif); padding: 6px; border: 1px dashed #999";
  const show = () => {
    box.textContent = `SAGE Studio ${model.get("view")} widget (frontend bundle not built: run \\`make\\` ` +
      `in the project to build sage_studio_lab/static/${model.get("view")}.js). Status: ${model.get("status") || "ready"}`;
  };
  show();
  model.on("change:status", show);
  el.appendChild(box);
  return () => model.off("change:status", show);
}
export default { render };
"""


def asset(view: str, ext: str) -> Path | str:
    """The bundled ESM/CSS of `view` when built, else the fallback (so class definition never fails)."""
    path = STATIC / f"{view}.{ext}"
    if path.exists():
        return path
    return _FALLBACK_ESM if ext == "js" else ""


WIDGET_METHODS: dict[
    str, Callable
] = {}  # name -> fn(widget, **args): the methods only a widget has (streams, buffers)


def widget_method(name: str, *, stream: bool = False):
    """Register `fn(widget, **args)` as widget method `name` (every widget answers it; see `rpc` for `call`)."""

    def register(fn):
        WIDGET_METHODS[name] = rpc(name, stream=stream)(fn)
        return fn

    return register


def rpc(name: str, *, stream: bool = False):
    """Mark a method as the handler of transport method `name`.

    Handlers receive the call's `args` as keyword arguments; streaming ones also get `call` (a `Call`) to
    push events and to see cancellation. Handlers that take a `call` argument without `stream=True` get one too.
    """

    def mark(fn):
        fn._rpc_name = name
        fn._rpc_stream = stream
        return fn

    return mark


@dataclass
class Call:
    """One in-flight call: its id, a cancel flag and a way to push events for it."""

    id: str
    method: str
    widget: Any  # the StudioWidget that carries the call
    cancelled: threading.Event = field(default_factory=threading.Event)
    events: list = field(default_factory=list)  # kept for Python-side callers (`widget.call(...)`)
    on_event: Callable[[dict], None] | None = None

    def emit(self, event: dict, buffers: list[bytes] | None = None) -> None:
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)
        self.widget.post({"type": "event", "id": self.id, "event": event}, buffers)

    def cancel(self) -> None:
        self.cancelled.set()


def error_payload(exc: BaseException) -> dict:
    if isinstance(exc, StudioError):
        return {
            "message": exc.message,
            "status": exc.status,
            "type": type(exc).__name__,
            **_jsonable(exc.details),
        }
    if isinstance(exc, (TypeError, ValueError)):
        return {"message": str(exc), "status": 400, "type": type(exc).__name__}
    return {"message": f"{type(exc).__name__}: {exc}", "status": 500, "type": type(exc).__name__}


def _jsonable(details: dict) -> dict:
    import json

    try:
        json.dumps(details)
        return details
    except (TypeError, ValueError):
        return {k: str(v) for k, v in details.items()}


def plain(obj: Any) -> Any:
    """Core return values (dataclasses, pydantic models, paths) as JSON-able data for traits and messages."""
    import dataclasses

    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [plain(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "model_dump"):
        return plain(obj.model_dump())
    if hasattr(obj, "to_dict"):
        return plain(obj.to_dict())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return plain(dataclasses.asdict(obj))
    return str(obj)
