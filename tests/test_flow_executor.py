"""The local executor on real flows: branches, joins, retries, timeouts, cancellation, recording."""

from __future__ import annotations

import asyncio
import json

import pytest

from sage_studio_lab.flow import Flow, Operator, Port, register_operator
from sage_studio_lab.flow.repository import FlowRepository

ATTEMPTS: dict[str, int] = {}


@register_operator
class Flaky(Operator):
    """Test operator: fails `fail_times` times per key, then echoes its input."""

    type = "test_flaky"
    inputs = [Port("in", "any")]
    outputs = [Port("out", "any")]

    def process(self, inputs, ctx):
        key = self.config.get("key", "k")
        ATTEMPTS[key] = ATTEMPTS.get(key, 0) + 1
        if ATTEMPTS[key] <= int(self.config.get("fail_times", 0)):
            raise RuntimeError(f"flaky failure {ATTEMPTS[key]}")
        return {"out": inputs["in"]}


@register_operator
class Sleepy(Operator):
    type = "test_sleepy"
    inputs = [Port("in", "any")]
    outputs = [Port("out", "any")]

    async def process(self, inputs, ctx):
        await asyncio.sleep(float(self.config.get("seconds", 30)))
        return {"out": inputs["in"]}


def router_flow() -> Flow:
    f = Flow("router")
    f.add_node("text_input", id="in")
    f.add_node(
        "intent_router",
        id="router",
        routes=[{"name": "math", "keywords": ["sum", "+"]}, {"name": "shout", "keywords": ["loud"]}],
    )
    f.add_node("tool_call", id="calc", tool="calculator")
    f.add_node("map", id="shout", expression="x.upper() + '!'")
    f.add_node("map", id="echo", expression="'echo: ' + x")
    f.add_node("join", id="join", mode="first")
    f.add_node("output", id="out", name="answer")
    f.connect("in", "router", "text", "text")
    f.connect("router", "calc", "math", "in")
    f.connect("router", "shout", "shout", "in")
    f.connect("router", "echo", "default", "in")
    f.connect("calc", "join", "out", "a")
    f.connect("shout", "join", "out", "b")
    f.connect("echo", "join", "out", "c")
    f.connect("join", "out", "out", "in")
    return f


def _types(result, node=None):
    return [e["type"] for e in result.events if node is None or e.get("node_id") == node]


def test_router_picks_one_branch_and_the_join_is_not_blocked():
    flow = router_flow()
    assert flow.validate() == []
    r = flow.run("be loud please", record=False)
    assert r.ok and r.outputs == {"answer": ["BE LOUD PLEASE!"]}
    assert "node_skipped" in _types(r, "calc") and "node_skipped" in _types(r, "echo")
    assert _types(r, "shout") == ["node_started", "node_output", "node_finished"]
    assert flow.run("2 + 3", record=False).value() == 5
    assert flow.run("hello", record=False).value() == "echo: hello"


def test_fan_out_then_join_collects_every_branch():
    f = Flow("fan")
    f.add_node("list_input", id="src", items=["a", "bb", "ccc"])
    f.add_node("map", id="len", expression="len(x)")
    f.add_node("map", id="up", expression="x.upper()")
    f.add_node("join", id="join", mode="dict")
    f.add_node("filter", id="long", expression="len(x) > 1")
    f.add_node("output", id="o1", name="joined")
    f.add_node("output", id="o2", name="long")
    for target in ("len", "up", "long"):
        f.connect("src", target, "item", "in")
    f.connect("len", "join", "out", "a")
    f.connect("up", "join", "out", "b")
    f.connect("join", "o1", "out", "in")
    f.connect("long", "o2", "out", "in")
    r = f.run(record=False)
    assert r.ok, r.error
    assert r.outputs["joined"] == [{"a": [1, 2, 3], "b": ["A", "BB", "CCC"]}]
    assert r.outputs["long"] == ["bb", "ccc"]
    finished = [e for e in r.events if e["type"] == "node_finished" and e["node_id"] == "len"][0]
    assert finished["activations"] == 3 and finished["duration_s"] >= 0


