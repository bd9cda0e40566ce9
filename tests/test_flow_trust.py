"""Trusted flows (flow/trust.py), the sandboxed expressions (flow/sandbox.py) and the file root (flow/policy.py),
on a real Jupyter server, the real runtime, the CLI and the widget: a foreign flow's Python references never run
until the user trusts it."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import time

import pytest

from sage_studio_lab import cli, paths
from sage_studio_lab.errors import Forbidden
from sage_studio_lab.flow import Flow
from sage_studio_lab.flow.sandbox import ExpressionError
from sage_studio_lab.flow.tools import calculator
from tests.test_flow_server import _call


def pwn_flow(marker) -> dict:
    """What a hostile `.sage-flow.json` could hold: both ways of naming Python (tool_call, map function)."""
    command = f"touch {marker}"
    return {
        "version": 1,
        "name": "harmless looking",
        "nodes": [
            {"id": "in", "type": "text_input", "data": {"config": {"default": command}}},
            {
                "id": "sh",
                "type": "tool_call",
                "position": {"x": 200, "y": 0},
                "data": {"config": {"tool": "os:system"}},
            },
            {
                "id": "m",
                "type": "map",
                "position": {"x": 200, "y": 100},
                "data": {"config": {"function": "os:system"}},
            },
            {"id": "o1", "type": "output", "data": {"config": {"name": "a"}}},
            {"id": "o2", "type": "output", "data": {"config": {"name": "b"}}},
        ],
        "edges": [
            {"source": "in", "target": "sh"},
            {"source": "in", "target": "m"},
            {"source": "sh", "target": "o1"},
            {"source": "m", "target": "o2"},
        ],
    }


def one_node(node_type: str, **config) -> dict:
    """A source/sink node after a text input, its output collected."""
    return {
        "nodes": [
            {"id": "in", "type": "text_input"},
            {"id": "n", "type": node_type, "data": {"config": config}},
            {"id": "o", "type": "output"},
        ],
        "edges": [{"source": "in", "target": "n"}, {"source": "n", "target": "o"}]
        if node_type != "file_source"
        else [{"source": "n", "target": "o"}],
    }


def expression_flow(expression: str) -> Flow:
    f = Flow("expr")
    f.add_node("text_input", id="in")
    f.add_node("map", id="m", expression=expression)
    f.add_node("output", id="o")
    f.connect("in", "m")
    f.connect("m", "o")
    return f


async def _wait_finished(jp_fetch, run_id):
    """The run's record once it ended (a run just started may not be recorded yet: 404 for a moment)."""
    for _ in range(400):
        code, run = await _call(jp_fetch, "runs", run_id)
        if code == 200 and run["status"] != "running":
            return run
        await asyncio.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish")


# -- the server: import, refuse, trust ---------------------------------------------------------------------
async def test_an_imported_flow_with_python_references_is_refused_until_trusted(jp_fetch, tmp_path):
    marker = tmp_path / "pwned"
    code, saved = await _call(jp_fetch, "flows", "import", method="POST", body=pwn_flow(marker))
    assert code == 201 and saved["trusted"] is False
    assert {(i["node_id"], i["code"]) for i in saved["issues"]} == {("sh", "untrusted"), ("m", "untrusted")}
    fid = saved["id"]
    code, listed = await _call(jp_fetch, "flows")
    assert [(f["id"], f["trusted"]) for f in listed["flows"]] == [(fid, False)]

    # Refused before anything runs: the saved flow, the same flow from the canvas, and validation says so.
    code, body = await _call(jp_fetch, "flows", fid, "run", method="POST", body={})
    assert code == 403, body
    assert body["message"].startswith("flow is not trusted: node 'sh' calls os:system")
    assert "trust the flow to run Python references" in body["message"]
    code, body = await _call(jp_fetch, "run", method="POST", body={"flow": pwn_flow(marker)})
    assert code == 403 and "os:system" in body["message"]
    code, body = await _call(jp_fetch, "validate", method="POST", body=pwn_flow(marker))
    assert code == 400 and {i["node_id"] for i in body["issues"] if i["code"] == "untrusted"} == {"sh", "m"}
    code, state = await _call(jp_fetch, "trust-status", method="POST", body=pwn_flow(marker))
    assert state == {
        "trusted": False,
        "references": [
            {"node_id": "sh", "reference": "os:system"},
            {"node_id": "m", "reference": "os:system"},
        ],
    }
    time.sleep(0.2)
    assert not marker.exists()
    assert (await _call(jp_fetch, "runs"))[1] == {"runs": []}  # nothing was even started

    # Moving nodes and saving keeps it untrusted.
    moved = saved["flow"]
    for i, node in enumerate(moved["nodes"]):
        node["position"] = {"x": 40.0 * i, "y": 333.0}
    code, resaved = await _call(jp_fetch, "flows", fid, method="PUT", body=moved)
    assert code == 200 and resaved["trusted"] is False and resaved["flow"]["nodes"][0]["position"]["y"] == 333
    assert (await _call(jp_fetch, "flows", fid, "run", method="POST", body={}))[0] == 403
    assert not marker.exists()

    # The user trusts it: now it runs (and so does the same flow from a canvas, wherever it is opened).
    code, trusted = await _call(jp_fetch, "flows", fid, "trust", method="POST", body={})
    assert code == 200 and trusted["trusted"] is True
    code, started = await _call(jp_fetch, "flows", fid, "run", method="POST", body={})
    assert code == 202, started
    run = await _wait_finished(jp_fetch, started["run_id"])
    assert run["status"] == "succeeded" and run["outputs"] == {"a": [0], "b": [0]}
    assert marker.exists()
    code, state = await _call(jp_fetch, "trust-status", method="POST", body=pwn_flow(marker))
    assert state["trusted"] is True


