"""Engine and GPU routes through a real Jupyter server (pytest-jupyter), with its token auth."""

from __future__ import annotations

import json

import pytest
import tornado.httpclient


def fetch_json(resp):
    return json.loads(resp.body)


async def test_status_models_logs_and_gpu(jp_fetch):
    status = fetch_json(await jp_fetch("sage-studio", "api", "engine", "status"))
    assert status["status"] == "stopped" and status["base_url"] is None
    catalog = fetch_json(await jp_fetch("sage-studio", "api", "engine", "models"))
    assert catalog["default"] == "SmolLM2-135M-Instruct"
    assert any(m["id"] == "SmolLM2-135M-Instruct" for m in catalog["models"])
    logs = fetch_json(await jp_fetch("sage-studio", "api", "engine", "logs", params={"lines": "5"}))
    assert logs == {"lines": 5, "text": ""}
    gpu = fetch_json(await jp_fetch("sage-studio", "api", "system", "gpu"))
    assert gpu["available"] is False and gpu["devices"] == []  # no GPU here: an answer, not a crash


@pytest.mark.parametrize(
    "body, field",
    [
        (b'{"backend": "tpu"}', "backend"),
        (b'{"port": 5}', "port"),
        (b'{"gpu_memory_utilization": 3}', "gpu_memory_utilization"),
        (b"{not json", "JSON"),
        (b'{"model": "no-such-model", "backend": "cpu"}', "no-such-model"),
    ],
)
async def test_start_with_bad_input_is_a_400_and_starts_nothing(jp_fetch, body, field):
    with pytest.raises(tornado.httpclient.HTTPClientError) as err:
        await jp_fetch("sage-studio", "api", "engine", "start", method="POST", body=body)
    assert err.value.code in (400, 404)
    assert field in fetch_json(err.value.response)["message"]
    status = fetch_json(await jp_fetch("sage-studio", "api", "engine", "status"))
    assert status["status"] == "stopped"


async def test_adapter_routes_need_a_running_engine(jp_fetch, tmp_path):
    (tmp_path / "adapter_config.json").write_text("{}")
    with pytest.raises(tornado.httpclient.HTTPClientError) as err:
        await jp_fetch(
            "sage-studio",
            "api",
            "engine",
            "adapters",
            method="POST",
            body=json.dumps({"name": "a", "path": str(tmp_path)}),
        )
    assert err.value.code == 503 and "no engine is running" in fetch_json(err.value.response)["message"]
    with pytest.raises(tornado.httpclient.HTTPClientError) as err:
        await jp_fetch("sage-studio", "api", "engine", "adapters", method="POST", body=b'{"name": ""}')
    assert err.value.code == 400


async def test_gpu_stream_pushes_at_the_interval_the_client_sets(jp_ws_fetch):
    ws = await jp_ws_fetch("sage-studio", "api", "system", "gpu", "stream")
    first = json.loads(await ws.read_message())
    assert first["available"] is False and first["interval"] == 2.0
    ws.write_message(json.dumps({"interval": 0.5}))
    second = json.loads(await ws.read_message())
    assert second["interval"] == 0.5
    ws.write_message("nonsense")
    assert "error" in json.loads(await ws.read_message())
    ws.close()


async def test_gpu_stream_takes_its_interval_from_the_query(jp_ws_fetch):
    """The panel opens the socket with `?interval=` (its GPU refresh setting): pushes follow it from the start."""
    ws = await jp_ws_fetch("sage-studio", "api", "system", "gpu", "stream", params={"interval": "0.5"})
    first = json.loads(await ws.read_message())
    second = json.loads(await ws.read_message())
    assert first["interval"] == second["interval"] == 0.5
    assert second["time"] - first["time"] < 1.5  # not the 2 s default
    ws.close()
    ws = await jp_ws_fetch("sage-studio", "api", "system", "gpu", "stream", params={"interval": "1e9"})
    assert json.loads(await ws.read_message())["interval"] == 60.0  # clamped, as the message form is
    ws.close()


@pytest.mark.parametrize("bad", ["abc", "nan", ""])
async def test_gpu_stream_refuses_a_bad_interval(jp_ws_fetch, bad):
    with pytest.raises(tornado.httpclient.HTTPClientError) as err:
        await jp_ws_fetch("sage-studio", "api", "system", "gpu", "stream", params={"interval": bad})
    assert err.value.code == 400


@pytest.mark.slow
async def test_start_and_stop_a_real_engine_over_rest(jp_fetch):
    started = fetch_json(
        await jp_fetch(
            "sage-studio",
            "api",
            "engine",
            "start",
            method="POST",
            body=json.dumps({"backend": "cpu", "wait": True, "timeout": 240}),
        )
    )
    try:
        assert started["status"] == "running" and started["base_url"].startswith("http://127.0.0.1:")
        status = fetch_json(await jp_fetch("sage-studio", "api", "engine", "status"))
        assert status["id"] == started["id"] and status["pid"] == started["pid"]
        logs = fetch_json(await jp_fetch("sage-studio", "api", "engine", "logs"))
        assert "ready:" in logs["text"]
    finally:
        stopped = fetch_json(
            await jp_fetch("sage-studio", "api", "engine", "stop", method="POST", body=b"{}")
        )
    assert stopped["status"] == "stopped"