def test_zip_of_two_streams_and_backpressure_with_tiny_queues():
    f = Flow("zip")
    f.add_node("list_input", id="a", name="a")
    f.add_node("list_input", id="b", name="b")
    f.add_node("prompt_template", id="p", template="{{ question }}-{{ extra }}")
    f.add_node("output", id="o")
    f.connect("a", "p", "item", "question")
    f.connect("b", "p", "item", "extra")
    f.connect("p", "o", "text", "in")
    r = f.run({"a": list(range(200)), "b": list(range(100, 300))}, record=False, queue_size=2)
    assert r.ok and r.outputs["output"] == [f"{i}-{i + 100}" for i in range(200)]


def test_failing_node_retries_then_fails_the_run():
    ATTEMPTS.clear()
    f = Flow("flaky")
    f.add_node("text_input", id="in")
    f.add_node("test_flaky", id="ok", key="ok", fail_times=2, max_retries=2)
    f.add_node("test_flaky", id="bad", key="bad", fail_times=5, max_retries=1)
    f.add_node("output", id="o")
    f.connect("in", "ok", "text", "in")
    f.connect("ok", "bad", "out", "in")
    f.connect("bad", "o", "out", "in")
    r = f.run("x")
    assert r.status == "failed" and "flaky failure 2" in r.error and "'bad'" in r.error
    assert _types(r, "ok") == ["node_started", "node_retry", "node_retry", "node_output", "node_finished"]
    assert _types(r, "bad") == ["node_started", "node_retry", "node_failed"]
    failed = [e for e in r.events if e["type"] == "node_failed"][0]
    assert failed["attempts"] == 2 and "RuntimeError" in failed["error"]
    run = FlowRepository().run(r.run_id)  # recorded, with every event
    assert run["status"] == "failed" and run["error"] == r.error
    assert [e["type"] for e in FlowRepository().events(r.run_id)] == _types(r)


def test_timeout_counts_as_a_failure():
    f = Flow("slow")
    f.add_node("text_input", id="in")
    f.add_node("test_sleepy", id="sleep", seconds=10, timeout_s=0.2)
    f.add_node("output", id="o")
    f.connect("in", "sleep", "text", "in")
    f.connect("sleep", "o", "out", "in")
    r = f.run("x", record=False)
    assert r.status == "failed" and "timed out after 0.2 s" in r.error


async def test_cancel_mid_run_stops_it_and_records_cancelled():
    f = Flow("cancel")
    f.add_node("text_input", id="in")
    f.add_node("test_sleepy", id="sleep", seconds=30)
    f.add_node("output", id="o")
    f.connect("in", "sleep", "text", "in")
    f.connect("sleep", "o", "out", "in")
    seen = []
    async for ev in f.stream("x"):
        seen.append(ev)
        if ev["type"] == "node_started" and ev["node_id"] == "sleep":
            f.cancel()
    assert seen[-1]["type"] == "run_finished" and seen[-1]["status"] == "cancelled"
    assert FlowRepository().run(seen[-1]["run_id"])["status"] == "cancelled"


def test_invalid_flow_does_not_run():
    f = Flow("bad")
    f.add_node("nope", id="x")
    with pytest.raises(Exception, match="unknown operator type 'nope'"):
        f.run(record=False)


