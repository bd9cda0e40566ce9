"""The public Python API: `Flow.load(path)`, `flow.validate()`, `flow.run(inputs)`, `flow.stream(inputs)`,
`flow.to_python()`, plus a small builder (`add_node`, `connect`) that exported scripts use."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..aio import run_sync
from ..errors import InvalidInput
from . import debug
from .events import NotRecordable, check_recordable, jsonable, preview  # noqa: F401 - flow.jsonable: its old home
from .executor import LocalExecutor
from .repository import FlowRepository
from .spec import FILE_SUFFIX, EdgeSpec, FlowSpec, NodeData, NodeSpec, load_flow_file, parse_flow, validate

RECORD_BATCH = 50


def recordable_inputs(inputs: dict) -> None:
    """InvalidInput unless a run's inputs can be recorded (a preview of them is; see flow/events.py)."""
    try:
        check_recordable(preview(inputs, 4000))
    except NotRecordable as exc:
        raise InvalidInput(f"the inputs cannot be recorded as JSON: {exc}") from None


def normalise_inputs(inputs: Any) -> dict:
    """A plain string is the `input` of the flow; a dict maps input names (or node ids) to values."""
    if inputs is None:
        return {}
    if isinstance(inputs, dict):
        return dict(inputs)
    return {"input": inputs}


class RunOutputs(dict):
    """A run's outputs by output name (a dict); called with a node id, what that node emitted, by port:
    `run.outputs("split")` -> `{"out": [...]}` (recorded with its `node_finished` event; flow/debug.py)."""

    def __init__(self, outputs: dict, nodes: dict[str, dict[str, list]]):
        super().__init__(outputs)
        self.nodes = nodes

    def __call__(self, node_id: str, port: str | None = None):
        if node_id not in self.nodes:
            ran = ", ".join(sorted(self.nodes)) or "none"
            raise KeyError(f"node {node_id!r} did not run in this run (nodes that ran: {ran})")
        ports = self.nodes[node_id]
        return ports if port is None else ports.get(port, [])


@dataclass
class RunResult:
    run_id: str
    status: str
    outputs: RunOutputs
    error: str | None = None
    events: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"

    def value(self, name: str | None = None):
        """The last value that reached output `name` (default: the only / first output)."""
        if not self.outputs:
            return None
        values = self.outputs[name] if name else next(iter(self.outputs.values()))
        return values[-1] if values else None

    def to_variable(self, name: str, node_id: str | None = None, port: str | None = None, namespace=None):
        """Put a node's output (default: `value()`) into a notebook variable — the kernel's namespace
        (`__main__`) unless `namespace` is given — and return it. One value is itself, several a list."""
        if not name.isidentifier():
            raise InvalidInput(f"{name!r} is not a Python variable name")
        if node_id is None:
            value = self.value()
        else:
            ports = self.outputs(node_id)
            values = (
                ports.get(port, [])
                if port
                else (next(iter(ports.values()), []) if len(ports) == 1 else ports)
            )
            value = values[0] if isinstance(values, list) and len(values) == 1 else values
        (sys.modules["__main__"].__dict__ if namespace is None else namespace)[name] = value
        return value


