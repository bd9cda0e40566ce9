"""FlowCanvas on the real flow runtime: `.flow` live both ways, runs streaming node status, cancel, export."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from sage_studio_lab.flow import Flow, Operator, Port, register_operator
from sage_studio_lab.widgets.flow_canvas import FlowCanvas
from sage_studio_lab.widgets.testing import frontend_call, frontend_set, recording_comms


@pytest.fixture(autouse=True)
def comms():
    with recording_comms() as made:
        yield made


def shout_flow() -> Flow:
    f = Flow(name="shout")
    f.add_node("text_input", id="in")
    f.add_node("map", id="shout", expression="x.upper() + '!'")
    f.add_node("output", id="out", name="result")
    f.connect("in", "shout")
    f.connect("shout", "out")
    return f


def test_flow_is_live_both_ways():
    canvas = FlowCanvas(shout_flow())
    state = canvas.comm.sent[0]["data"]["state"]["flow"]  # the canvas received React-Flow JSON
    assert [n["id"] for n in state["nodes"]] == ["in", "shout", "out"] and len(state["edges"]) == 2
    # The canvas adds a node: .flow is a Flow with it.
    edited = canvas.flow.to_dict()
    edited["nodes"].append(
        {
            "id": "extra",
            "type": "map",
            "position": {"x": 0, "y": 300},
            "data": {"config": {"expression": "x * 2"}},
        }
    )
    frontend_set(canvas, flow=edited)
    assert isinstance(canvas.flow, Flow) and "extra" in [n.id for n in canvas.flow.spec.nodes]
    # Python edits the Flow: the canvas receives it.
    canvas.flow.add_node("output", id="py_node")
    canvas.sync()
    assert "py_node" in [n["id"] for n in canvas.comm.states()[-1]["flow"]["nodes"]]
    canvas.flow = shout_flow()
    assert [n["id"] for n in canvas.comm.states()[-1]["flow"]["nodes"]] == ["in", "shout", "out"]


def test_run_from_python_streams_node_status():
    canvas = FlowCanvas(shout_flow())
    events = []
    outputs = canvas.run("hello", on_event=events.append)
    assert outputs == {"result": ["HELLO!"]}
    assert canvas.node_status == {"in": "finished", "shout": "finished", "out": "finished"}
    assert canvas.status == "succeeded"
    kinds = [e["type"] for e in events]
    assert kinds[0] == "run_started" and kinds[-1] == "run_finished" and "node_started" in kinds
    pushed = [m["event"]["type"] for m, _ in canvas.comm.custom() if m.get("type") == "event"]
    assert pushed == kinds  # the view saw every event
    assert any(s.get("node_status", {}).get("shout") == "running" for s in canvas.comm.states())


def test_python_run_pushes_node_states_the_view_renders():
    """After `canvas.run()` the synced traits the canvas view renders (node_status, node_errors, status,
    outputs) carry the run: the last state sent to the view has every node's state and the outputs; a failed
    node's error is there too, and a new run starts from clean states."""
    canvas = FlowCanvas(shout_flow())
    canvas.run("hi")
    synced = {}
    for state in canvas.comm.states():
        synced.update(state)
    assert synced["node_status"] == {"in": "finished", "shout": "finished", "out": "finished"}
    assert synced["status"] == "succeeded" and synced["outputs"] == {"result": ["HI!"]}
    assert canvas.node_errors == {}

    broken = Flow(name="broken")
    broken.add_node("text_input", id="in")
    broken.add_node("map", id="shout", expression="x.no_such_method()")
    broken.add_node("output", id="out", name="result")
    broken.connect("in", "shout")
    broken.connect("shout", "out")
    canvas.flow = broken
    with pytest.raises(Exception, match="failed"):
        canvas.run("hi")
    synced = {}
    for state in canvas.comm.states():
        synced.update(state)
    assert synced["node_status"]["in"] == "finished"
    assert synced["node_status"]["shout"] == "failed" and "out" not in synced["node_status"]
    assert "no_such_method" in synced["node_errors"]["shout"]
    assert synced["status"] == "failed" and synced["outputs"] == {}


def test_run_validate_export_from_the_view(tmp_path):
    canvas = FlowCanvas(shout_flow())
    result, events = frontend_call(
        canvas, "flow.run", {"flow": canvas.flow.to_dict(), "inputs": {"input": "hi"}}
    )
    assert result["ok"] and result["value"]["status"] == "succeeded"
    assert result["value"]["outputs"] == {"result": ["HI!"]} and events[-1]["type"] == "run_finished"
    assert canvas.outputs == {"result": ["HI!"]} and canvas.node_status["out"] == "finished"
    result, _ = frontend_call(canvas, "flow.runs")
    assert result["value"]["runs"][0]["id"] == events[0]["run_id"]
    result, _ = frontend_call(canvas, "flow.export_python", {"flow": canvas.flow.to_dict()})
    assert "from sage_studio_lab.flow import" in result["value"]
    assert canvas.to_python() == result["value"]
    assert frontend_call(canvas, "flow.export_python")[0]["value"] == result["value"]  # the canvas's own flow
    result, _ = frontend_call(canvas, "flow.operators")
    assert {"map", "generator", "vector_retriever"} <= {o["type"] for o in result["value"]["operators"]}
    result, _ = frontend_call(canvas, "flow.templates")
    assert "rag-over-documents" in [t["id"] for t in result["value"]["templates"]]
    bad = {
        "name": "bad",
        "nodes": [{"id": "m", "type": "nope", "position": {"x": 0, "y": 0}, "data": {}}],
        "edges": [],
    }
    result, _ = frontend_call(
        canvas, "flow.validate", {"flow": bad}
    )  # as over REST: a 400 listing the issues
    assert result["ok"] is False and result["error"]["status"] == 400
    assert result["error"]["issues"][0]["node_id"] == "m"
    result, _ = frontend_call(canvas, "flow.run", {"flow": {"nodes": "not a list"}})
    assert result["ok"] is False and result["error"]["status"] == 400


