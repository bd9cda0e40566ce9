"""The CPU engine bounds its work: a non-streamed request stops generating when its client leaves (quietly: no
traceback in the log), and a request without `max_tokens` stops at the room its prompt leaves in the context
(`--max-model-len`). One real engine subprocess on the bundled model, with a small context."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from engine_procs import start_engine, wait_healthy

pytestmark = pytest.mark.slow
CONTEXT = 256
ESSAY = "Write a very long essay about the history of Rome, from its founding to the fall of the empire."


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    log = tmp_path_factory.mktemp("engine") / "engine.log"
    proc, url = start_engine(log, args=("--max-model-len", str(CONTEXT)))
    try:
        wait_healthy(proc, url, log)
        yield {"url": url, "log": log}
    finally:
        proc.terminate()
        proc.wait(30)


async def metric(http: httpx.AsyncClient, url: str, name: str) -> float:
    text = (await http.get(f"{url}/metrics", timeout=10)).text
    return sum(float(ln.rsplit(" ", 1)[1]) for ln in text.splitlines() if ln.startswith(name + "{"))


async def until_running(http, url: str, n: int, within_s: float) -> None:
    for _ in range(int(within_s * 10)):
        if await metric(http, url, "vllm:num_requests_running") == n:
            return
        await asyncio.sleep(0.1)
    assert await metric(http, url, "vllm:num_requests_running") == n


def test_the_context_is_the_max_model_len(engine):
    (base,) = httpx.get(engine["url"] + "/v1/models", timeout=10).json()["data"]
    assert base["max_model_len"] == CONTEXT


@pytest.mark.parametrize(
    "path, body",
    [
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": ESSAY}], "max_tokens": None}),
        ("/v1/completions", {"prompt": ESSAY + "\n\nRome was"}),  # no max_tokens at all
    ],
)
def test_without_max_tokens_it_stops_at_the_room_left_in_the_context(engine, path, body):
    resp = httpx.post(engine["url"] + path, json={**body, "temperature": 0}, timeout=600)
    assert resp.status_code == 200, resp.text
    answer = resp.json()
    usage = answer["usage"]
    assert answer["choices"][0]["finish_reason"] == "length"
    assert usage["prompt_tokens"] + usage["completion_tokens"] == CONTEXT


@pytest.mark.parametrize(
    "path, body",
    [
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": ESSAY}]}),
        ("/v1/completions", {"prompt": ESSAY + "\n\nRome was"}),
    ],
)
async def test_a_non_streamed_request_stops_when_its_client_leaves(engine, path, body):
    url = engine["url"]
    async with httpx.AsyncClient() as http:
        before = await metric(http, url, "vllm:generation_tokens_total")
        request = asyncio.ensure_future(
            http.post(url + path, json={**body, "temperature": 0, "max_tokens": 200}, timeout=600)
        )
        await until_running(http, url, 1, within_s=30)
        request.cancel()  # hangs up: the connection closes while the answer is being generated
        await until_running(http, url, 0, within_s=3)
        generated = await metric(http, url, "vllm:generation_tokens_total") - before
        assert generated < 200  # it stopped, long before the tokens it was asked for
        assert (await http.get(url + "/health", timeout=10)).status_code == 200
    log = engine["log"].read_text()
    assert "Traceback" not in log and "InvalidStateError" not in log
