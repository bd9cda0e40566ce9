"""Flow runs say what happened: a value the run cannot record (no JSON form) fails the run with json's reason,
recorded and kept, instead of a run left `running` and later called `interrupted`; a run's id answered by a 202
is readable at once; `GET api/flow/export-python` says what to send."""

from __future__ import annotations

import asyncio
import json

import pytest

from sage_studio_lab.flow import Flow, Operator, Port, register_operator
from sage_studio_lab.flow.repository import FlowRepository


def _cycle():
    items: list = [1]
    items.append(items)
    return items


UNRECORDABLE = {  # legal Python values without a JSON form (none needs an expression evaluator)
    "bigint": (lambda: 10**5000, "src", "Exceeds the limit"),
    "nan": (lambda: float("nan"), "src", "Out of range float"),
    "cycle": (_cycle, "src", "recursion"),
    "tuple keys": (
        lambda: {(1, 2): "x"},
        "out",
        "keys must be str",
    ),  # its preview is fine; its record is not
}


@register_operator
class Unrecordable(Operator):
    """Test source: emits one of the values above."""

    type = "test_unrecordable"
    outputs = [Port("out", "any")]

    def process(self, inputs, ctx):
        return {"out": UNRECORDABLE[self.config["kind"]][0]()}


@register_operator
class SlowSource(Operator):
    type = "test_slow_source"
    outputs = [Port("out", "any")]

    async def process(self, inputs, ctx):
        await asyncio.sleep(float(self.config.get("seconds", 1)))
        return {"out": "done"}


def _flow(kind: str) -> dict:
    return {
        "name": f"unrecordable {kind}",
        "nodes": [
            {"id": "src", "type": "test_unrecordable", "data": {"config": {"kind": kind}}},
            {"id": "out", "type": "output"},
        ],
        "edges": [{"id": "e", "source": "src", "sourceHandle": "out", "target": "out", "targetHandle": "in"}],
    }


@pytest.mark.parametrize("kind", list(UNRECORDABLE))
def test_an_unrecordable_value_fails_the_run_with_its_reason(kind):
    _, node, reason = UNRECORDABLE[kind]
    result = Flow.from_dict(_flow(kind), trusted=True).run()
    assert (
        result.status == "failed" and "cannot be recorded as JSON" in result.error and reason in result.error
    )
    failed = [e for e in result.events if e["type"] == "node_failed"]
    assert [e["node_id"] for e in failed] == [node] and reason in failed[0]["error"]

    repo = FlowRepository()
    run = repo.run(result.run_id)
    assert run["status"] == "failed" and run["error"] == result.error and run["finished_at"]
    stored = repo.events(result.run_id)
    assert [e["type"] for e in stored] == [e["type"] for e in result.events]  # every event kept
    assert stored[-1]["type"] == "run_finished" and stored[-1]["status"] == "failed"
    json.dumps(stored, allow_nan=False)  # and all of it is JSON


async def _call(jp_fetch, *parts, method="GET", body=None):
    resp = await jp_fetch(
        "sage-studio",
        "api",
        "flow",
        *parts,
        method=method,
        body=None if body is None else json.dumps(body),
        raise_error=False,
        allow_nonstandard_methods=True,
    )
    is_json = resp.headers.get("Content-Type", "").startswith("application/json")
    return resp.code, json.loads(resp.body) if is_json else resp.body.decode()


async def test_a_failed_rest_run_is_failed_not_running_then_interrupted(jp_fetch):
    code, started = await _call(jp_fetch, "run", method="POST", body={"flow": _flow("bigint")})
    assert code == 202
    for _ in range(200):
        code, run = await _call(jp_fetch, "runs", started["run_id"])
        assert code == 200
        if not run["live"]:
            break
        await asyncio.sleep(0.05)
    assert run["status"] == "failed" and "Exceeds the limit" in run["error"], run
    assert [e["type"] for e in run["events"]][-2:] == ["node_failed", "run_finished"]
    # the history (which marks runs no process runs any more as interrupted) still says failed
    code, history = await _call(jp_fetch, "runs")
    (listed,) = [r for r in history["runs"] if r["id"] == started["run_id"]]
    assert listed["status"] == "failed" and listed["error"] == run["error"]


async def test_a_run_is_readable_right_after_its_202(jp_fetch):
    flow = {
        "nodes": [
            {"id": "slow", "type": "test_slow_source", "data": {"config": {"seconds": 1}}},
            {"id": "out", "type": "output"},
        ],
        "edges": [{"source": "slow", "target": "out"}],
    }
    code, started = await _call(jp_fetch, "run", method="POST", body={"flow": flow, "inputs": {"input": "x"}})
    assert code == 202
    code, run = await _call(jp_fetch, "runs", started["run_id"])  # no wait at all
    assert code == 200 and run["status"] == "running" and run["live"] is True
    assert run["inputs"] == {"input": "x"}
    for _ in range(100):
        code, run = await _call(jp_fetch, "runs", started["run_id"])
        if run["status"] != "running":
            break
        await asyncio.sleep(0.05)
    assert run["status"] == "succeeded" and run["outputs"] == {"output": ["done"]}


async def test_export_python_says_what_to_send(jp_fetch):
    code, body = await _call(jp_fetch, "export-python")
    assert code == 405 and "POST" in body["message"] and "flow as the JSON body" in body["message"]
    assert "GET api/flow/flows/{flow_id}/export-python" in body["message"] and body["allow"] == ["POST"]
    flow = {"nodes": [{"id": "in", "type": "text_input"}, {"id": "o", "type": "output"}]}
    flow["edges"] = [{"source": "in", "target": "o"}]
    code, script = await _call(jp_fetch, "export-python", method="POST", body=flow)
    assert code == 200 and "from sage_studio_lab.flow import Flow" in script
    compile(script, "exported.py", "exec")
