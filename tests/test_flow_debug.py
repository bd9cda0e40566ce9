"""Debugging a flow like a notebook (flow/debug.py): every node's outputs recorded, run to here, re-run one node on
the upstream outputs of an earlier run (the upstream does not run again), pinned outputs, a node's inputs/outputs
replayed from a stored run, and a node's output into a kernel variable."""

from __future__ import annotations

import json

import pytest

from sage_studio_lab.errors import InvalidInput
from sage_studio_lab.flow import Flow


def _flow(tmp_path) -> Flow:
    """in -> upper -> count -> out; `upper` appends each value it sees to a file (proof of whether it ran)."""
    trace = tmp_path / "upper-ran.txt"
    f = Flow("debug")
    f.add_node("text_input", id="in")
    f.add_node("map", id="upper", expression="x.upper()")
    f.add_node("file_sink", id="trace", path=str(trace), mode="append")
    f.add_node("map", id="count", expression="len(x)")
    f.add_node("output", id="out", name="n")
    f.connect("in", "upper")
    f.connect("upper", "trace")
    f.connect("upper", "count")
    f.connect("count", "out")
    return f


def test_every_node_records_what_it_emitted(tmp_path):
    run = _flow(tmp_path).run("hello")
    assert run.ok and run.outputs["n"] == [5]  # still a dict of the outputs
    assert run.outputs("upper") == {"out": ["HELLO"]}
    assert run.outputs("count", "out") == [5]
    with pytest.raises(KeyError, match="did not run"):
        run.outputs("nope")


def test_run_to_here_runs_only_what_the_node_needs(tmp_path):
    f = _flow(tmp_path)
    run = f.run("abc", until="upper")
    assert run.ok
    ran = {e["node_id"] for e in run.events if e["type"] == "node_finished"}
    assert ran == {"in", "upper"}
    assert run.outputs("upper") == {"out": ["ABC"]}
    assert not (tmp_path / "upper-ran.txt").exists()  # the other branch did not run


def test_rerun_a_node_on_the_cached_upstream_outputs(tmp_path):
    f = _flow(tmp_path)
    first = f.run("hello")
    trace = tmp_path / "upper-ran.txt"
    ran_once = trace.read_text()
    # change the node, re-run only it: `upper` is pinned to its earlier output and does not run again
    f.spec.nodes[3].data.config["expression"] = "len(x) * 10"
    again = f.run(rerun="count", from_run=first)
    assert again.ok and again.outputs("count") == {"out": [50]}
    assert trace.read_text() == ran_once
    pinned = [e for e in again.events if e["type"] == "node_finished" and e.get("pinned")]
    assert [e["node_id"] for e in pinned] == ["upper"]
    assert "in" not in {e.get("node_id") for e in again.events}  # what only fed the pinned node did not run
    # by default, from this flow's last run
    assert f.run(rerun="count").outputs("count") == {"out": [50]}


def test_rerun_needs_an_earlier_run(tmp_path):
    with pytest.raises(InvalidInput, match="run the flow first"):
        _flow(tmp_path).run(rerun="count")


def test_pinned_output_replaces_the_node(tmp_path):
    f = _flow(tmp_path)
    f.pin("upper", {"out": ["PINNED", "TWO"]})
    run = f.run("ignored")
    assert run.outputs["n"] == [6, 3]
    ran = {e["node_id"] for e in run.events if e["type"] == "node_finished"}
    assert "in" not in ran  # it only fed the pinned node
    assert "PINNED" in (tmp_path / "upper-ran.txt").read_text()  # downstream nodes get the pinned values
    f.unpin("upper")
    assert f.run("ab").outputs["n"] == [2]
    with pytest.raises(InvalidInput, match="list of values"):
        f.pin("upper", {"out": "not a list"})


def test_to_variable(tmp_path):
    run = _flow(tmp_path).run("hey")
    ns: dict = {}
    assert run.to_variable("shout", "upper", namespace=ns) == "HEY" and ns == {"shout": "HEY"}
    assert run.to_variable("n", namespace=ns) == 3
    with pytest.raises(InvalidInput, match="variable name"):
        run.to_variable("1bad", namespace=ns)


async def test_over_rest_run_to_here_rerun_and_node_io(jp_fetch, tmp_path):
    from tests.test_flow_server import _call, _wait_finished

    flow = _flow(tmp_path)
    flow.spec.nodes[2].data.config["path"] = "trace.txt"  # untrusted canvas flows write inside the root
    doc = flow.to_dict()
    code, started = await _call(jp_fetch, "run", method="POST", body={"flow": doc, "inputs": "hello"})
    assert code == 202
    first = started["run_id"]
    await _wait_finished(jp_fetch, first)
    code, io = await _call(jp_fetch, "runs", first, "nodes", "count")
    assert code == 200 and io["inputs"] == {"in": ["HELLO"]} and io["outputs"] == {"out": [5]} and io["ran"]

    code, started = await _call(
        jp_fetch, "run", method="POST", body={"flow": doc, "inputs": "abc", "until": "upper"}
    )
    await _wait_finished(jp_fetch, started["run_id"])
    code, io = await _call(jp_fetch, "runs", started["run_id"], "nodes", "upper")
    assert code == 200 and io["outputs"] == {"out": ["ABC"]}
    code, body = await _call(jp_fetch, "runs", started["run_id"], "nodes", "count")
    assert code == 404 and "not part of this run" in body["message"]

    doc["nodes"][3]["data"]["config"]["expression"] = "len(x) + 100"
    code, started = await _call(
        jp_fetch, "run", method="POST", body={"flow": doc, "rerun": "count", "from_run": first}
    )
    assert code == 202
    await _wait_finished(jp_fetch, started["run_id"])
    code, io = await _call(jp_fetch, "runs", started["run_id"], "nodes", "count")
    assert io["inputs"] == {"in": ["HELLO"]} and io["outputs"] == {"out": [105]}

    # bad input: a clear 4xx, nothing started
    code, body = await _call(jp_fetch, "run", method="POST", body={"flow": doc, "rerun": "count"})
    assert code == 400 and "from_run" in json.dumps(body)
    code, body = await _call(jp_fetch, "run", method="POST", body={"flow": doc, "until": "ghost"})
    assert code == 404 and "ghost" in body["message"]
    code, body = await _call(jp_fetch, "runs", first, "nodes", "ghost")
    assert code == 404
