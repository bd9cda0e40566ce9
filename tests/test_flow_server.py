"""Flow REST + WebSocket routes on a real Jupyter server (pytest-jupyter, base_url /a%40b/)."""

from __future__ import annotations

import asyncio
import json

import pytest
import tornado.httpclient

from tests.test_flow_executor import router_flow


def _json(resp):
    return json.loads(resp.body)


async def _call(jp_fetch, *parts, method="GET", body=None):
    data = None if body is None else (body if isinstance(body, (str, bytes)) else json.dumps(body))
    resp = await jp_fetch("sage-studio", "api", "flow", *parts, method=method, body=data, raise_error=False)
    return resp.code, (
        _json(resp)
        if resp.body and resp.headers.get("Content-Type", "").startswith("application/json")
        else resp.body.decode()
    )


async def test_palette_and_templates(jp_fetch):
    code, body = await _call(jp_fetch, "operators")
    assert code == 200 and {"generator", "intent_router", "vector_retriever"} <= {
        o["type"] for o in body["operators"]
    }
    code, body = await _call(jp_fetch, "templates")
    names = {t["name"] for t in body["templates"]}
    assert code == 200 and {"RAG over documents", "Summarise file"} <= names


async def test_validate_returns_issues_per_node(jp_fetch):
    bad = {"nodes": [{"id": "o", "type": "output"}, {"id": "x", "type": "nope"}], "edges": []}
    code, body = await _call(jp_fetch, "validate", method="POST", body=bad)
    assert code == 400 and {(i["node_id"], i["code"]) for i in body["issues"]} == {
        ("o", "dangling_input"),
        ("x", "unknown_type"),
    }
    code, body = await _call(jp_fetch, "validate", method="POST", body=router_flow().to_dict())
    assert code == 200 and body == {"valid": True, "issues": []}


async def test_crud_and_malformed_import_stores_nothing(jp_fetch):
    for bad in ("{not json", json.dumps({"nodes": [{"type": "map"}]}), json.dumps([1, 2]), ""):
        code, body = await _call(jp_fetch, "flows", "import", method="POST", body=bad)
        assert code == 400 and body["message"], bad
    assert (await _call(jp_fetch, "flows"))[1] == {"flows": []}

    code, created = await _call(jp_fetch, "flows", "import", method="POST", body=router_flow().to_dict())
    assert code == 201 and created["issues"] == [] and created["name"] == "router"
    fid = created["id"]
    code, listed = await _call(jp_fetch, "flows")
    assert [f["id"] for f in listed["flows"]] == [fid] and listed["flows"][0]["nodes"] == 7

    changed = {**created["flow"], "name": "renamed"}
    code, updated = await _call(jp_fetch, "flows", fid, method="PUT", body=changed)
    assert code == 200 and updated["name"] == "renamed"
    code, exported = await _call(jp_fetch, "flows", fid, "export")
    assert code == 200 and exported["name"] == "renamed" and exported["version"] == 1
    code, script = await _call(jp_fetch, "flows", fid, "export-python")
    assert code == 200 and "from sage_studio_lab.flow import Flow" in script
    compile(script, "exported.py", "exec")

    assert (await _call(jp_fetch, "flows", fid, method="DELETE"))[0] == 204
    code, body = await _call(jp_fetch, "flows", fid)
    assert code == 404 and fid in body["message"]


async def _wait_finished(jp_fetch, run_id):
    for _ in range(200):
        code, run = await _call(jp_fetch, "runs", run_id)
        if run["status"] != "running":
            return run
        await asyncio.sleep(0.05)
    raise AssertionError("run did not finish")