@register_operator
class SlowOperator(Operator):
    """Waits (asynchronously, so a cancel can interrupt it) before passing its input on."""

    type = "test_slow"
    inputs = [Port("in", "any")]
    outputs = [Port("out", "any")]

    async def process(self, inputs, ctx):
        await asyncio.sleep(30)
        return {"out": inputs["in"]}


def test_cancel_a_run_from_the_view():
    f = Flow(name="slow")
    f.add_node("text_input", id="in")
    f.add_node("test_slow", id="wait")
    f.add_node("output", id="out")
    f.connect("in", "wait")
    f.connect("wait", "out")
    canvas = FlowCanvas(f)
    canvas.comm.receive(
        {
            "method": "custom",
            "content": {
                "type": "stream",
                "id": "r1",
                "method": "flow.run",
                "args": {"inputs": {"input": "x"}},
            },
        }
    )
    canvas.comm.wait_for(
        lambda ms: any(
            m.get("type") == "event"
            and m["event"].get("node_id") == "wait"
            and m["event"]["type"] == "node_started"
            for m, _ in ms
        ),
        30,
    )
    canvas.comm.receive({"method": "custom", "content": {"type": "cancel", "id": "r1"}})
    result = canvas.comm.wait_for(lambda ms: next((m for m, _ in ms if m.get("type") == "result"), None), 20)
    assert result["ok"] and result["value"].get("cancelled") is True, result
    assert result["value"]["status"] != "succeeded"


def test_open_save_and_magic(tmp_path, ipython):
    path = shout_flow().save(tmp_path / "shout.sage-flow.json")
    canvas = FlowCanvas(str(path))
    assert canvas.path == str(path) and canvas.flow.name == "shout"
    canvas.flow.spec.name = "renamed"
    canvas.save()
    assert json.loads(path.read_text())["name"] == "renamed"
    template = FlowCanvas("rag-over-documents")
    assert template.path == "" and any(n.type == "vector_retriever" for n in template.flow.spec.nodes)
    with pytest.raises(Exception, match="no template"):
        FlowCanvas("no-such-template")

    from IPython.utils.capture import capture_output

    ip = ipython
    assert ip.run_line_magic("sage_studio", f"flow {path}").flow.name == "renamed"
    assert ip.run_line_magic("sage_studio", "flow").flow.spec.nodes == []
    ip.display_formatter.formatters["text/markdown"].enabled = True
    with capture_output() as cap:
        ip.run_cell_magic("sage_studio", f"flow run {path}", "from a cell\n")
    assert any("FROM A CELL!" in (o.data.get("text/markdown") or "") for o in cap.outputs)


def test_python_run_does_not_block_other_threads():
    canvas = FlowCanvas(shout_flow())
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(canvas.call("flow.run", inputs={"input": "a"})))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [r["outputs"] for r in results] == [{"result": ["A!"]}] * 2


def test_run_to_here_rerun_and_a_node_output_into_a_kernel_variable():
    import __main__

    canvas = FlowCanvas(shout_flow())
    result, _ = frontend_call(canvas, "flow.run", {"inputs": {"input": "hey"}, "until": "shout"})
    first = result["value"]
    assert first["status"] == "succeeded" and first["outputs"] == {}  # the output node did not run
    result, _ = frontend_call(
        canvas, "flow.to_variable", {"run_id": first["run_id"], "node_id": "shout", "name": "shouted"}
    )
    assert result["ok"] and result["value"] == {"name": "shouted", "type": "str"}
    assert __main__.shouted == "HEY!"
    del __main__.shouted
    edited = canvas.flow.to_dict()
    edited["nodes"][1]["data"]["config"]["expression"] = "x + '?'"
    result, _ = frontend_call(
        canvas, "flow.run", {"flow": edited, "rerun": "shout", "from_run": first["run_id"]}
    )
    assert result["value"]["status"] == "succeeded"
    result, _ = frontend_call(
        canvas, "flow.node_io", {"run_id": result["value"]["run_id"], "node_id": "shout"}
    )
    assert result["value"]["inputs"] == {"in": ["hey"]} and result["value"]["outputs"] == {"out": ["hey?"]}
    result, _ = frontend_call(
        canvas, "flow.to_variable", {"run_id": first["run_id"], "node_id": "shout", "name": "no good"}
    )
    assert not result["ok"] and "variable name" in result["error"]["message"]