class Flow:
    """A flow and how it may run.

    `trusted`: True / False, or None = by signature (flow/trust.py) when it runs. A flow built in Python
    (`Flow()` + `add_node`) and a shipped template are trusted; one loaded from a file, a dict or the store is
    trusted when the user signed it. `root_dir`: the folder its file operators may use (flow/policy.py); None =
    the `files_root` setting (the server sets it to its root_dir), else anywhere for a trusted flow and the
    current directory for an untrusted one.
    """

    def __init__(
        self,
        name: str = "Untitled flow",
        spec: FlowSpec | None = None,
        base_dir: str | Path | None = None,
        trusted: bool | None = None,
        root_dir: str | Path | None = None,
    ):
        self.trusted = True if spec is None and trusted is None else trusted
        self.spec = spec or FlowSpec(name=name)
        self.base_dir = str(base_dir) if base_dir is not None else None
        self.root_dir = str(root_dir) if root_dir is not None else None
        self._active: LocalExecutor | None = None
        # The outputs of the last run streamed here as the Python objects themselves (events carry JSON copies).
        self.last_outputs: dict[str, list] = {}
        self.last_node_values: dict[str, dict[str, list]] = {}  # what each node emitted then (JSON form)

    # -- constructing ------------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path, trusted: bool | None = None) -> Flow:
        path = Path(path)
        return cls(spec=load_flow_file(path), base_dir=path.resolve().parent, trusted=trusted)

    @classmethod
    def from_dict(
        cls, data: dict | str, base_dir: str | Path | None = None, trusted: bool | None = None
    ) -> Flow:
        return cls(spec=parse_flow(data), base_dir=base_dir, trusted=trusted)

    @classmethod
    def from_store(cls, flow_id: str, user: str | None = None) -> Flow:
        return cls(spec=FlowRepository(user).spec(flow_id))

    @classmethod
    def template(cls, name: str) -> Flow:
        from .templates import read_template

        text, base_dir = read_template(name)
        return cls.from_dict(text, base_dir=base_dir, trusted=True)  # shipped with the Studio

    # -- trust ------------------------------------------------------------------------------------------
    def is_trusted(self, user: str | None = None) -> bool:
        from .trust import is_signed

        return self.trusted if self.trusted is not None else is_signed(self.spec, user)

    def trust(self, user: str | None = None) -> None:
        """Trust this flow (sign it for the user): it may run Python references from now on, here and wherever
        the same flow is opened."""
        from .trust import sign

        sign(self.spec, user)
        self.trusted = True

    @property
    def name(self) -> str:
        return self.spec.name

    def add_node(
        self,
        type: str,
        id: str | None = None,
        label: str | None = None,
        position: tuple[float, float] | None = None,
        **config,
    ) -> str:
        node_id = id or f"{type}_{len(self.spec.nodes) + 1}"
        x, y = position or (len(self.spec.nodes) * 220.0, 0.0)
        self.spec.nodes.append(
            NodeSpec(
                id=node_id, type=type, position={"x": x, "y": y}, data=NodeData(label=label, config=config)
            )
        )
        return node_id

    def connect(
        self, source: str, target: str, source_port: str | None = None, target_port: str | None = None
    ) -> None:
        self.spec.edges.append(
            EdgeSpec(
                id=f"e{len(self.spec.edges)}-{source}-{target}",
                source=source,
                target=target,
                sourceHandle=source_port,
                targetHandle=target_port,
            )
        )

    def to_dict(self) -> dict:
        return self.spec.model_dump(mode="json", exclude_none=False)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        if not path.name.endswith(FILE_SUFFIX) and path.suffix != ".json":
            path = path.with_name(path.name + FILE_SUFFIX)
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if self.is_trusted():  # saved by its user from the Studio: the file opens trusted again
            self.trust()
        return path

    # -- checking -------------------------------------------------------------------------------------
    def validate(self) -> list[dict]:
        """Every problem, per node/edge; an untrusted flow's Python references are problems too."""
        from .trust import trust_issues

        return validate(self.spec) + ([] if self.is_trusted() else trust_issues(self.spec))

    # -- debugging like a notebook (flow/debug.py) -----------------------------------------------------------
    def pin(self, node_id: str, outputs: dict[str, list]) -> None:
        """Pin a node's outputs (port -> values): runs use them instead of running the node and its feeders."""
        node = next((n for n in self.spec.nodes if n.id == node_id), None)
        if node is None:
            raise InvalidInput(f"the flow has no node {node_id!r}")
        if not isinstance(outputs, dict) or not all(isinstance(v, list) for v in outputs.values()):
            raise InvalidInput(f"node {node_id!r}: `pinned` must map each output port to a list of values")
        node.data.pinned = {str(k): list(v) for k, v in outputs.items()}

    def unpin(self, node_id: str) -> None:
        for n in self.spec.nodes:
            if n.id == node_id and n.data.model_extra:
                n.data.model_extra.pop("pinned", None)

    def focus(
        self, until: str | None = None, rerun: str | None = None, from_run=None, user: str | None = None
    ):
        """The sub-flow that *run to here* (`until`: the node and its ancestors) or *re-run this node* (`rerun`:
        on what its upstream nodes emitted in `from_run` — a RunResult, a recorded run id, or by default this
        flow's last run) runs. It keeps this flow's trust and folders."""
        if rerun:
            if isinstance(from_run, RunResult):
                recorded = from_run.outputs.nodes
            elif from_run:
                repo = FlowRepository(user)
                repo.run(from_run)  # 404 for an unknown run
                recorded = debug.node_values(repo.events(from_run))
            elif self.last_node_values:
                recorded = self.last_node_values
            else:
                raise InvalidInput("no earlier run to take the upstream outputs from: run the flow first")
            spec = debug.rerun(self.spec, rerun, recorded)
        elif until:
            spec = debug.until(self.spec, until)
        else:
            return self
        return Flow(spec=spec, base_dir=self.base_dir, trusted=self.is_trusted(user), root_dir=self.root_dir)

    # -- running --------------------------------------------------------------------------------------
    def _executor(self, executor: str, **options) -> LocalExecutor:
        """The run's executor over its own copy of the spec, stamped with the run's policy (flow/policy.py);
        403 before anything runs when an untrusted flow uses a Python reference."""
        from ..settings import get_settings
        from .policy import RunPolicy, stamp, template_dirs
        from .trust import require_runnable

        trusted = self.is_trusted(options.get("user"))
        require_runnable(self.spec, trusted)
        root = self.root_dir or get_settings().files_root or (None if trusted else os.getcwd())
        spec = self.spec.model_copy(deep=True)
        stamp(spec, RunPolicy(trusted, (str(Path(root).resolve()),) if root else None, template_dirs()))
        base_dir = self.base_dir or root
        if executor == "ray":
            from .ray_executor import RayExecutor

            return RayExecutor(spec, base_dir=base_dir, **options)
        if executor != "local":
            raise InvalidInput(f"executor must be 'local' or 'ray', not {executor!r}")
        return LocalExecutor(spec, base_dir=base_dir, **options)

    async def stream(
        self,
        inputs: Any = None,
        executor: str = "local",
        record: bool = True,
        flow_id: str | None = None,
        run_id: str | None = None,
        user: str | None = None,
        recorded: bool = False,
        record_tokens: bool = True,
        **options,
    ) -> AsyncIterator[dict]:
        """Run and yield each event as it happens; runs are recorded in the store unless record=False
        (`recorded`: the caller has already written the run's row, e.g. RunManager before answering its id;
        `record_tokens=False`: token events are yielded but not stored — the answer is in the node's outputs)."""
        inputs = normalise_inputs(inputs)
        if record and not recorded:
            recordable_inputs(inputs)
        ex = self._executor(executor, user=user, **options)
        self._active = ex
        repo = FlowRepository(user) if record else None
        batch: list[dict] = []
        started, finished = recorded, False
        try:
            async for ev in ex.stream(inputs, run_id=run_id):
                if ev["type"] == "node_finished":
                    self.last_node_values[ev["node_id"]] = ev.get("values") or {}
                elif ev["type"] == "run_started":
                    self.last_node_values = {}
                if ev["type"] == "run_finished":
                    self.last_outputs = ex.outputs
                    ev["outputs"] = (
                        ex.recorded_outputs
                    )  # the sinks' inputs in JSON form (checked as they came)
                if repo is not None:
                    # Store writes in a worker thread: the loop may be the server's, and SQLite may wait on a lock.
                    if not started:
                        started = True
                        await asyncio.to_thread(
                            repo.start_run, ev["run_id"], self.spec, inputs, ex.kind, flow_id or self.spec.id
                        )
                    if record_tokens or ev["type"] != "token":
                        batch.append(ev)
                    if len(batch) >= RECORD_BATCH or ev["type"] in ("run_finished", "node_failed"):
                        written, batch = batch, []
                        await asyncio.to_thread(repo.add_events, ev["run_id"], written)
                    if ev["type"] == "run_finished":
                        finished = True
                        await asyncio.to_thread(
                            repo.finish_run, ev["run_id"], ex.status, ev["outputs"], ex.error
                        )
                yield ev
        finally:
            self._active = None
            ex.cancel()  # the consumer left early (break / aclose): stop the run instead of leaving it going
            # (the executor may have got further, even to its end, than the consumer, who saw no run_finished)
            if repo is not None and started and not finished:
                repo.add_events(ex.run_id, batch)
                repo.finish_run(ex.run_id, "cancelled", ex.recorded_outputs, "the consumer stopped the run")

    async def arun(self, inputs: Any = None, **kwargs) -> RunResult:
        events = []
        async for ev in self.stream(inputs, **kwargs):
            events.append(ev)
        last = events[-1]
        return RunResult(
            run_id=last["run_id"],
            status=last["status"],
            outputs=RunOutputs(last["outputs"], debug.node_values(events)),
            error=last.get("error"),
            events=events,
        )

    def run(
        self, inputs: Any = None, until: str | None = None, rerun: str | None = None, from_run=None, **kwargs
    ) -> RunResult:
        """Run to the end and return the outputs. Works inside a running event loop too (a notebook).
        `until="node"`: run only what that node needs; `rerun="node"`: run that node again on its upstream
        outputs of `from_run` (default: the last run of this flow). See `focus`."""
        if until or rerun:
            focused = self.focus(until=until, rerun=rerun, from_run=from_run, user=kwargs.get("user"))
            kwargs.setdefault("flow_id", self.spec.id)
            result = focused.run(inputs, **kwargs)
            self.last_node_values = {**self.last_node_values, **focused.last_node_values}
            self.last_outputs = focused.last_outputs
            return result
        return run_sync(self.arun(inputs, **kwargs))

    def cancel(self) -> None:
        if self._active is not None:
            self._active.cancel()

    # -- exporting ------------------------------------------------------------------------------------
    def to_python(self) -> str:
        from .export import to_python

        return to_python(self.spec, self.base_dir)
