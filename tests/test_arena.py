"""The side-by-side arena against a real CPU engine (bundled model, its key required) with an untrained LoRA
adapter loaded: the core duel (both sides stream, interleaved: they run at once), the pick and its preference
pair in `improve.preference_export`, the REST SSE route (bad bodies, blind mode) and the widget stream method."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import tornado.httpclient
from conftest import MODELS_CACHE
from engine_procs import start_engine, wait_healthy

from sage_studio_lab import api
from sage_studio_lab.chat import arena, upstream
from sage_studio_lab.errors import Conflict, InvalidInput, NotFound

pytestmark = pytest.mark.slow
KEY = "arena-engine-key"
ADAPTER = "arena-lora"
PROMPT = "Name three colours."


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """(url, base model id): one engine with an untrained rank-8 LoRA (random B: its answers differ) loaded."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    work = tmp_path_factory.mktemp("arena-engine")
    proc, url = start_engine(work / "engine.log", KEY)
    try:
        torch.manual_seed(0)
        model = AutoModelForCausalLM.from_pretrained(Path(MODELS_CACHE) / "SmolLM2-135M-Instruct")
        cfg = LoraConfig(r=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
        get_peft_model(model, cfg).save_pretrained(work / "lora")
        wait_healthy(proc, url, work / "engine.log")
        headers = {"Authorization": f"Bearer {KEY}"}
        body = {"lora_name": ADAPTER, "lora_path": str(work / "lora")}
        httpx.post(f"{url}/v1/load_lora_adapter", json=body, headers=headers, timeout=120).raise_for_status()
        base = httpx.get(f"{url}/v1/models", headers=headers).json()["data"][0]["id"]
        yield url, base
    finally:
        proc.terminate()
        proc.wait(15)


@pytest.fixture
def local(engine, monkeypatch):
    monkeypatch.setenv(upstream.ENGINE_URL_ENV, engine[0])
    monkeypatch.setenv(upstream.ENGINE_KEY_ENV, KEY)
    upstream.forget_local()
    yield engine[1]
    upstream.forget_local()


async def test_a_duel_streams_both_sides_at_once_and_is_stored(local):
    events = []
    out = await arena.duel(PROMPT, local, ADAPTER, max_tokens=16, temperature=0, on_event=events.append)
    tokens = [e for e in events if e["type"] == "token"]
    sides = [e["side"] for e in tokens]
    assert {"a", "b"} <= set(sides)
    # both requests ran in the same engine steps: their tokens arrive interleaved, not one answer then the other
    switches = sum(1 for x, y in zip(sides, sides[1:], strict=False) if x != y)
    assert switches >= 3, sides
    assert events[-1] == out and out["type"] == "done" and out["id"].startswith("duel-")
    for side, model in (("a", local), ("b", ADAPTER)):
        got = out[side]
        assert got["model"] == model and got["tokens"] > 0 and got["ttft_s"] is not None
        assert got["text"] == "".join(e["text"] for e in tokens if e["side"] == side)
    assert out["a"]["text"] != out["b"]["text"]  # the random adapter answers differently
    [stored] = arena.duels()
    assert stored["answer_a"] == out["a"]["text"] and stored["winner"] is None
    assert stored["model_b"] == ADAPTER


async def test_a_cancel_stops_both_sides_and_stores_nothing(local):
    from sage_studio_lab.chat.cancel import Cancellation

    cancel = Cancellation("arena-test")

    def on_event(event):
        if event["type"] == "token":
            cancel.cancel()  # at the first piece of either answer

    out = await arena.duel(PROMPT, local, ADAPTER, max_tokens=64, on_event=on_event, cancel=cancel)
    assert out["cancelled"] and out["id"] is None
    assert out["a"]["finish_reason"] == out["b"]["finish_reason"] == "cancelled"
    assert out["a"]["tokens"] + out["b"]["tokens"] < 10  # nowhere near 2 x 64
    assert arena.duels() == []


async def test_a_pick_is_recorded_once_and_becomes_a_preference_pair(local):
    out = await arena.duel(PROMPT, local, ADAPTER, max_tokens=8, temperature=0)
    with pytest.raises(InvalidInput):
        arena.pick(out["id"], "c")
    with pytest.raises(NotFound):
        arena.pick("duel-nope", "a")
    picked = arena.pick(out["id"], "b")
    assert picked["winner"] == "b" and picked["model_b"] == ADAPTER
    with pytest.raises(Conflict):
        arena.pick(out["id"], "a")
    assert arena.preference_triples() == [
        ([{"role": "user", "content": PROMPT}], out["b"]["text"], out["a"]["text"])
    ]
    export = api.invoke("improve.preference_export", {})
    assert export["count"] == 1
    row = export["rows"][0]
    assert row["prompt"] == [{"role": "user", "content": PROMPT}]
    assert row["chosen"][0]["content"] == out["b"]["text"]
    assert row["rejected"][0]["content"] == out["a"]["text"]
    # a filter on chat sessions leaves the duels out (they belong to no session)
    assert api.invoke("improve.preference_export", {"session_ids": []})["count"] == 0


def _events(body: bytes) -> list[dict]:
    return [json.loads(line[6:]) for line in body.decode().splitlines() if line.startswith("data: ")]


async def _post(jp_fetch, body, *path):
    return await jp_fetch(
        "sage-studio", "api", "improve", *path, method="POST", body=json.dumps(body), request_timeout=120
    )


async def test_rest_arena_streams_sse_and_blind_hides_the_models_until_the_pick(local, jp_fetch):
    body = {"prompt": PROMPT, "model_a": local, "model_b": ADAPTER, "max_tokens": 8, "temperature": 0}
    resp = await _post(jp_fetch, body, "arena")
    assert resp.headers["Content-Type"].startswith("text/event-stream")
    events = _events(resp.body)
    assert events[0]["type"] == "start" and events[-1]["type"] == "done"
    assert {e["side"] for e in events if e["type"] == "token"} == {"a", "b"}
    assert events[-1]["a"]["model"] == local and events[-1]["b"]["model"] == ADAPTER

    blind = _events((await _post(jp_fetch, {**body, "blind": True}, "arena")).body)[-1]
    assert blind["blind"] and blind["a"]["model"] is None and blind["b"]["model"] is None
    listed = json.loads((await jp_fetch("sage-studio", "api", "improve", "duels")).body)["duels"]
    assert listed[0]["id"] == blind["id"] and listed[0]["model_a"] is None  # still hidden
    revealed = json.loads((await _post(jp_fetch, {"winner": "a"}, "arena", blind["id"], "pick")).body)
    assert {revealed["model_a"], revealed["model_b"]} == {local, ADAPTER}
    assert revealed["answer_a"] == blind["a"]["text"]

    for bad in (
        {**body, "prompt": ""},
        {**body, "prompt": "  "},
        {**body, "max_tokens": "many"},
        {**body, "extra": 1},
        [1],
    ):
        with pytest.raises(tornado.httpclient.HTTPClientError) as err:
            await _post(jp_fetch, bad, "arena")
        assert err.value.code == 400 and json.loads(err.value.response.body)["message"]
    for winner, code in (("c", 400), ("a", 409)):
        with pytest.raises(tornado.httpclient.HTTPClientError) as err:
            await _post(jp_fetch, {"winner": winner}, "arena", blind["id"], "pick")
        assert err.value.code == code
    with pytest.raises(tornado.httpclient.HTTPClientError) as err:
        await _post(jp_fetch, {"winner": "a"}, "arena", "duel-nope", "pick")
    assert err.value.code == 404


def test_widget_stream_method_sends_side_tokens_then_the_duel(local):
    from sage_studio_lab.widgets.base import StudioWidget
    from sage_studio_lab.widgets.testing import frontend_call, recording_comms

    args = {"prompt": PROMPT, "model_a": local, "model_b": ADAPTER, "max_tokens": 8, "temperature": 0}
    with recording_comms():
        widget = StudioWidget()
        result, events = frontend_call(widget, "improve.arena", args)
        bad, _ = frontend_call(widget, "improve.arena", {**args, "prompt": ""})
    assert result["ok"], result
    duel = result["value"]
    assert {e["side"] for e in events if e["type"] == "token"} == {"a", "b"}
    assert events[-1]["type"] == "done" and events[-1]["id"] == duel["id"]
    assert duel["a"]["model"] == local and duel["b"]["text"]
    assert bad["ok"] is False and bad["error"]["status"] == 400


def test_the_arena_widget_duels_and_picks_from_python(local):
    from sage_studio_lab.widgets import Arena
    from sage_studio_lab.widgets.testing import recording_comms

    with recording_comms():
        arena = Arena(model_a=local, model_b=ADAPTER, max_tokens=8)
        assert (arena.model_a, arena.model_b) == (local, ADAPTER)  # the view's pickers start on them
        with pytest.raises(ValueError, match="no duel to pick from"):
            arena.pick("a")
        duel = arena.duel(PROMPT, temperature=0)
        assert duel["a"]["text"] and duel["b"]["text"] and arena.last_duel["id"] == duel["id"]
        picked = arena.pick("b")
        assert picked["winner"] == "b" and picked["model_b"] == ADAPTER
        with pytest.raises(ValueError, match="needs two models"):
            Arena(model_a=local).duel(PROMPT)
