"""The palette, third-party operators via entry points, and validation issues for each bad case."""

from __future__ import annotations

import sys
import textwrap

import pytest

from sage_studio_lab.errors import InvalidInput
from sage_studio_lab.flow import Flow, registry
from sage_studio_lab.flow.spec import parse_flow

BUILTINS = {
    "text_input",
    "chat_input",
    "file_source",
    "list_input",
    "chunker",
    "embedder",
    "vector_writer",
    "vector_retriever",
    "bm25_retriever",
    "reranker",
    "prompt_template",
    "generator",
    "intent_router",
    "tool_call",
    "map",
    "filter",
    "join",
    "output",
    "file_sink",
}


def test_palette_describes_every_builtin_with_ports_and_config():
    ops = {op["type"]: op for op in registry.palette()}
    assert BUILTINS <= set(ops)
    gen = ops["generator"]
    assert gen["category"] == "llm" and gen["icon"] and gen["label"]
    assert {p["name"] for p in gen["inputs"]} == {"prompt", "messages"}
    fields = {f["name"]: f for f in gen["config"]}
    assert fields["api_key"]["secret"] is True and fields["temperature"]["max"] == 2
    assert {"timeout_s", "max_retries"} <= set(fields)
    assert {f["name"]: f for f in ops["chunker"]["config"]}["mode"]["options"] == ["character", "token"]
    assert {f["name"]: f for f in ops["file_source"]["config"]}["path"]["required"] is True
    assert [p["name"] for p in ops["intent_router"]["outputs"]] == ["question", "default"]


def test_third_party_operator_from_entry_point(tmp_path, monkeypatch):
    pkg = tmp_path / "my_ops.py"
    pkg.write_text(
        textwrap.dedent("""
        from sage_studio_lab.flow import Operator, Port
        class Reverse(Operator):
            type = "my_reverse"
            category = "transform"
            inputs = [Port("in", "text")]
            outputs = [Port("out", "text")]
            def process(self, inputs, ctx):
                return {"out": inputs["in"][::-1]}
    """)
    )
    dist = tmp_path / "my_ops-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: my-ops\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[sage_studio_lab.operators]\nreverse = my_ops:Reverse\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "_loaded", False)
    try:
        assert registry.get_operator("my_reverse") is not None
        f = Flow("plugin")
        f.add_node("text_input", id="in")
        f.add_node("my_reverse", id="rev")
        f.add_node("output", id="o")
        f.connect("in", "rev")
        f.connect("rev", "o")
        assert f.run("abc", record=False).value() == "cba"
    finally:
        registry._registry.pop("my_reverse", None)
        sys.modules.pop("my_ops", None)


def _issues(flow: Flow) -> list[tuple]:
    return [(i["code"], i["node_id"], i.get("field")) for i in flow.validate()]


def test_validation_issue_per_bad_case():
    f = Flow("bad")
    f.add_node("text_input", id="in")
    f.add_node("wat", id="unknown")
    f.add_node("file_source", id="files")  # path is required
    f.add_node("chunker", id="chunk", chunk_size=0, overlap=5, mode="words")
    f.add_node("map", id="m1", expression="x +")
    f.add_node("map", id="m2")
    f.add_node("generator", id="gen")  # no input wired: fine, both optional
    f.add_node("output", id="dangling")  # `in` not connected
    f.connect("in", "unknown")
    f.connect("files", "gen", "documents", "messages")  # documents -> messages
    f.connect("m1", "m2", "out", "in")
    f.connect("m2", "m1", "out", "in")  # cycle
    f.connect("in", "ghost", "text", "in")
    f.connect("in", "chunk", "text", "nope")
    codes = _issues(f)
    assert ("unknown_type", "unknown", None) in codes
    assert ("missing_config", "files", "path") in codes
    assert ("bad_config", "chunk", "chunk_size") in codes and ("bad_config", "chunk", "mode") in codes
    assert ("bad_config", "m1", None) in codes  # syntax error in the expression
    assert ("type_mismatch", "gen", None) in codes
    assert ("dangling_input", "dangling", "in") in codes and ("dangling_input", "chunk", "documents") in codes
    assert ("cycle", "m1", None) in codes
    assert ("dangling_edge", None, None) in codes
    assert ("unknown_port", "chunk", None) in codes
    messages = " | ".join(i["message"] for i in f.validate())
    assert "cycle: m1 → m2 → m1" in messages and "gives documents" in messages


def test_router_ports_follow_config_and_reserved_names():
    f = Flow("r")
    f.add_node("text_input", id="in")
    f.add_node("intent_router", id="r", routes=[{"name": "default", "keywords": ["x"]}])
    f.connect("in", "r")
    assert ("bad_config", "r", None) in _issues(f)


def test_malformed_flow_json_is_refused_with_a_reason():
    with pytest.raises(InvalidInput, match="not valid JSON"):
        parse_flow("{nodes: ")
    with pytest.raises(InvalidInput, match="nodes"):
        parse_flow({"nodes": "many"})
    with pytest.raises(InvalidInput, match="newer"):
        parse_flow({"version": 99, "nodes": []})
    assert Flow("empty").validate()[0]["code"] == "empty"


def test_save_load_round_trip(tmp_path):
    from tests.test_flow_executor import router_flow

    path = router_flow().save(tmp_path / "router")
    assert path.name == "router.sage-flow.json"
    again = Flow.load(path)
    assert again.validate() == [] and again.run("loud", record=False).value() == "LOUD!"
