"""Flow operations: the operator palette, templates, saved flows, validation, trust, runs and Python export.

A run starts in the background and answers its id at once (202); its events stream (api/streams.py).
Trust (flow/trust.py): a flow created in the Studio is signed, an imported one is not (unless its signature
matches); an untrusted flow's Python references are validation issues and make a run a 403 before anything runs.
Runs use files only inside the `files_root` setting (the server: Jupyter's root_dir; else the current directory),
where the relative paths of a flow without a file resolve too.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import InvalidInput
from ..flow import Flow, debug
from ..flow.registry import palette
from ..flow.repository import FlowRepository
from ..flow.runs import get_run_manager
from ..flow.spec import parse_flow
from ..flow.spec import validate as issues_of
from ..flow.templates import list_templates
from ..flow.trust import is_signed, references, sign, trust_issues
from ..settings import get_settings
from .registry import operation

FLOW_ID = r"^[A-Za-z0-9_-]+$"
FlowJson = dict[str, Any]  # a React-Flow shaped flow: {name, nodes: [...], edges: [...]} (flow/spec.py)


class Operators(BaseModel):
    operators: list[dict[str, Any]]  # type, label, category, ports, config_schema (JSON Schema)


class Template(BaseModel):
    id: str
    name: str
    description: str
    flow: FlowJson


class Templates(BaseModel):
    templates: list[Template]


class FlowSummary(BaseModel):
    id: str
    name: str
    description: str
    nodes: int
    created_at: float
    updated_at: float
    trusted: bool = Field(description="signed by this user: may run Python references (flow/trust.py)")


class Flows(BaseModel):
    flows: list[FlowSummary]


class Issue(BaseModel, extra="allow"):
    message: str
    severity: Literal["error", "warning"]
    node_id: str | None = None
    edge_id: str | None = None
    code: str | None = None  # e.g. unknown_type, dangling_input, untrusted (flow/spec.py, flow/trust.py)


class SavedFlow(BaseModel, extra="allow"):
    id: str
    name: str
    flow: FlowJson
    trusted: bool = Field(description="signed by this user: may run Python references (flow/trust.py)")
    issues: list[Issue] | None = None  # after a save: what would stop it from running


class Reference(BaseModel):
    node_id: str
    reference: str  # a Python reference (module:function) or an env: secret


class TrustState(BaseModel):
    trusted: bool
    references: list[Reference] = Field(
        description="what in the flow only a trusted flow may use (an untrusted flow's run refuses them)"
    )


class FlowArg(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flow: Any = Field(description="the flow: a JSON object with nodes and edges")


class FlowRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flow_id: str = Field(pattern=FLOW_ID)


class SaveArgs(FlowArg, FlowRef):
    pass


class Validation(BaseModel):
    valid: bool
    issues: list[Issue]


class RunArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inputs: dict[str, Any] | str | None = None
    executor: Literal["local", "ray"] = "local"
    until: str | None = Field(
        None, max_length=200, description="run to here: only this node and what it needs"
    )
    rerun: str | None = Field(
        None, max_length=200, description="re-run this node on its upstream outputs of `from_run`"
    )
    from_run: str | None = Field(
        None, pattern=FLOW_ID, max_length=64, description="the earlier run `rerun` takes outputs from"
    )

    @model_validator(mode="after")
    def _one_debug_mode(self):
        if self.until and self.rerun:
            raise ValueError("give `until` (run to here) or `rerun` (re-run one node), not both")
        if bool(self.rerun) != bool(self.from_run):
            raise ValueError("`rerun` and `from_run` go together: the node to re-run and the run it re-uses")
        return self


class AdHocRunArgs(RunArgs):
    flow: Any


class SavedRunArgs(RunArgs, FlowRef):
    pass


class Started(BaseModel):
    run_id: str
    status: str
    flow_id: str | None = None


class RunsArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flow_id: str | None = Field(None, pattern=FLOW_ID)
    limit: int = Field(50, ge=1, le=500)


class FlowRunsArgs(FlowRef):
    limit: int = Field(50, ge=1, le=500)


class RunSummary(BaseModel):
    id: str
    flow_id: str | None
    status: str
    error: str | None
    executor: str
    started_at: float
    finished_at: float | None
    outputs: dict[str, Any]


class Runs(BaseModel):
    runs: list[RunSummary]


class RunRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_id: str = Field(pattern=FLOW_ID)


class NodeRef(RunRef):
    node_id: str = Field(min_length=1, max_length=200)


class NodeIO(BaseModel):
    node_id: str
    ran: bool
    inputs: dict[str, list[Any]]  # what each input port received (its upstream nodes' recorded outputs)
    outputs: dict[str, list[Any]]
    truncated: bool  # more messages passed than were recorded (flow/debug.py VALUES_PER_PORT)


class Run(BaseModel, extra="allow"):
    id: str
    status: str
    live: bool
    events: list[dict[str, Any]]


def _repo():
    return FlowRepository()


def _spec(raw: Any):
    if raw is None or raw == "":
        raise InvalidInput('the body must be a flow: {"nodes": [...], "edges": [...]}')
    return parse_flow(raw)


def _runs():
    return get_run_manager()


def _root() -> str:
    """The folder runs may use files in (the server sets `files_root` to Jupyter's root_dir)."""
    return get_settings().files_root or os.getcwd()


def _with_trust_issues(spec, issues: list, trusted: bool) -> list:
    return issues if trusted else issues + trust_issues(spec)


def _trust_state(spec) -> TrustState:
    return TrustState(trusted=is_signed(spec), references=references(spec))


@operation("flow.operators", "GET", "api/flow/operators", blocking=True)
def operators() -> Operators:
    """The operator palette: each operator's ports and config schema (built-ins and installed plugins)."""
    return Operators(operators=palette())


@operation("flow.templates", "GET", "api/flow/templates")
def templates() -> Templates:
    """Ready-made flows to start from."""
    return Templates(templates=list_templates())


@operation("flow.list", "GET", "api/flow/flows")
def list_flows() -> Flows:
    """Saved flows, most recently changed first."""
    return Flows(flows=_repo().list())


def _saved(spec, saved: dict) -> SavedFlow:
    issues = issues_of(spec)  # a work-in-progress flow may be saved; its issues come back with it
    return {**saved, "issues": _with_trust_issues(spec, issues, saved["trusted"])}


@operation("flow.create", "POST", "api/flow/flows", status=201, body="flow")
def create(args: FlowArg) -> SavedFlow:
    """Save a new flow made in the Studio: it is trusted (malformed: 400 and nothing stored)."""
    spec = _spec(args.flow)
    return _saved(spec, _repo().create(spec))


@operation("flow.import", "POST", "api/flow/flows/import", status=201, body="flow")
def import_flow(args: FlowArg) -> SavedFlow:
    """Save a `.sage-flow.json` file's flow as a new flow: not trusted unless its signature is this user's."""
    spec = _spec(args.flow)
    return _saved(spec, _repo().create(spec, sign=False))


@operation("flow.get", "GET", "api/flow/flows/{flow_id}")
def get(args: FlowRef) -> SavedFlow:
    """A saved flow."""
    return _repo().get(args.flow_id)


@operation("flow.save", "PUT", "api/flow/flows/{flow_id}", body="flow")
def save(args: SaveArgs) -> SavedFlow:
    """Replace a saved flow (its issues come back with it); a trusted flow stays trusted, an untrusted one not."""
    spec = _spec(args.flow)
    return _saved(spec, _repo().update(args.flow_id, spec))


@operation("flow.delete", "DELETE", "api/flow/flows/{flow_id}", status=204)
def delete(args: FlowRef) -> None:
    """Delete a saved flow (its run history stays)."""
    _repo().delete(args.flow_id)


@operation("flow.validate", "POST", "api/flow/validate", body="flow")
def validate(args: FlowArg) -> Validation:
    """Check a flow without running it: 400 listing every issue (per node/edge) when it cannot run."""
    spec = _spec(args.flow)
    issues = _with_trust_issues(spec, issues_of(spec), is_signed(spec))
    errors = [i for i in issues if i["severity"] == "error"]
    if errors:
        raise InvalidInput(f"the flow has {len(errors)} problem(s): {errors[0]['message']}", issues=issues)
    return Validation(valid=True, issues=issues)


@operation("flow.trust_status", "POST", "api/flow/trust-status", body="flow")
def trust_status(args: FlowArg) -> TrustState:
    """Whether this user trusts the flow, and what in it only a trusted flow may use."""
    return _trust_state(_spec(args.flow))


@operation("flow.trust", "POST", "api/flow/trust", body="flow")
def trust(args: FlowArg) -> TrustState:
    """Trust a flow (e.g. a file opened from elsewhere): sign it for this user, so it may run Python references
    wherever it is opened. Moving its nodes keeps it trusted; changing what it does needs trusting again."""

    spec = _spec(args.flow)
    sign(spec)
    return _trust_state(spec)


@operation("flow.trust_saved", "POST", "api/flow/flows/{flow_id}/trust")
def trust_saved(args: FlowRef) -> SavedFlow:
    """Trust a saved flow (an import): sign its current version."""
    return _repo().trust(args.flow_id)


@operation("flow.export_python", "POST", "api/flow/export-python", body="flow", media_type="text/x-python")
def export_python(args: FlowArg) -> str:
    """The flow as a runnable Python script that uses the public API."""
    return Flow(spec=_spec(args.flow)).to_python()


@operation(
    "flow.export_saved_python", "GET", "api/flow/flows/{flow_id}/export-python", media_type="text/x-python"
)
def export_saved_python(args: FlowRef) -> str:
    """A saved flow as a runnable Python script."""
    return Flow.from_store(args.flow_id).to_python()


@operation("flow.start", "POST", "api/flow/run", status=202)
def start(args: AdHocRunArgs) -> Started:
    """Run a flow from the canvas without saving it: answers the run id at once."""
    root = _root()
    flow = Flow(spec=_spec(args.flow), base_dir=root, root_dir=root)  # trusted when its signature matches
    flow = _focus(flow, args)
    return Started(run_id=_runs().start(flow, args.inputs, executor=args.executor), status="running")


@operation("flow.start_saved", "POST", "api/flow/flows/{flow_id}/run", status=202)
def start_saved(args: SavedRunArgs) -> Started:
    """Run a saved flow: answers the run id at once."""
    flow = Flow.from_store(args.flow_id)
    flow.base_dir = flow.root_dir = _root()
    flow = _focus(flow, args)
    run_id = _runs().start(flow, args.inputs, flow_id=args.flow_id, executor=args.executor)
    return Started(run_id=run_id, flow_id=args.flow_id, status="running")


def _focus(flow: Flow, args: RunArgs) -> Flow:
    """Run to here / re-run one node on the outputs of an earlier run (flow/debug.py)."""
    return flow.focus(until=args.until, rerun=args.rerun, from_run=args.from_run)


def _history(flow_id: str | None, limit: int) -> Runs:
    repo = _repo()
    if flow_id:
        repo.get(flow_id)  # 404 for an unknown flow
    repo.mark_interrupted(_runs().live_ids())
    return Runs(runs=repo.runs(flow_id, limit=limit))


@operation("flow.runs", "GET", "api/flow/runs")
def runs(args: RunsArgs) -> Runs:
    """Past and running runs, newest first (of one flow with `flow_id`)."""
    return _history(args.flow_id, args.limit)


@operation("flow.flow_runs", "GET", "api/flow/flows/{flow_id}/runs")
def flow_runs(args: FlowRunsArgs) -> Runs:
    """The runs of one saved flow, newest first."""
    return _history(args.flow_id, args.limit)


@operation("flow.run_get", "GET", "api/flow/runs/{run_id}")
def run(args: RunRef) -> Run:
    """One run: its flow, inputs, outputs, status and every event it recorded."""
    repo = _repo()
    record = repo.run(args.run_id)
    return {**record, "live": _runs().is_live(args.run_id), "events": repo.events(args.run_id)}


@operation("flow.node_io", "GET", "api/flow/runs/{run_id}/nodes/{node_id}")
def node_io(args: NodeRef) -> NodeIO:
    """What one node received and emitted in a recorded run (replayed from its events)."""
    repo = _repo()
    record = repo.run(args.run_id)
    return debug.node_io(parse_flow(record["flow"]), repo.events(args.run_id), args.node_id)


@operation("flow.cancel", "POST", "api/flow/runs/{run_id}/cancel", status=202)
def cancel(args: RunRef) -> dict[str, Any]:
    """Stop a running flow (at the next node boundary)."""
    return _runs().cancel(args.run_id)
