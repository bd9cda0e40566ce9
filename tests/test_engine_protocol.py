"""The CPU engine speaks vLLM's protocol: one real engine subprocess (bundled model) shared by this module."""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import MODELS_CACHE

pytestmark = pytest.mark.slow
MODEL = "SmolLM2-135M-Instruct"
PARIS = [{"role": "user", "content": "What is the capital of France?"}]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_lora(base_dir: Path, out: Path) -> Path:
    """A tiny rank-8 LoRA on q_proj/v_proj with random (non-zero) B, so it visibly changes the output."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(base_dir)
    cfg = LoraConfig(r=8, lora_alpha=32, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(base, cfg).save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("engine") / "engine.log"
    env = {
        **os.environ,
        "SAGE_STUDIO_MODELS_CACHE": MODELS_CACHE,
        "HF_HUB_OFFLINE": "1",
        "SAGE_STUDIO_HOME": str(tmp_path_factory.mktemp("home")),
    }
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sage_studio_lab.engine.serve", "--port", str(port)],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    seen = set()
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            code = httpx.get(f"{url}/health", timeout=2).status_code
            seen.add(code)
            if code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(f"engine not ready: {log.read_text()[-2000:]}")
    yield {"url": url, "seen": seen, "proc": proc, "log": log}
    proc.terminate()
    proc.wait(30)


def chat(engine, **body):
    body = {"model": MODEL, "messages": PARIS, "temperature": 0, "max_tokens": 24, **body}
    return httpx.post(
        f"{engine['url']}/v1/chat/completions", json=body, timeout=600
    )  # shared CPUs can be slow


def sse(engine, path, body):
    events = []
    with httpx.stream("POST", f"{engine['url']}{path}", json=body, timeout=600) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        for line in resp.iter_lines():
            if line.startswith("data: "):
                events.append(line[6:])
    return events


def metric(engine, name: str) -> float:
    text = httpx.get(f"{engine['url']}/metrics", timeout=10).text
    prefix = name if "{" in name else name + "{"
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix))


def test_health_and_models(engine):
    assert 200 in engine["seen"]
    data = httpx.get(f"{engine['url']}/v1/models", timeout=10).json()
    assert data["object"] == "list"
    (base,) = data["data"]
    assert base["id"] == MODEL and base["parent"] is None and base["root"]


def test_chat_non_streaming_is_deterministic_and_counts_usage(engine):
    first, second = chat(engine).json(), chat(engine).json()
    answer = first["choices"][0]["message"]["content"]
    assert "Paris" in answer
    assert second["choices"][0]["message"]["content"] == answer  # temperature 0 is greedy
    assert first["object"] == "chat.completion" and first["choices"][0]["finish_reason"] == "stop"
    usage = first["usage"]
    assert usage["prompt_tokens"] > 5 and usage["completion_tokens"] >= 5
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    # prefix caching (on by default, as in vLLM): the repeated prompt's whole blocks came from the cache
    cached = second["usage"]["prompt_tokens_details"]["cached_tokens"]
    assert cached == (usage["prompt_tokens"] - 1) // 16 * 16 > 0
    assert metric(engine, "vllm:prefix_cache_hits_total") >= cached
    assert metric(engine, "vllm:prefix_cache_queries_total") >= 2 * usage["prompt_tokens"]


def test_chat_streaming_role_first_then_done_with_usage(engine):
    events = sse(
        engine,
        "/v1/chat/completions",
        {
            "model": MODEL,
            "messages": PARIS,
            "temperature": 0,
            "max_tokens": 24,
            "stream": True,
            "stream_options": {"include_usage": True},
        },
    )
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert "Paris" in text
    assert (
        len([c for c in chunks if c["choices"] and c["choices"][0]["delta"].get("content")]) >= 3
    )  # real streaming
    finals = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert finals[-1]["choices"][0]["finish_reason"] == "stop"
    usage = chunks[-1]["usage"]
    assert chunks[-1]["choices"] == [] and usage["completion_tokens"] > 0
    assert text == chat(engine).json()["choices"][0]["message"]["content"]  # same as non-streaming


def test_role_chunk_leaves_with_the_first_token(engine):
    """As in vLLM, the role chunk is sent with the first token (one write), not before the prefill: a client or
    relay on the same cores is not woken while the prompt is computed."""
    body = {"model": MODEL, "messages": PARIS, "temperature": 0, "max_tokens": 8, "stream": True}
    with httpx.stream("POST", f"{engine['url']}/v1/chat/completions", json=body, timeout=600) as resp:
        first = next(resp.iter_raw())  # one HTTP chunk: what the engine wrote at once
    events = [json.loads(line[6:]) for line in first.decode().splitlines() if line.startswith("data: {")]
    assert events[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert any(e["choices"][0]["delta"].get("content") for e in events[1:]), first


def test_max_tokens_gives_length_and_exact_usage(engine):
    body = chat(
        engine, messages=[{"role": "user", "content": "Write a long story about a dragon."}], max_tokens=5
    ).json()
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 5


def test_stop_sequences_cut_the_text(engine):
    plain = chat(engine).json()["choices"][0]["message"]["content"]
    assert " is " in plain
    cut = chat(engine, stop=[" is "]).json()["choices"][0]
    assert cut["finish_reason"] == "stop"
    assert cut["message"]["content"] == plain[: plain.index(" is ")]
    streamed = sse(
        engine,
        "/v1/completions",
        {
            "model": MODEL,
            "prompt": "The capital of France is",
            "temperature": 0,
            "max_tokens": 20,
            "stop": ["."],
            "stream": True,
        },
    )
    text = "".join(json.loads(e)["choices"][0]["text"] for e in streamed[:-1])
    assert "Paris" in text and "." not in text


def test_completions_non_streaming(engine):
    body = httpx.post(
        f"{engine['url']}/v1/completions",
        json={"model": MODEL, "prompt": "The capital of France is", "temperature": 0, "max_tokens": 4},
        timeout=60,
    ).json()
    assert body["object"] == "text_completion" and "Paris" in body["choices"][0]["text"]


def test_seeded_sampling_is_reproducible(engine):
    body = {
        "temperature": 1.0,
        "top_p": 0.9,
        "seed": 1234,
        "max_tokens": 12,
        "messages": [{"role": "user", "content": "Tell me a joke."}],
    }
    # Warm the prefix cache first: in bf16 a prompt prefilled after 16 cached tokens and one after 32 get
    # slightly different logits, and a sample may tip. Same seed, same cache state: the same answer.
    chat(engine, **body)
    a, b = (chat(engine, **body).json()["choices"][0]["message"]["content"] for _ in range(2))
    assert a == b


def test_eight_concurrent_requests_all_complete(engine):
    single_steps = metric(engine, 'vllm:iteration_tokens_total_bucket{le="1.0"')
    all_steps = metric(engine, "vllm:iteration_tokens_total_count")

    def one(i):
        return chat(engine, messages=[{"role": "user", "content": f"Count to {i + 5}."}], max_tokens=8)

    with cf.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(8)))
    assert all(r.status_code == 200 for r in results)
    assert all(r.json()["usage"]["completion_tokens"] > 0 for r in results)
    batched_steps = (metric(engine, "vllm:iteration_tokens_total_count") - all_steps) - (
        metric(engine, 'vllm:iteration_tokens_total_bucket{le="1.0"') - single_steps
    )
    assert batched_steps > 0  # decode steps carried several requests at once, not one after another


def test_client_disconnect_cancels_generation(engine):
    before = metric(engine, "vllm:generation_tokens_total")
    body = {
        "model": MODEL,
        "temperature": 0,
        "max_tokens": 400,
        "stream": True,
        "messages": [{"role": "user", "content": "Write a very long essay about the history of Rome."}],
    }
    with httpx.stream("POST", f"{engine['url']}/v1/chat/completions", json=body, timeout=60) as resp:
        for line in resp.iter_lines():
            if '"content": "' in line and '"role"' not in line:
                break  # got a real token: hang up
    for _ in range(100):
        if metric(engine, "vllm:num_requests_running") == 0:
            break
        time.sleep(0.1)
    assert metric(engine, "vllm:num_requests_running") == 0
    generated = metric(engine, "vllm:generation_tokens_total") - before
    assert generated < 400  # the generation stopped when the client left


@pytest.mark.parametrize(
    "body, param",
    [
        ({"model": "no-such-model"}, "model"),
        ({"max_tokens": -3}, "max_tokens"),
        ({"max_tokens": 9000}, "messages"),
        ({"messages": []}, "messages"),
        ({"temperature": 5}, "temperature"),
    ],
)
def test_bad_requests_get_openai_400_errors(engine, body, param):
    resp = chat(engine, **body)
    assert resp.status_code == 400
    err = resp.json()["error"]
    assert err["code"] == 400 and err["type"] == "BadRequestError" and err["message"]
    assert param in (err["param"] or "")


def test_bad_json_and_unknown_adapter(engine):
    resp = httpx.post(f"{engine['url']}/v1/chat/completions", content=b"{not json", timeout=10)
    assert resp.status_code == 400 and "JSON" in resp.json()["error"]["message"]
    resp = httpx.post(f"{engine['url']}/v1/unload_lora_adapter", json={"lora_name": "ghost"}, timeout=10)
    assert resp.status_code == 404
    resp = httpx.post(
        f"{engine['url']}/v1/load_lora_adapter", json={"lora_name": "x", "lora_path": "/nope"}, timeout=10
    )
    assert resp.status_code == 400


def test_adapter_load_list_serve_unload(engine, tmp_path):
    base_dir = Path(MODELS_CACHE) / MODEL
    adapter = make_lora(base_dir, tmp_path / "lora-a")
    base_answer = chat(engine).json()["choices"][0]["message"]["content"]

    # a stream in flight while the adapter loads keeps going
    body = {"model": MODEL, "messages": PARIS, "temperature": 0, "max_tokens": 24, "stream": True}
    with cf.ThreadPoolExecutor(1) as pool:
        in_flight = pool.submit(sse, engine, "/v1/chat/completions", body)
        resp = httpx.post(
            f"{engine['url']}/v1/load_lora_adapter",
            json={"lora_name": "lora-a", "lora_path": str(adapter)},
            timeout=60,
        )
        assert resp.status_code == 200, resp.text
        assert in_flight.result()[-1] == "[DONE]"

    models = httpx.get(f"{engine['url']}/v1/models", timeout=10).json()["data"]
    listed = {m["id"]: m for m in models}
    assert listed["lora-a"]["parent"] == MODEL and listed["lora-a"]["root"] == str(adapter)

    # base and adapter requests decoded side by side: each gets its own weights
    with cf.ThreadPoolExecutor(2) as pool:
        by_adapter = pool.submit(chat, engine, model="lora-a")
        by_base = pool.submit(chat, engine)
        adapted, base_again = by_adapter.result().json(), by_base.result().json()
    assert adapted["model"] == "lora-a"
    assert adapted["choices"][0]["message"]["content"] != base_answer
    assert base_again["choices"][0]["message"]["content"] == base_answer

    resp = httpx.post(
        f"{engine['url']}/v1/load_lora_adapter",
        json={"lora_name": "lora-a", "lora_path": str(adapter)},
        timeout=60,
    )
    assert resp.status_code == 400  # already loaded
    resp = httpx.post(f"{engine['url']}/v1/unload_lora_adapter", json={"lora_name": "lora-a"}, timeout=60)
    assert resp.status_code == 200
    assert [m["id"] for m in httpx.get(f"{engine['url']}/v1/models", timeout=10).json()["data"]] == [MODEL]
    assert chat(engine, model="lora-a").status_code == 400
    assert chat(engine).json()["choices"][0]["message"]["content"] == base_answer


def test_metrics_are_prometheus_text(engine):
    text = httpx.get(f"{engine['url']}/metrics", timeout=10).text
    for name in (
        "vllm:num_requests_running",
        "vllm:num_requests_waiting",
        "vllm:prompt_tokens_total",
        "vllm:generation_tokens_total",
        "vllm:time_to_first_token_seconds_bucket",
    ):
        assert name in text
    assert metric(engine, "vllm:prompt_tokens_total") > 0
