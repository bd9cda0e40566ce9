"""Flow JSON (React-Flow shaped) and its validation into per-node / per-edge issues.

{"version": 1, "name": "...", "nodes": [{"id", "type", "position": {x, y}, "data": {"label", "config"}}],
 "edges": [{"id", "source", "sourceHandle", "target", "targetHandle"}]}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InvalidInput
from ..request_json import parse_json
from .registry import Operator, get_operator, ports_compatible

FLOW_VERSION = 1
FILE_SUFFIX = ".sage-flow.json"


class NodeData(BaseModel):
    model_config = ConfigDict(extra="allow")
    label: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)


class NodeSpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1)
    position: dict[str, float] = Field(default_factory=lambda: {"x": 0.0, "y": 0.0})
    data: NodeData = Field(default_factory=NodeData)


class EdgeSpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str | None = None
    source: str
    target: str
    sourceHandle: str | None = None  # noqa: N815 - React-Flow's names
    targetHandle: str | None = None  # noqa: N815


class FlowSpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    version: int = FLOW_VERSION
    id: str | None = None
    name: str = "Untitled flow"
    description: str = ""
    nodes: list[NodeSpec] = Field(default_factory=list)
    edges: list[EdgeSpec] = Field(default_factory=list)


def parse_flow(data: Any) -> FlowSpec:
    """A FlowSpec from a dict / JSON text; InvalidInput naming what is wrong otherwise."""
    if isinstance(data, (str, bytes)):
        try:
            data = parse_json(data)  # the one parser of request JSON (its limits: never a 500 later)
        except InvalidInput as exc:
            raise InvalidInput(f"flow is not valid JSON: {exc.message}") from exc
    if not isinstance(data, dict):
        raise InvalidInput("a flow is a JSON object with `nodes` and `edges`")
    try:
        spec = FlowSpec.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:8])
        raise InvalidInput(f"invalid flow: {problems}") from exc
    if spec.version > FLOW_VERSION:
        raise InvalidInput(
            f"flow version {spec.version} is newer than this Studio understands ({FLOW_VERSION})"
        )
    for i, edge in enumerate(spec.edges):  # React-Flow edges may lack ids; handles default to the first port
        edge.id = edge.id or f"e{i}-{edge.source}-{edge.target}"
    return spec


def load_flow_file(path: str | Path) -> FlowSpec:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read flow file {path}: {exc.strerror}") from exc
    return parse_flow(text)


def issue(
    message: str,
    node: str | None = None,
    edge: str | None = None,
    field: str | None = None,
    code: str = "invalid",
    severity: str = "error",
) -> dict:
    return {
        "node_id": node,
        "edge_id": edge,
        "field": field,
        "code": code,
        "severity": severity,
        "message": message,
    }


def node_config(node: NodeSpec, op: type[Operator]) -> dict:
    return {**op.defaults(), **node.data.config}


def resolve_handles(spec: FlowSpec) -> None:
    """Fill missing edge handles with the node's only port (React-Flow omits them for single handles)."""
    nodes = {n.id: n for n in spec.nodes}
    for e in spec.edges:
        for end, attr, side in (
            (e.source, "sourceHandle", "output_ports"),
            (e.target, "targetHandle", "input_ports"),
        ):
            node = nodes.get(end)
            op = get_operator(node.type) if node else None
            if getattr(e, attr) is None and op is not None:
                ports = getattr(op, side)(node_config(node, op))
                if len(ports) >= 1:
                    setattr(e, attr, ports[0].name)


def _check_field(f, value) -> str | None:
    if value is None or value == "":
        return f"{f.name} is required" if f.required else None
    kinds = {"integer": int, "number": (int, float), "boolean": bool}
    if f.type in kinds and (
        not isinstance(value, kinds[f.type]) or (f.type != "boolean" and isinstance(value, bool))
    ):
        return f"{f.name} must be {'an' if f.type == 'integer' else 'a'} {f.type}"
    if f.type in ("string", "text", "code", "secret", "select") and not isinstance(value, str):
        return f"{f.name} must be a string"
    if f.min is not None and isinstance(value, (int, float)) and value < f.min:
        return f"{f.name} must be ≥ {f.min:g}"
    if f.max is not None and isinstance(value, (int, float)) and value > f.max:
        return f"{f.name} must be ≤ {f.max:g}"
    if f.type == "select" and f.options and value not in f.options:
        return f"{f.name} must be one of {', '.join(map(str, f.options))}"
    return None