async def test_a_flow_made_in_the_studio_is_trusted_and_stays_trusted_when_saved(jp_fetch):
    flow = one_node("map", function="json:dumps")
    code, created = await _call(jp_fetch, "flows", method="POST", body=flow)
    assert code == 201 and created["trusted"] is True and created["issues"] == []
    fid = created["id"]
    code, started = await _call(
        jp_fetch, "run", method="POST", body={"flow": flow, "inputs": {"input": "hi"}}
    )
    assert code == 202  # the canvas runs the same content: its signature matches
    assert (await _wait_finished(jp_fetch, started["run_id"]))["outputs"] == {"output": ['"hi"']}
    changed = {**created["flow"]}
    changed["nodes"][1]["data"]["config"]["function"] = "json:loads"
    code, saved = await _call(jp_fetch, "flows", fid, method="PUT", body=changed)
    assert code == 200 and saved["trusted"] is True  # the user's own edit of a trusted flow
    code, got = await _call(jp_fetch, "flows", fid)
    assert got["trusted"] is True


async def test_trust_follows_the_content_not_the_layout(jp_fetch):
    flow = one_node("map", function="json:dumps")
    assert (await _call(jp_fetch, "trust-status", method="POST", body=flow))[1]["trusted"] is False
    code, state = await _call(jp_fetch, "trust", method="POST", body=flow)
    assert code == 200 and state["trusted"] is True
    moved = json.loads(json.dumps(flow))
    moved["name"] = "renamed"
    moved["nodes"][1]["position"] = {"x": 500.0, "y": 7.0}
    moved["nodes"][1]["data"]["label"] = "a label"
    assert (await _call(jp_fetch, "trust-status", method="POST", body=moved))[1]["trusted"] is True
    moved["nodes"][1]["data"]["config"]["function"] = "os:system"
    code, state = await _call(jp_fetch, "trust-status", method="POST", body=moved)
    assert state["trusted"] is False and state["references"] == [{"node_id": "n", "reference": "os:system"}]
    # A flow without Python references runs untrusted (declarative operators only).
    plain = one_node("map", expression="x ~ '!'")
    code, started = await _call(
        jp_fetch, "run", method="POST", body={"flow": plain, "inputs": {"input": "a"}}
    )
    assert code == 202 and (await _wait_finished(jp_fetch, started["run_id"]))["outputs"] == {
        "output": ["a!"]
    }


# -- files: inside the Jupyter root (and the templates' sample documents) ------------------------------------
async def _run_adhoc(jp_fetch, flow, inputs=None):
    code, started = await _call(jp_fetch, "run", method="POST", body={"flow": flow, "inputs": inputs or {}})
    assert code == 202, started
    return await _wait_finished(jp_fetch, started["run_id"])


async def test_files_stay_inside_the_jupyter_root(jp_fetch, jp_root_dir, tmp_path):
    (jp_root_dir / "notes").mkdir()
    (jp_root_dir / "notes" / "a.md").write_text("inside the root")
    run = await _run_adhoc(jp_fetch, one_node("file_source", path="notes/a.md"))
    assert run["status"] == "succeeded" and run["outputs"]["output"][0][0]["text"] == "inside the root"

    for path in ("/etc/passwd", "../../etc/passwd", str(tmp_path / "outside.md")):
        (tmp_path / "outside.md").write_text("secret")
        run = await _run_adhoc(jp_fetch, one_node("file_source", path=path))
        assert run["status"] == "failed" and "outside the folder this flow may read" in run["error"], path
        assert run["outputs"] == {}
    # a run input naming the file is confined the same way
    run = await _run_adhoc(jp_fetch, one_node("file_source", path="notes/a.md"), {"file": "/etc/passwd"})
    assert run["status"] == "failed" and "/etc/passwd is outside" in run["error"]

    run = await _run_adhoc(jp_fetch, one_node("file_sink", path="../escaped.txt"), {"input": "x"})
    assert run["status"] == "failed" and "outside the folder this flow may write" in run["error"]
    assert not (jp_root_dir.parent / "escaped.txt").exists()
    run = await _run_adhoc(jp_fetch, one_node("file_sink", path="out/kept.txt"), {"input": "x"})
    assert run["status"] == "succeeded" and (jp_root_dir / "out" / "kept.txt").read_text() == "x\n"


