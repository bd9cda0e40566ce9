"""Templates end to end with the real parts: bundled embedder, FAISS collection, the CPU engine started by
EngineManager (the generator's default endpoint), Python export run in a subprocess, and the CLI."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

from sage_studio_lab import store
from sage_studio_lab.engine import EngineManager
from sage_studio_lab.flow import Flow
from sage_studio_lab.flow.templates import list_templates

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine_home(tmp_path_factory):
    """One CPU engine for the module, registered in its own Studio home (tests switch to that home)."""
    home = tmp_path_factory.mktemp("engine-home")
    old = os.environ.get("SAGE_STUDIO_HOME")
    os.environ["SAGE_STUDIO_HOME"] = str(home)
    store.reset_stores()
    manager = EngineManager()
    try:
        manager.start(wait=True, timeout=240)
        yield home
    finally:
        os.environ["SAGE_STUDIO_HOME"] = str(home)
        store.reset_stores()
        EngineManager().stop()
        if old is None:
            os.environ.pop("SAGE_STUDIO_HOME", None)
        else:
            os.environ["SAGE_STUDIO_HOME"] = old
        store.reset_stores()


@pytest.fixture
def in_engine_home(engine_home, monkeypatch):
    monkeypatch.setenv("SAGE_STUDIO_HOME", str(engine_home))
    store.reset_stores()
    return engine_home


def _short(flow: Flow, max_tokens: int = 12) -> Flow:
    """Fewer generated tokens: these tests check plumbing and equality, not answer quality."""
    for node in flow.spec.nodes:
        if node.type == "generator":
            node.data.config["max_tokens"] = max_tokens
    return flow


def _tokens(result):
    return "".join(e["token"] for e in result.events if e["type"] == "token")


def test_rag_template_over_markdown_files(in_engine_home, tmp_path):
    docs = tmp_path / "notes"
    docs.mkdir()
    (docs / "france.md").write_text("# France\n\nParis is the capital of France.")
    (docs / "fruit.md").write_text("# Fruit\n\nBananas are yellow and rich in potassium.")
    (docs / "rust.md").write_text("# Rust\n\nRust is a memory-safe systems programming language.")
    flow = Flow.template("rag-over-documents")
    assert flow.validate() == []
    r = flow.run({"input": "What is the capital of France?", "file": str(docs)})
    assert r.ok, r.error
    sources = r.outputs["sources"][0]
    assert "Paris" in sources[0]["text"] and sources[0]["metadata"]["source"].endswith("france.md")
    answer = r.value("answer")
    assert "Paris" in answer
    assert _tokens(r) == answer  # the generator streamed exactly the answer, token by token
    # the collection persisted, in the same vector store the memory uses
    from sage_studio_lab.retrieval import Collection

    assert len(Collection("rag-documents")) == 3


def _same(a, b) -> bool:
    """Equal, floats within 1e-5 (a process's torch thread count changes the order of float sums)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-7)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_templates_export_to_python_and_reproduce_the_run(in_engine_home, tmp_path):
    shipped = {t["id"] for t in list_templates()}
    assert {"rag-over-documents", "summarise-file"} <= shipped
    env = {**os.environ, "SAGE_STUDIO_HOME": str(in_engine_home)}
    for key in ("rag-over-documents", "summarise-file"):
        flow = _short(Flow.template(key))
        expected = flow.run({"input": "What are flows?"}, record=False)
        assert expected.ok, expected.error
        script = tmp_path / f"{key}.py"
        script.write_text(flow.to_python())
        out = subprocess.run(
            [sys.executable, str(script), "--input", "What are flows?"],
            capture_output=True,
            text=True,
            timeout=180,
            env=env,
        )
        assert out.returncode == 0, out.stderr[-2000:]
        exported, in_process = json.loads(out.stdout), json.loads(json.dumps(expected.outputs))
        assert _same(exported, in_process), (key, exported, in_process)


def test_cli_runs_and_exports_a_flow_file(in_engine_home, tmp_path):
    path = _short(Flow.template("summarise-file")).save(tmp_path / "summ")
    env = {**os.environ, "SAGE_STUDIO_HOME": str(in_engine_home)}
    doc = tmp_path / "doc.txt"
    doc.write_text("The Eiffel Tower is in Paris. It was finished in 1889 and is 330 metres tall.")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sage_studio_lab.cli",
            "flow",
            "run",
            str(path),
            "--inputs",
            json.dumps({"file": str(doc)}),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=tmp_path,  # the CLI's flows use files inside the current directory (or --root)
    )
    assert out.returncode == 0, out.stderr[-2000:]
    summary = json.loads(out.stdout)["summary"][0]
    assert summary and summary in out.stderr  # tokens were streamed to stderr as they came
    out = subprocess.run(
        [sys.executable, "-m", "sage_studio_lab.cli", "flow", "export", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert out.returncode == 0 and "def build_flow() -> Flow:" in out.stdout


def _documents_only(flow: Flow) -> dict:
    """The template's file source alone, its documents collected (no engine needed)."""
    data = flow.to_dict()
    data["nodes"] = [n for n in data["nodes"] if n["type"] == "file_source"] + [{"id": "o", "type": "output"}]
    data["edges"] = [{"source": data["nodes"][0]["id"], "target": "o"}]
    return data


@pytest.mark.parametrize("key", ["rag-over-documents", "summarise-file"])
def test_sample_docs_resolve_wherever_the_flow_is_opened(tmp_path, monkeypatch, key):
    monkeypatch.chdir(tmp_path)
    elsewhere = tmp_path / "some" / "folder"
    elsewhere.mkdir(parents=True)
    path = elsewhere / f"{key}.sage-flow.json"
    path.write_text(json.dumps(_documents_only(Flow.template(key))))
    for trusted in (
        True,
        False,
    ):  # an untrusted copy is confined to the current directory: samples still read
        r = Flow.load(path, trusted=trusted).run(record=False)
        assert r.ok, r.error
        sources = {d["metadata"]["source"] for d in r.outputs["output"][0]}
        assert sources and all("sample_docs" in s for s in sources), sources
    r = Flow.from_dict(_documents_only(Flow.template(key))).run(record=False)  # no folder at all (a canvas)
    assert r.ok, r.error
