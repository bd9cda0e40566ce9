"""The Ray executor gives the same results and events as the local one (a small local Ray instance)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from sage_studio_lab.flow import Flow
from tests.test_flow_executor import router_flow

pytestmark = pytest.mark.slow
ray = pytest.importorskip("ray")


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    yield
    if ray.is_initialized():
        ray.shutdown()


def _signature(result):
    """What must match across executors: per node, the event types and previews (not timings or seq)."""
    keep = (
        "type",
        "node_id",
        "port",
        "preview",
        "count",
        "activations",
        "messages_out",
        "token",
        "status",
        "error",
    )
    return Counter(
        json.dumps({k: e[k] for k in keep if k in e}, sort_keys=True, default=str)
        for e in result.events
        if e["type"] not in ("run_started",)
    )


def docs_flow(tmp_path) -> Flow:
    (tmp_path / "a.md").write_text(
        "Ray runs tasks on a cluster. Flows can run on Ray.\n\nThe local executor is asyncio."
    )
    f = Flow("docs", base_dir=tmp_path)
    f.add_node("text_input", id="q")
    f.add_node("file_source", id="files", path="*.md")
    f.add_node("chunker", id="chunk", chunk_size=40, overlap=5)
    f.add_node("bm25_retriever", id="bm25", top_k=2)
    f.add_node("list_input", id="nums", items=[1, 2, 3, 4])
    f.add_node("filter", id="even", expression="x % 2 == 0")
    f.add_node("map", id="sq", expression="x * x")
    f.add_node("output", id="hits", name="hits")
    f.add_node("output", id="squares", name="squares")
    f.connect("files", "chunk")
    f.connect("chunk", "bm25", "documents", "documents")
    f.connect("q", "bm25", "text", "query")
    f.connect("bm25", "hits")
    f.connect("nums", "even")
    f.connect("even", "sq", "out", "in")
    f.connect("sq", "squares")
    return f


def test_ray_matches_local_on_branching_and_document_flows(tmp_path):
    for flow, inputs in (
        (router_flow(), "make it loud"),
        (router_flow(), "3 + 4"),
        (docs_flow(tmp_path), "ray cluster"),
    ):
        local = flow.run(inputs, record=False)
        on_ray = flow.run(inputs, executor="ray", record=False, num_cpus=1)
        assert local.ok and on_ray.ok, (local.error, on_ray.error)
        assert on_ray.outputs == local.outputs
        assert _signature(on_ray) == _signature(local)
        assert on_ray.events[0]["executor"] == "ray"


def test_ray_failure_and_retries_match_local():
    f = Flow("boom")
    f.add_node("text_input", id="in")
    f.add_node("map", id="bad", expression="1 / 0", max_retries=1)
    f.add_node("output", id="o")
    f.connect("in", "bad")
    f.connect("bad", "o")
    local = f.run("x", record=False)
    on_ray = f.run("x", executor="ray", record=False)
    assert local.status == on_ray.status == "failed"
    assert "ZeroDivisionError" in on_ray.error
    assert (
        [e["type"] for e in on_ray.events if e.get("node_id") == "bad"]
        == [e["type"] for e in local.events if e.get("node_id") == "bad"]
        == ["node_started", "node_retry", "node_failed"]
    )