async def test_a_template_s_sample_documents_resolve_from_the_canvas(jp_fetch):
    code, body = await _call(jp_fetch, "templates")
    summarise = next(t for t in body["templates"] if t["id"] == "summarise-file")["flow"]
    file_node = next(n for n in summarise["nodes"] if n["type"] == "file_source")
    flow = one_node("file_source", **file_node["data"]["config"])  # sample_docs/flows.md, not in the root
    run = await _run_adhoc(jp_fetch, flow)
    assert run["status"] == "succeeded", run["error"]
    assert run["outputs"]["output"][0][0]["metadata"]["source"].endswith("sample_docs/flows.md")


# -- the core: Python API, expressions, calculator, signatures ----------------------------------------------
def test_the_python_api_trusts_what_the_user_builds_not_what_it_loads(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "pwned"
    foreign = tmp_path / "foreign.sage-flow.json"
    foreign.write_text(json.dumps(pwn_flow(marker)))
    flow = Flow.load(foreign)
    assert flow.is_trusted() is False
    assert {i["node_id"] for i in flow.validate() if i["code"] == "untrusted"} == {"sh", "m"}
    with pytest.raises(Forbidden, match="flow is not trusted: node 'sh' calls os:system"):
        flow.run(record=False)
    assert not marker.exists()

    mine = Flow.from_dict(pwn_flow(marker), trusted=True)  # built and vouched for in Python
    saved = mine.save(tmp_path / "mine")
    assert Flow.load(saved).is_trusted() is True  # saved by its user: opens trusted
    assert Flow.load(saved).run(record=False).ok and marker.exists()


def test_an_env_secret_needs_trust_too(monkeypatch):
    monkeypatch.setenv("SAGE_TEST_SECRET", "s3cret")
    flow = Flow.from_dict(
        {
            "nodes": [
                {"id": "in", "type": "text_input"},
                {
                    "id": "llm",
                    "type": "generator",
                    "data": {"config": {"base_url": "http://127.0.0.1:9", "api_key": "env:SAGE_TEST_SECRET"}},
                },
                {"id": "o", "type": "output"},
            ],
            "edges": [
                {"source": "in", "target": "llm", "targetHandle": "prompt"},
                {"source": "llm", "target": "o"},
            ],
        }
    )
    with pytest.raises(Forbidden, match="node 'llm' reads the secret env:SAGE_TEST_SECRET"):
        flow.run("hi", record=False)


@pytest.mark.parametrize(
    ("expression", "error"),
    [
        ("().__class__.__base__.__subclasses__()", "not allowed: access to attribute '__class__'"),
        ("x.__class__.__mro__", "not allowed"),
        ("json.dumps | attr('__globals__')", "not allowed"),
        ("str.format('{0.__class__.__mro__}', x)", "no attribute 'format'"),  # an unbound format: no sandbox
        ("sorted([x], key=str.format_map)", "no attribute 'format_map'"),
        ("10**100000", "power too large"),
        ("(((9**99)**99)**99)**12", "power too large"),
        ("'a' * 10**9", "repetition too large"),
        ("x.ljust(10**9)", "argument too large"),
        ("'{:>999999999}'.format(x)", "format width too large"),
        ("undefined_name", "'undefined_name' is undefined"),
    ],
)
def test_map_expressions_are_sandboxed_and_bounded(expression, error):
    t0 = time.perf_counter()
    r = expression_flow(expression).run("hi", record=False)
    assert r.status == "failed" and "ExpressionError" in r.error and error in r.error, r.error
    assert time.perf_counter() - t0 < 5  # refused, not computed


def test_expressions_keep_working_and_are_time_bounded(monkeypatch):
    assert expression_flow("x.upper() + '!'").run("hi", record=False).value() == "HI!"
    assert expression_flow("x | trim | length > 1").run(" ab ", record=False).value() is True
    assert expression_flow("json.loads(x)['a'] * 2").run('{"a": 21}', record=False).value() == 42
    assert expression_flow("2 ** 100").run("", record=False).value() == 2**100
    issues = expression_flow("[c for c in x]").validate()
    assert [i["code"] for i in issues] == ["bad_config"] and issues[0]["message"].startswith("expression:")
    from sage_studio_lab.flow import sandbox

    monkeypatch.setattr(sandbox, "TIME_LIMIT_S", 0.01)
    r = expression_flow("range(99999) | map('string') | map('upper') | join | length").run("", record=False)
    assert r.status == "failed" and "took longer than 0.01 s" in r.error


def test_the_calculator_answers_huge_powers_with_a_clear_error_fast():
    t0 = time.perf_counter()
    with pytest.raises(ExpressionError, match="calculator: power too large"):
        calculator("(((9**99)**99)**99)**12")
    with pytest.raises(ExpressionError, match="power too large"):
        calculator("10**100000")
    with pytest.raises(ExpressionError, match="product too large"):
        calculator("(10**6000) * (10**6000)")
    with pytest.raises(ExpressionError, match="not arithmetic"):
        calculator("__import__('os').system('true')")
    assert time.perf_counter() - t0 < 1.0
    assert calculator("2 ** 10 + 7 // 2") == 1027


def test_signatures_are_per_user_with_a_private_key(monkeypatch):
    flow = Flow.from_dict(one_node("map", function="json:dumps"))
    flow.trust()
    key = paths.user_dir() / "flow-signing.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600 and len(bytes.fromhex(key.read_text().strip())) == 32
    assert Flow.from_dict(one_node("map", function="json:dumps")).is_trusted() is True
    monkeypatch.setenv("SAGE_STUDIO_USER", "someone-else")
    assert Flow.from_dict(one_node("map", function="json:dumps")).is_trusted() is False


# -- the CLI and the notebook widget -------------------------------------------------------------------------
def test_cli_runs_a_foreign_file_only_with_trust(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "pwned"
    path = tmp_path / "foreign.sage-flow.json"
    path.write_text(json.dumps(pwn_flow(marker)))
    assert cli.main(["flow", "run", str(path), "--no-record"]) == 1
    assert "error: flow is not trusted: node 'sh' calls os:system" in capsys.readouterr().err
    assert not marker.exists()
    assert cli.main(["flow", "validate", str(path)]) == 1
    assert "error: sh: flow is not trusted" in capsys.readouterr().out
    assert cli.main(["flow", "run", str(path), "--trust", "--no-record"]) == 0 and marker.exists()
    marker.unlink()
    assert cli.main(["flow", "run", str(path), "--no-record"]) == 0 and marker.exists()  # signed now

    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("not in the current directory")
    reader = tmp_path / "reader.sage-flow.json"
    reader.write_text(json.dumps(one_node("file_source", path=str(outside))))
    assert cli.main(["flow", "run", str(reader), "--no-record"]) == 1
    assert "outside the folder this flow may read" in capsys.readouterr().err
    assert cli.main(["flow", "run", str(reader), "--no-record", "--root", str(tmp_path.parent)]) == 0


def test_the_widget_canvas_shows_and_changes_trust(tmp_path):
    from sage_studio_lab.widgets.flow_canvas import FlowCanvas
    from sage_studio_lab.widgets.testing import frontend_call, frontend_set, recording_comms

    with recording_comms():
        mine = FlowCanvas(Flow.from_dict(one_node("map", function="json:dumps"), trusted=True))
        result, _ = frontend_call(mine, "flow.trust_status", {"flow": mine.flow.to_dict()})
        assert result["value"]["trusted"] is True
        edited = mine.flow.to_dict()
        edited["nodes"][1]["data"]["config"]["function"] = "json:loads"  # the user's edit on the canvas
        frontend_set(mine, flow=edited)
        assert mine.flow.is_trusted() and mine.run('"hi"') == {"output": ["hi"]}

        marker = tmp_path / "pwned"
        foreign = tmp_path / "foreign.sage-flow.json"
        foreign.write_text(json.dumps(pwn_flow(marker)))
        canvas = FlowCanvas(str(foreign))
        state, _ = frontend_call(canvas, "flow.trust_status", {"flow": canvas.flow.to_dict()})
        assert state["value"]["trusted"] is False
        moved = canvas.flow.to_dict()
        moved["nodes"][0]["position"] = {"x": 999.0, "y": 1.0}
        frontend_set(canvas, flow=moved)  # moving nodes does not trust it
        result, _ = frontend_call(canvas, "flow.run", {"flow": moved, "inputs": {}})
        assert result["ok"] is False and result["error"]["status"] == 403 and not marker.exists()
        result, _ = frontend_call(canvas, "flow.trust", {"flow": moved})
        assert result["value"]["trusted"] is True
        result, _ = frontend_call(canvas, "flow.run", {"flow": moved, "inputs": {}})
        assert result["ok"] and result["value"]["status"] == "succeeded" and marker.exists()
