"""Trusted flows, as Jupyter's trusted notebooks (nbformat's `NotebookNotary`).

A flow the user made or saved in the Studio is *signed*: an HMAC-SHA256, with a per-user secret key
(`<user dir>/flow-signing.key`, mode 0600), of the flow's behaviour, stored in the user's store
(`flow_signatures`). A flow whose signature is there is trusted; any other (a file from elsewhere, an import)
is not until the user trusts it (`flow.trust`, the canvas's Trust button, `sage-studio flow trust FILE`).

What is signed is what the flow *does*: each node's id, type and config, and the edges (source/target and
their ports). Positions, labels, name, description, edge ids and other display fields are left out, so moving
a node or renaming the flow keeps its trust state — an untrusted flow stays untrusted, a trusted one trusted.
Numbers are normalised (1.0 == 1) since the browser's JSON does not keep the difference.

An untrusted flow can be viewed, validated, edited and run, but only with declarative operators: a node whose
config names a Python reference (`module:function` in `tool_call` / `map` / `filter`) or an `env:` secret
(`Operator.trust_references`) makes the run fail with 403 before anything runs, and validation reports the same
issue on the node. A flow with no nodes has nothing to distrust: it counts as trusted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from ..errors import Forbidden
from ..paths import secret_key
from ..store import get_store, now
from .spec import FlowSpec, issue, node_config, resolve_handles

ALGORITHM = "sha256"
KEY_FILE = "flow-signing.key"
CACHE_SIZE = 10_000  # signatures kept per user; the least recently signed go first


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def canonical(spec: FlowSpec) -> bytes:
    """The behaviour of the flow as canonical JSON (sorted keys, nodes by id, edges sorted)."""
    from .policy import POLICY_KEY

    spec = spec.model_copy(deep=True)
    resolve_handles(spec)  # an edge without handles means its nodes' only ports: sign the same as with them
    nodes = sorted(
        (
            {
                "id": n.id,
                "type": n.type,
                "config": _plain({k: v for k, v in n.data.config.items() if k != POLICY_KEY}),
            }
            for n in spec.nodes
        ),
        key=lambda n: n["id"],
    )
    edges = sorted([e.source, e.sourceHandle or "", e.target, e.targetHandle or ""] for e in spec.edges)
    doc = {"signature_version": 1, "nodes": nodes, "edges": edges}
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signature(spec: FlowSpec, user: str | None = None) -> str:
    return hmac.new(secret_key(KEY_FILE, user), canonical(spec), hashlib.sha256).hexdigest()


def sign(spec: FlowSpec, user: str | None = None) -> str:
    """Trust this flow's behaviour for the user; returns the signature."""
    sig = signature(spec, user)
    t = now()
    with get_store(user).tx() as conn:
        conn.execute(
            "INSERT INTO flow_signatures(signature, algorithm, created_at, last_seen) VALUES (?,?,?,?) "
            "ON CONFLICT(signature) DO UPDATE SET last_seen=excluded.last_seen",
            (sig, ALGORITHM, t, t),
        )
        (count,) = conn.execute("SELECT COUNT(*) FROM flow_signatures").fetchone()
        if count > CACHE_SIZE:
            conn.execute(
                "DELETE FROM flow_signatures WHERE signature IN "
                "(SELECT signature FROM flow_signatures ORDER BY last_seen LIMIT ?)",
                (count - CACHE_SIZE,),
            )
    return sig


def unsign(spec: FlowSpec, user: str | None = None) -> None:
    get_store(user).execute("DELETE FROM flow_signatures WHERE signature=?", (signature(spec, user),))


def is_signed(spec: FlowSpec, user: str | None = None) -> bool:
    """Whether the user signed this behaviour (a flow without nodes counts as trusted)."""
    if not spec.nodes:
        return True
    row = get_store(user).query_one(
        "SELECT 1 AS ok FROM flow_signatures WHERE signature=? AND algorithm=?",
        (signature(spec, user), ALGORITHM),
    )
    return row is not None


def references(spec: FlowSpec) -> list[dict]:
    """Every `{node_id, reference}` in the flow that only a trusted flow may use."""
    from .registry import get_operator

    out = []
    for node in spec.nodes:
        op = get_operator(node.type)
        if op is None:
            continue
        try:
            refs = op.trust_references(node_config(node, op))
        except Exception:  # a plugin's checker must not break validation  # noqa: BLE001
            refs = []
        out += [{"node_id": node.id, "reference": str(ref)} for ref in refs]
    return out


def _says(ref: dict, more: str = "") -> str:
    node, name = ref["node_id"], ref["reference"]
    if name.strip().startswith("env:"):
        return (
            f"node {node!r} reads the secret {name}{more}; trust the flow to let it use environment secrets"
        )
    return f"node {node!r} calls {name}{more}; trust the flow to run Python references"


def trust_issues(spec: FlowSpec) -> list[dict]:
    """The validation issues of an untrusted flow: one per reference, on its node."""
    return [
        issue(f"flow is not trusted: {_says(ref)}", node=ref["node_id"], code="untrusted")
        for ref in references(spec)
    ]


def require_runnable(spec: FlowSpec, trusted: bool) -> None:
    """403 naming the first node when an untrusted flow uses what only a trusted one may."""
    if trusted:
        return
    refs = references(spec)
    if refs:
        more = f" (and {len(refs) - 1} more)" if len(refs) > 1 else ""
        raise Forbidden(
            f"flow is not trusted: {_says(refs[0], more)}",
            issues=trust_issues(spec),
        )
