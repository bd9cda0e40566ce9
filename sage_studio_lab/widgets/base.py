"""`StudioWidget`: the base of every notebook widget — synced traits plus the transport's dispatch table.

Every widget answers every operation of the Studio API (`sage_studio_lab/api/`, derived: same arguments, results
and errors as the REST routes) plus the widget-only methods registered by `*_methods.py` (streams, buffers), so a
shared view (e.g. the chat view asking for memory stats) works in any widget; each subclass adds its own traits and
Python conveniences. Widgets compose these tables; none inherits per-area mixins.
"""

from __future__ import annotations

import inspect
import threading
import traceback
import uuid
from collections.abc import Callable
from typing import Any

import anywidget
import ipywidgets
import traitlets

from ..api import OPERATIONS, FileResult, Operation
from ..errors import StudioError
from . import (  # noqa: F401  (register the methods)
    chat_methods,
    engine_methods,
    finetune_methods,
    flow_methods,
    improve_methods,
)
from .transport import WIDGET_METHODS, Call, asset, error_payload, plain, rpc

__all__ = ["StudioWidget", "asset", "rpc", "plain", "Call"]


def _operation_handler(op: Operation) -> Callable:
    def handler(self, **args):
        value = op.call(op.validate(args))
        self.after_operation(op.name)
        if isinstance(value, FileResult):  # a file: its description, the bytes as a message buffer
            return value.describe(), [value.content]
        return value

    handler._rpc_name = op.name
    # A blocking operation may wait (processes, HTTP): it runs in a background thread, the kernel stays free.
    handler._rpc_stream = op.blocking
    return handler


class StudioWidget(anywidget.AnyWidget):
    """Base of every Studio widget. Subclasses set `view` (the bundle name) and decorate handlers with `@rpc`."""

    view = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("ready").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs):
        self._calls: dict[str, Call] = {}
        self._calls_lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        super().__init__(**kwargs)
        self.on_msg(self._on_custom_msg)

    # -- dispatch table ------------------------------------------------------------------------------
    @classmethod
    def methods(cls) -> dict[str, Callable]:
        table = {name: _operation_handler(op) for name, op in OPERATIONS.items()} | WIDGET_METHODS
        for klass in reversed(cls.__mro__):
            for attr in vars(klass).values():
                name = getattr(attr, "_rpc_name", None)
                if name:
                    table[name] = attr
        return table

    def after_operation(self, name: str) -> None:
        """Called after an operation succeeded: widgets that show state it changes (EnginePanel) refresh here."""

    # -- transport -------------------------------------------------------------------------------------
    def post(self, content: dict, buffers: list[bytes] | None = None) -> None:
        # Background threads and the kernel thread may send at once: one message at a time on the comm.
        with self._send_lock:
            if self.comm is not None:
                ipywidgets.Widget.send(self, content, buffers=buffers)  # Chat.send is the chat API

    def _on_custom_msg(self, _widget, content, buffers) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind in ("call", "stream"):
            self.dispatch(
                str(content.get("id") or uuid.uuid4().hex),
                content.get("method"),
                content.get("args") or {},
                buffers,
            )
        elif kind == "cancel":
            self.cancel(str(content.get("id")))

    def dispatch(self, call_id: str, method: Any, args: dict, buffers=None) -> Call | None:
        """Run one call; its result (or error) is sent as a `result` message with the same id."""
        handler = self.methods().get(method) if isinstance(method, str) else None
        if handler is None:
            known = ", ".join(sorted(self.methods()))
            self.post(
                {
                    "type": "result",
                    "id": call_id,
                    "ok": False,
                    "error": {
                        "message": f"unknown method {method!r}; this widget knows: {known}",
                        "status": 404,
                    },
                }
            )
            return None
        if not isinstance(args, dict):
            self.post(
                {
                    "type": "result",
                    "id": call_id,
                    "ok": False,
                    "error": {"message": "args must be an object", "status": 400},
                }
            )
            return None
        call = Call(id=call_id, method=method, widget=self)
        if buffers:
            args = {**args, "buffers": [bytes(b) for b in buffers]}
        if handler._rpc_stream:
            with self._calls_lock:
                self._calls[call_id] = call
            thread = threading.Thread(
                target=self._run, args=(handler, call, args), daemon=True, name=f"sage-studio-{method}"
            )
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()
        else:
            self._run(handler, call, args)
        return call

    def _run(self, handler, call: Call, args: dict) -> Any:
        try:
            kwargs = dict(args)
            if "call" in inspect.signature(handler).parameters:
                kwargs["call"] = call
            value = handler(self, **kwargs)
            if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], list):
                value, buffers = value  # (json, [bytes...]) -> binary result
            else:
                buffers = None
            self.post({"type": "result", "id": call.id, "ok": True, "value": value}, buffers)
            return value
        except BaseException as exc:  # report every failure to the view; never kill the kernel thread
            if not isinstance(exc, StudioError | TypeError | ValueError):
                traceback.print_exc()
            self.post({"type": "result", "id": call.id, "ok": False, "error": error_payload(exc)})
            return exc
        finally:
            with self._calls_lock:
                self._calls.pop(call.id, None)

    def cancel(self, call_id: str) -> bool:
        with self._calls_lock:
            call = self._calls.get(call_id)
        if call is None:
            return False
        call.cancel()
        return True

    def cancel_all(self) -> None:
        with self._calls_lock:
            calls = list(self._calls.values())
        for call in calls:
            call.cancel()

    def join_calls(self, timeout: float | None = None) -> None:
        """Wait for background calls to finish (tests, scripts)."""
        for thread in list(self._threads):
            thread.join(timeout)

    @rpc("widget.state")
    def rpc_widget_state(self):
        """The synced traits a view reads (session_id, flow, task_id, ...), for views that ask instead of watching."""
        return {name: plain(getattr(self, name)) for name in self.keys if not name.startswith("_")}

    # -- Python-side use of the same table ------------------------------------------------------------
    def call(self, method: str, on_event: Callable[[dict], None] | None = None, **args) -> Any:
        """Run a transport method synchronously from Python (same code path as the view, events mirrored
        to the view under a fresh id). Raises the core's error instead of returning it."""
        handler = self.methods().get(method)
        if handler is None:
            raise KeyError(f"unknown method {method!r}")
        call = Call(id=f"py-{uuid.uuid4().hex[:12]}", method=method, widget=self, on_event=on_event)
        with self._calls_lock:
            self._calls[call.id] = call
        value = self._run(handler, call, args)
        if isinstance(value, BaseException):
            raise value
        return value

    def close(self):
        if hasattr(self, "_calls_lock"):
            self.cancel_all()
        super().close()
