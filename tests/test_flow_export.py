"""`flow.to_python()` round trip without an engine: the script runs in a subprocess and prints the same outputs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.test_flow_executor import router_flow


@pytest.mark.slow
def test_exported_script_reproduces_the_run(tmp_path):
    flow = router_flow()
    flow.add_node("file_sink", id="log", path="log.txt")
    flow.connect("join", "log", "out", "in")
    flow.base_dir = str(tmp_path)
    expected = flow.run("7 + 35", record=False)
    script = tmp_path / "router.py"
    script.write_text(flow.to_python())
    out = subprocess.run(
        [sys.executable, str(script), "--input", "7 + 35"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout) == expected.outputs == {"answer": [42]}
    assert (tmp_path / "log.txt").read_text() == "42\n42\n"  # one line from each run, same file


async def test_stream_consumer_leaving_early_cancels_the_run():
    from sage_studio_lab.flow import Flow

    f = Flow("early")
    f.add_node("list_input", id="src", items=list(range(100_000)))
    f.add_node("map", id="m", expression="x")
    f.add_node("output", id="o")
    f.connect("src", "m")
    f.connect("m", "o")
    agen = f.stream(record=True)
    async for ev in agen:
        if ev["type"] == "node_output":
            break
    await agen.aclose()
    from sage_studio_lab.flow.repository import FlowRepository

    (run,) = FlowRepository().runs()
    assert run["status"] == "cancelled"


def test_every_template_exports_to_a_script_that_rebuilds_the_same_flow():
    from sage_studio_lab.flow import Flow
    from sage_studio_lab.flow.templates import list_templates

    templates = list_templates()
    assert len(templates) >= 2
    for t in templates:
        flow = Flow.template(t["id"])
        namespace: dict = {"__name__": "exported"}
        exec(compile(flow.to_python(), f"{t['id']}.py", "exec"), namespace)
        rebuilt = namespace["build_flow"]()
        assert rebuilt.validate() == [], t["id"]
        assert [(n.id, n.type, n.data.config) for n in rebuilt.spec.nodes] == [
            (n.id, n.type, n.data.config) for n in flow.spec.nodes
        ], t["id"]
        assert [(e.source, e.sourceHandle, e.target, e.targetHandle) for e in rebuilt.spec.edges] == [
            (e.source, e.sourceHandle, e.target, e.targetHandle) for e in flow.spec.edges
        ], t["id"]
        assert rebuilt.base_dir == flow.base_dir


@pytest.mark.slow
def test_cli_run_and_validate_without_an_engine(tmp_path):
    good = router_flow().save(tmp_path / "router")
    out = subprocess.run(
        [sys.executable, "-m", "sage_studio_lab.cli", "flow", "run", str(good), "--input", "1 + 2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout) == {"answer": [3]}
    bad = tmp_path / "bad.sage-flow.json"
    bad.write_text(json.dumps({"version": 1, "nodes": [{"id": "o", "type": "output"}], "edges": []}))
    out = subprocess.run(
        [sys.executable, "-m", "sage_studio_lab.cli", "flow", "validate", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1 and "o: input 'in' is not connected" in out.stdout
    out = subprocess.run(
        [sys.executable, "-m", "sage_studio_lab.cli", "flow", "run", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1 and "not valid" in out.stderr