async def test_run_streams_events_over_websocket_and_records_history(jp_fetch, jp_ws_fetch):
    _, created = await _call(jp_fetch, "flows", method="POST", body=router_flow().to_dict())
    fid = created["id"]
    code, started = await _call(
        jp_fetch, "flows", fid, "run", method="POST", body={"inputs": {"input": "2+2"}}
    )
    assert code == 202
    ws = await jp_ws_fetch("sage-studio", "api", "flow", "runs", started["run_id"], "events")
    events = []
    while True:
        msg = await ws.read_message()
        if msg is None:
            break
        events.append(json.loads(msg))
    ws.close()
    assert events[0]["type"] == "run_started" and events[-1]["type"] == "run_finished"
    assert events[-1]["status"] == "succeeded" and events[-1]["outputs"] == {"answer": [4]}
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)

    run = await _wait_finished(jp_fetch, started["run_id"])
    assert run["outputs"] == {"answer": [4]} and len(run["events"]) == len(events)
    code, history = await _call(jp_fetch, "flows", fid, "runs")
    assert [r["id"] for r in history["runs"]] == [started["run_id"]]

    # a finished run replays from the store
    ws = await jp_ws_fetch("sage-studio", "api", "flow", "runs", started["run_id"], "events")
    first = json.loads(await ws.read_message())
    ws.close()
    assert first["type"] == "run_started"


SLEEP_FLOW = {
    "nodes": [
        {"id": "in", "type": "text_input"},
        {"id": "num", "type": "map", "data": {"config": {"expression": "float(x)"}}},
        {"id": "sleep", "type": "tool_call", "data": {"config": {"tool": "time:sleep"}}},
        {"id": "o", "type": "output"},
    ],
    "edges": [
        {"source": "in", "target": "num"},
        {"source": "num", "target": "sleep"},
        {"source": "sleep", "target": "o"},
    ],
}


async def _trusted(jp_fetch, flow):
    """`time:sleep` is a Python reference: the user trusts the flow before running it (tests/test_flow_trust.py)."""
    code, state = await _call(jp_fetch, "trust", method="POST", body=flow)
    assert code == 200 and state["trusted"] is True, state
    return flow


async def test_cancel_a_running_flow(jp_fetch):
    flow = await _trusted(jp_fetch, SLEEP_FLOW)
    code, started = await _call(
        jp_fetch, "run", method="POST", body={"flow": flow, "inputs": {"input": "10"}}
    )
    assert code == 202, started
    await asyncio.sleep(0.3)
    code, body = await _call(jp_fetch, "runs", started["run_id"], "cancel", method="POST", body={})
    assert code == 202
    run = await _wait_finished(jp_fetch, started["run_id"])
    assert run["status"] == "cancelled"
    code, body = await _call(jp_fetch, "runs", started["run_id"], "cancel", method="POST", body={})
    assert code == 409 and "not running" in body["message"]


async def test_cancel_over_the_websocket_and_stale_runs_become_interrupted(jp_fetch, jp_ws_fetch):
    flow = await _trusted(jp_fetch, SLEEP_FLOW)
    code, started = await _call(
        jp_fetch, "run", method="POST", body={"flow": flow, "inputs": {"input": "10"}}
    )
    ws = await jp_ws_fetch("sage-studio", "api", "flow", "runs", started["run_id"], "events")
    events = []
    while True:
        msg = await ws.read_message()
        if msg is None:
            break
        events.append(json.loads(msg))
        if events[-1]["type"] == "node_started" and events[-1]["node_id"] == "sleep":
            ws.write_message("cancel")
    assert events[-1]["type"] == "run_finished" and events[-1]["status"] == "cancelled"

    from sage_studio_lab.flow.repository import FlowRepository
    from sage_studio_lab.flow.spec import parse_flow

    FlowRepository().start_run("ghost", parse_flow(flow), {}, "local", None)  # its process died
    code, body = await _call(jp_fetch, "runs")
    ghost = [r for r in body["runs"] if r["id"] == "ghost"][0]
    assert ghost["status"] == "interrupted" and "stopped" in ghost["error"]


async def test_bad_run_requests_are_400(jp_fetch):
    code, body = await _call(
        jp_fetch, "run", method="POST", body={"flow": {"nodes": [{"id": "x", "type": "nope"}]}}
    )
    assert code == 400 and body["issues"][0]["code"] == "unknown_type"
    code, body = await _call(jp_fetch, "run", method="POST", body={"flow": {}, "executor": "spark"})
    assert code == 400 and "executor" in body["message"]
    code, body = await _call(jp_fetch, "runs", "nope")
    assert code == 404
    with pytest.raises(tornado.httpclient.HTTPClientError):
        await jp_fetch("sage-studio", "api", "flow", "runs", "nope", "events")
