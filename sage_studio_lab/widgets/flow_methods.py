"""Flow methods of the transport (`flow.*`), answered by the flow runtime in the kernel."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from ..aio import run_sync, when_set
from .transport import plain, widget_method


def to_flow(data, base_dir: str | None = None):
    """A `Flow` from React-Flow JSON (dict or text), a `.sage-flow.json` path, a template name, or a Flow."""
    from ..flow import Flow

    if isinstance(data, Flow):
        return data
    if isinstance(data, dict):
        return Flow.from_dict(data, base_dir=base_dir)
    text = str(data)
    if text.lstrip().startswith("{"):
        return Flow.from_dict(text, base_dir=base_dir)
    if Path(text).exists() or text.endswith(".json"):
        return Flow.load(text)  # a missing file raises the core's clear error
    return Flow.template(text)


def flow_json(flow) -> dict:
    return plain(flow.to_dict())


def run_flow(flow, inputs, emit, cancelled: threading.Event, executor: str = "local") -> dict:
    """Run `flow`, `emit`ting each event as it happens; returns `{run_id, status, outputs, error}`.
    Setting `cancelled` cancels the run (the runtime then ends it with a cancelled status)."""
    result: dict = {"run_id": None, "status": "running", "outputs": {}, "error": None}

    async def consume():
        watcher = asyncio.ensure_future(when_set(cancelled, flow.cancel))  # cancels on the run's own loop
        try:
            async for event in flow.stream(inputs, executor=executor):
                event = plain(event)
                result["run_id"] = result["run_id"] or event.get("run_id")
                if event.get("type") == "run_finished":
                    result.update(
                        status=event.get("status", "succeeded"),
                        outputs=event.get("outputs") or {},
                        error=event.get("error"),
                    )
                emit(event)
        finally:
            watcher.cancel()

    run_sync(consume())
    if cancelled.is_set() and result["status"] == "running":
        result["status"] = "cancelled"
    return result


def _canvas_flow(widget):
    """The flow a canvas widget shows (FlowCanvas), for calls that name none."""
    current = getattr(widget, "_current_flow", None)
    if current is None:
        from ..errors import InvalidInput

        raise InvalidInput("pass the flow to run: {flow: {...}}")
    return current()


@widget_method("flow.run", stream=True)
def flow_run(
    widget,
    flow: dict | None = None,
    inputs=None,
    executor: str = "local",
    until: str | None = None,
    rerun: str | None = None,
    from_run: str | None = None,
    call=None,
):
    # Relative paths in a flow (documents) resolve next to the file it came from (a FlowCanvas knows it).
    base_dir = getattr(widget, "_flow_base_dir", lambda: None)()
    target = to_flow(flow, base_dir=base_dir) if flow is not None else _canvas_flow(widget)
    target = target.focus(until=until, rerun=rerun, from_run=from_run)  # run to here / re-run one node
    track = getattr(widget, "_track", None)
    reset = getattr(widget, "_reset_run", None)
    if reset:
        reset()

    def emit(event):
        call.emit(event)
        if track:
            track(event)

    result = run_flow(target, inputs or {}, emit, call.cancelled, executor=executor)
    after_run = getattr(widget, "_after_run", None)
    if after_run:
        after_run(result)
    if call.cancelled.is_set():
        return {**result, "cancelled": True}
    return result


@widget_method("flow.export_python")
def flow_export_python(widget, flow: dict | None = None):
    """The operation, with the canvas's own flow when the view names none."""
    from ..api import invoke

    return invoke(
        "flow.export_python", {"flow": flow if flow is not None else flow_json(_canvas_flow(widget))}
    )


@widget_method("flow.to_variable")
def flow_to_variable(widget, run_id: str, node_id: str, name: str, port: str | None = None):
    """A node's output of a recorded run into a variable of this kernel (the notebook's namespace)."""
    from ..api import invoke
    from ..flow.flow import RunOutputs, RunResult

    io = invoke("flow.node_io", {"run_id": run_id, "node_id": node_id})
    result = RunResult(run_id, "succeeded", RunOutputs({}, {node_id: io["outputs"]}))
    value = result.to_variable(name, node_id, port)
    return {"name": name, "type": type(value).__name__}
