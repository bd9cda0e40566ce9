"""Debugging a flow like a notebook: run up to a node, re-run one node on the upstream outputs of an earlier run,
pin a node's output, and read any node's inputs and outputs of a past run.

- Every node's outputs are recorded with its `node_finished` event (`values`: port -> JSON values, at most
  `VALUES_PER_PORT` per port and about `VALUES_CHARS` characters per node; `values_truncated` says when cut), so a run
  is replayable from its stored events alone.
- A *pinned* node (`data.pinned`: port -> values, as n8n pins data) emits those values instead of running, and the
  nodes that only feed pinned nodes do not run at all (`prune_pinned`).
- *Run to here* keeps the node and its ancestors (`until`); *re-run this node* is that sub-flow with the node's direct
  upstream nodes pinned to what they emitted in an earlier run (`rerun`).
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidInput, NotFound
from .spec import FlowSpec, resolve_handles

VALUES_PER_PORT = 100
VALUES_CHARS = 1_000_000


def _node_ids(spec: FlowSpec) -> set[str]:
    return {n.id for n in spec.nodes}


def _require(spec: FlowSpec, node_id: str) -> None:
    if node_id not in _node_ids(spec):
        raise NotFound(f"the flow has no node {node_id!r}")


def pins(spec: FlowSpec) -> dict[str, dict[str, list]]:
    """The pinned outputs of the flow's nodes: node id -> port -> values."""
    out = {}
    for n in spec.nodes:
        pinned = (n.data.model_extra or {}).get("pinned")
        if pinned is not None:
            if not isinstance(pinned, dict) or not all(isinstance(v, list) for v in pinned.values()):
                raise InvalidInput(f"node {n.id!r}: `pinned` must map each output port to a list of values")
            out[n.id] = pinned
    return out


def ancestors(spec: FlowSpec, node_id: str) -> set[str]:
    """Every node whose output can reach `node_id` (not the node itself)."""
    parents: dict[str, set[str]] = {}
    for e in spec.edges:
        parents.setdefault(e.target, set()).add(e.source)
    seen: set[str] = set()
    todo = list(parents.get(node_id, ()))
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(parents.get(n, ()))
    return seen


def _keep(spec: FlowSpec, keep: set[str]) -> FlowSpec:
    out = spec.model_copy(deep=True)
    out.nodes = [n for n in out.nodes if n.id in keep]
    out.edges = [e for e in out.edges if e.source in keep and e.target in keep]
    return out


def until(spec: FlowSpec, node_id: str) -> FlowSpec:
    """*Run to here*: the node and what it needs (its ancestors)."""
    _require(spec, node_id)
    return _keep(spec, ancestors(spec, node_id) | {node_id})


def prune_pinned(spec: FlowSpec) -> FlowSpec:
    """Drop the edges into pinned nodes, then the nodes that fed nothing else (they would run for nothing)."""
    pinned = set(pins(spec))
    if not pinned:
        return spec
    out = spec.model_copy(deep=True)
    feeds = {n.id: sum(e.source == n.id for e in out.edges) for n in out.nodes}
    out.edges = [e for e in out.edges if e.target not in pinned]
    while True:
        sources = {e.source for e in out.edges}
        idle = {n.id for n in out.nodes if feeds[n.id] and n.id not in sources and n.id not in pinned}
        if not idle:
            return out
        out.nodes = [n for n in out.nodes if n.id not in idle]
        out.edges = [e for e in out.edges if e.source not in idle and e.target not in idle]


def node_values(events: list[dict]) -> dict[str, dict[str, list]]:
    """What each node emitted in a run, from its events: node id -> port -> values."""
    return {ev["node_id"]: ev.get("values") or {} for ev in events if ev.get("type") == "node_finished"}


def rerun(spec: FlowSpec, node_id: str, recorded: dict[str, dict[str, list]]) -> FlowSpec:
    """*Re-run this node*: the node with its direct upstream nodes pinned to what they emitted in an earlier run
    (`recorded`: `node_values` of its events)."""
    sub = until(spec, node_id)
    parents = {e.source for e in sub.edges if e.target == node_id}
    missing = sorted(p for p in parents if p not in recorded)
    if missing:
        raise InvalidInput(
            f"the earlier run has no outputs of {', '.join(map(repr, missing))}: run the flow (or run to "
            f"{node_id!r}) first"
        )
    for n in sub.nodes:
        if n.id in parents:
            n.data.pinned = recorded[n.id]
    return sub  # the executor prunes what only feeds the pinned nodes (after validating the whole sub-flow)


def node_io(spec: FlowSpec, events: list[dict], node_id: str) -> dict[str, Any]:
    """A node's inputs (what its upstream edges carried) and outputs in a recorded run."""
    if node_id not in _node_ids(spec):
        raise NotFound(f"node {node_id!r} was not part of this run (a run to another node, or another flow)")
    spec = spec.model_copy(deep=True)
    resolve_handles(spec)
    recorded = node_values(events)
    inputs: dict[str, list] = {}
    for e in spec.edges:
        if e.target == node_id:
            inputs.setdefault(e.targetHandle or "in", []).extend(
                recorded.get(e.source, {}).get(e.sourceHandle or "out", [])
            )
    finished = next(
        (ev for ev in events if ev.get("type") == "node_finished" and ev["node_id"] == node_id), {}
    )
    return {
        "node_id": node_id,
        "ran": node_id in recorded,
        "inputs": inputs,
        "outputs": recorded.get(node_id, {}),
        "truncated": bool(finished.get("values_truncated")),
    }


class ValueRecorder:
    """A node's outputs in JSON form for its `node_finished` event, within the caps."""

    __slots__ = ("values", "chars", "truncated")

    def __init__(self):
        self.values: dict[str, list] = {}
        self.chars = 0
        self.truncated = False

    def add(self, port: str, record: Any) -> None:
        kept = self.values.setdefault(port, [])
        size = len(str(record))
        if len(kept) >= VALUES_PER_PORT or self.chars + size > VALUES_CHARS:
            self.truncated = True
            return
        kept.append(record)
        self.chars += size