def validate(spec: FlowSpec) -> list[dict]:
    """Every problem of the flow, each naming its node/edge: the canvas highlights them. Empty = runnable."""
    from .registry import COMMON_FIELDS

    issues: list[dict] = []
    nodes: dict[str, NodeSpec] = {}
    ops: dict[str, type[Operator]] = {}
    if not spec.nodes:
        issues.append(issue("the flow has no nodes", code="empty"))
    for node in spec.nodes:
        if node.id in nodes:
            issues.append(issue(f"duplicate node id {node.id!r}", node=node.id, code="duplicate_id"))
            continue
        nodes[node.id] = node
        op = get_operator(node.type)
        if op is None:
            issues.append(issue(f"unknown operator type {node.type!r}", node=node.id, code="unknown_type"))
            continue
        ops[node.id] = op
        config = node_config(node, op)
        for f in [*op.config_schema, *COMMON_FIELDS]:
            problem = _check_field(f, config.get(f.name))
            if problem:
                code = "missing_config" if "required" in problem else "bad_config"
                issues.append(issue(problem, node=node.id, field=f.name, code=code))
        try:
            extra = op.check_config(config)
        except Exception as exc:  # a plugin's checker must not break validation
            extra = [f"config check failed: {exc}"]
        issues += [issue(msg, node=node.id, code="bad_config") for msg in extra]

    resolve_handles(spec)
    incoming: dict[tuple[str, str], int] = {}
    adjacency: dict[str, list[str]] = {n: [] for n in nodes}
    for e in spec.edges:
        bad = False
        for end, role in ((e.source, "source"), (e.target, "target")):
            if end not in nodes:
                issues.append(issue(f"edge {role} {end!r} is not a node", edge=e.id, code="dangling_edge"))
                bad = True
        if bad or e.source not in ops or e.target not in ops:
            continue
        src_ports = {
            p.name: p for p in ops[e.source].output_ports(node_config(nodes[e.source], ops[e.source]))
        }
        dst_ports = {
            p.name: p for p in ops[e.target].input_ports(node_config(nodes[e.target], ops[e.target]))
        }
        out_p, in_p = src_ports.get(e.sourceHandle or ""), dst_ports.get(e.targetHandle or "")
        if out_p is None:
            issues.append(
                issue(
                    f"{e.source} has no output port {e.sourceHandle!r} (has: {', '.join(src_ports) or 'none'})",
                    node=e.source,
                    edge=e.id,
                    code="unknown_port",
                )
            )
        if in_p is None:
            issues.append(
                issue(
                    f"{e.target} has no input port {e.targetHandle!r} (has: {', '.join(dst_ports) or 'none'})",
                    node=e.target,
                    edge=e.id,
                    code="unknown_port",
                )
            )
        if out_p and in_p and not ports_compatible(out_p.type, in_p.type):
            issues.append(
                issue(
                    f"port types do not match: {e.source}.{out_p.name} gives {out_p.type}, "
                    f"{e.target}.{in_p.name} takes {in_p.type}",
                    edge=e.id,
                    node=e.target,
                    code="type_mismatch",
                )
            )
        if in_p:
            incoming[(e.target, in_p.name)] = incoming.get((e.target, in_p.name), 0) + 1
        if e.source == e.target:
            issues.append(issue("an edge connects a node to itself", node=e.source, edge=e.id, code="cycle"))
        adjacency[e.source].append(e.target)

    for node_id, op in ops.items():
        for p in op.input_ports(node_config(nodes[node_id], op)):
            if p.required and not incoming.get((node_id, p.name)):
                issues.append(
                    issue(
                        f"input {p.name!r} is not connected",
                        node=node_id,
                        field=p.name,
                        code="dangling_input",
                    )
                )

    for cycle in find_cycles(adjacency):
        issues.append(issue(f"cycle: {' → '.join([*cycle, cycle[0]])}", node=cycle[0], code="cycle"))
    return issues


def find_cycles(adjacency: dict[str, list[str]]) -> list[list[str]]:
    """One representative cycle per strongly connected component with more than one node."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = [0]

    def strong(v):  # Tarjan, iterative enough for flows of a few hundred nodes
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in adjacency.get(v, []):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(list(reversed(comp)))

    for v in adjacency:
        if v not in index:
            strong(v)
    return out


def topological_order(spec: FlowSpec) -> list[str]:
    indeg = {n.id: 0 for n in spec.nodes}
    for e in spec.edges:
        indeg[e.target] = indeg.get(e.target, 0) + 1
    ready = [n.id for n in spec.nodes if indeg[n.id] == 0]
    order = []
    while ready:
        v = ready.pop(0)
        order.append(v)
        for e in spec.edges:
            if e.source == v:
                indeg[e.target] -= 1
                if indeg[e.target] == 0:
                    ready.append(e.target)
    return order