def test_file_source_chunker_bm25_and_file_sink(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("Cats purr when happy. " * 5 + "Dogs bark at strangers.")
    (tmp_path / "docs" / "b.jsonl").write_text(json.dumps({"text": "Rust is a systems language"}) + "\n")
    f = Flow("bm25", base_dir=tmp_path)
    f.add_node("text_input", id="q")
    f.add_node("file_source", id="files", path="docs")
    f.add_node("chunker", id="chunk", chunk_size=60, overlap=10)
    f.add_node("bm25_retriever", id="bm25", top_k=2)
    f.add_node("map", id="texts", expression="x | map(attribute='text') | list")
    f.add_node("file_sink", id="sink", path="out/hits.jsonl", format="jsonl", append=False)
    f.add_node("output", id="o", name="hits")
    f.connect("files", "chunk", "documents", "documents")
    f.connect("chunk", "bm25", "documents", "documents")
    f.connect("q", "bm25", "text", "query")
    f.connect("bm25", "texts", "documents", "in")
    f.connect("texts", "o", "out", "in")
    f.connect("texts", "sink", "out", "in")
    r = f.run("which animals bark?", record=False)
    assert r.ok, r.error
    (hits,) = r.outputs["hits"]
    assert "bark" in hits[0] and all(len(h) <= 60 for h in hits)
    assert json.loads((tmp_path / "out" / "hits.jsonl").read_text()) == hits


def test_prompt_template_is_sandboxed():
    f = Flow("sandbox")
    f.add_node("text_input", id="q")
    f.add_node("prompt_template", id="p", template="{{ question.__class__.__mro__[1].__subclasses__() }}")
    f.add_node("output", id="o")
    f.connect("q", "p", "text", "question")
    f.connect("p", "o", "text", "in")
    r = f.run("x", record=False)
    assert r.status == "failed" and "SecurityError" in r.error


def test_runs_are_recorded_per_flow():
    flow = router_flow()
    repo = FlowRepository()
    saved = repo.create(flow.spec)
    stored = Flow.from_store(saved["id"])
    r = stored.run("hello")
    runs = repo.runs(saved["id"])
    assert [x["id"] for x in runs] == [r.run_id] and runs[0]["outputs"] == {"answer": ["echo: hello"]}


@pytest.mark.slow
def test_embedder_vector_store_reranker_and_token_chunker(tmp_path):
    (tmp_path / "kb.jsonl").write_text(
        "\n".join(
            json.dumps({"text": t})
            for t in (
                "The Eiffel Tower is in Paris.",
                "Python is a programming language.",
                "Bananas are yellow.",
                "The Louvre museum is in Paris too.",
            )
        )
    )
    f = Flow("vectors", base_dir=tmp_path)
    f.add_node("text_input", id="q")
    f.add_node("file_source", id="kb", path="kb.jsonl")
    f.add_node("chunker", id="chunk", mode="token", chunk_size=16, overlap=2)
    f.add_node("embedder", id="embed")
    f.add_node("vector_writer", id="write", collection="kb", reset=True)
    f.add_node("vector_retriever", id="search", collection="kb", top_k=3)
    f.add_node("reranker", id="rerank", top_k=2)
    f.add_node("output", id="count", name="count")
    f.add_node("output", id="hits", name="hits")
    f.connect("kb", "chunk")
    f.connect("chunk", "embed")
    f.connect("embed", "write")
    f.connect("write", "count")
    f.connect("write", "search", "count", "after")
    f.connect("q", "search", "text", "query")
    f.connect("q", "rerank", "text", "query")
    f.connect("search", "rerank", "documents", "documents")
    f.connect("rerank", "hits")
    r = f.run("Which landmarks are in Paris?", record=False)
    assert r.ok, r.error
    assert r.outputs["count"] == [4]  # each line fits one 16-token chunk
    hits = r.value("hits")
    assert len(hits) == 2 and all("Paris" in h["text"] for h in hits) and hits[0]["score"] >= hits[1]["score"]
    assert "embedding" not in hits[0]
    from sage_studio_lab.flow.operators.text import split_tokens

    assert split_tokens("one two three four five six", 3, 1, "embedding") == [
        "one two three",
        "three four five",
        "five six",
    ]
    again = f.run(
        "yellow fruit", record=False
    )  # the collection persisted; reset=True rewrote it, no duplicates
    assert again.outputs["count"] == [4] and "Bananas" in again.value("hits")[0]["text"]
