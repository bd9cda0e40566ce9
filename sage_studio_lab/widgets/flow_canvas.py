"""`FlowCanvas`: edit a flow in the notebook. `.flow` is the live Python `Flow`: canvas edits replace it, and
assigning a Flow (or calling `.sync()` after changing it in place) redraws the canvas."""

from __future__ import annotations

import threading
from pathlib import Path

import traitlets

from .base import StudioWidget, asset
from .flow_methods import flow_json, run_flow, to_flow

EMPTY_FLOW = {"version": 1, "name": "Untitled flow", "nodes": [], "edges": []}


def _flow_to_json(value, _widget=None):
    if value is None:
        return dict(EMPTY_FLOW)
    return value if isinstance(value, dict) else flow_json(value)


def _flow_from_json(value, widget=None):
    # Keep the folder the flow came from, so relative document paths still resolve after a canvas edit.
    old = getattr(widget, "flow", None)
    flow = to_flow(value or dict(EMPTY_FLOW), base_dir=getattr(old, "base_dir", None))
    # The user's edit of a trusted flow on the canvas stays trusted; an untrusted one stays what its signature
    # says (moving its nodes does not make it trusted: trust it with the canvas's Trust button).
    if old is not None and old.is_trusted():
        flow.trusted = True
    return flow


class FlowCanvas(StudioWidget):
    _esm = asset("flow", "js")
    _css = asset("flow", "css")
    view = traitlets.Unicode("flow").tag(sync=True)
    flow = traitlets.Any(None).tag(sync=True, to_json=_flow_to_json, from_json=_flow_from_json)
    path = traitlets.Unicode("").tag(sync=True)  # the .sage-flow.json it was opened from, if any
    node_status = traitlets.Dict().tag(sync=True)  # node id -> pending|running|finished|failed
    node_errors = traitlets.Dict().tag(
        sync=True
    )  # node id -> the error of a failed node (the canvas shows it)
    outputs = traitlets.Dict().tag(sync=True)
    issues = traitlets.List().tag(sync=True)
    height = traitlets.Int(520).tag(sync=True)  # pixels of canvas in the output area

    def __init__(self, flow=None, **kwargs):
        path = ""
        if isinstance(flow, (str, Path)) and Path(flow).is_file():
            path = str(flow)
        super().__init__(flow=to_flow(flow if flow is not None else dict(EMPTY_FLOW)), path=path, **kwargs)

    @traitlets.observe("flow")
    def _sign_trusted(self, change) -> None:
        """A flow trusted here (built in Python, a template, the canvas's edit of a trusted flow) is signed, so
        the canvas shows it trusted and it opens trusted as a file after `save()`. A loaded file is not."""
        flow = change["new"]
        if flow is not None and flow.trusted is True:
            flow.trust()

    def sync(self) -> None:
        """Push in-place changes of `.flow` to the canvas."""
        self.send_state("flow")

    def validate(self) -> list[dict]:
        result = self.call("flow.validate", flow=flow_json(self.flow))
        self.issues = result["issues"]
        return self.issues

    def run(self, inputs=None, executor: str = "local", on_event=None) -> dict:
        """Run the flow; node status streams into the canvas while it runs. Returns the run's outputs
        (output name -> values). A string is the flow's `input`."""
        self._reset_run()

        def emit(event):
            self.post({"type": "event", "id": "python-run", "event": event})
            self._track(event)
            if on_event:
                on_event(event)

        result = run_flow(self.flow, inputs, emit, threading.Event(), executor=executor)
        self._after_run(result)
        if result["status"] != "succeeded":
            from ..errors import StudioError

            raise StudioError(f"the flow run {result['status']}: {result.get('error')}")
        return self.outputs

    def _reset_run(self) -> None:
        """A new run starts (from Python or the canvas): clear the last run's node states and outputs."""
        self.node_status, self.node_errors, self.outputs, self.status = {}, {}, {}, "running"

    def _track(self, event: dict) -> None:
        state = {
            "node_started": "running",
            "node_finished": "finished",
            "node_failed": "failed",
            "node_retry": "retrying",
            "node_skipped": "skipped",
        }.get(event.get("type", ""))
        if state and event.get("node_id"):
            self.node_status = {**self.node_status, event["node_id"]: state}
            if state == "failed":
                self.node_errors = {**self.node_errors, event["node_id"]: str(event.get("error") or "failed")}

    def _after_run(self, result: dict) -> None:
        self.outputs = result.get("outputs") or {}
        self.status = result["status"]

    def _flow_base_dir(self):
        return self.flow.base_dir

    def _current_flow(self):
        return self.flow

    def to_python(self) -> str:
        return self.flow.to_python()

    def save(self, path: str | Path | None = None) -> Path:
        target = self.flow.save(path or self.path or f"{self.flow.name or 'untitled'}.sage-flow.json")
        self.path = str(target)
        return target
