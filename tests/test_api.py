"""One declaration per operation: the REST route, the widget method, `invoke` and the OpenAPI document agree."""

from __future__ import annotations

import json
import re

import pytest
import tornado.httpclient

from sage_studio_lab import api
from sage_studio_lab.chat.sessions import SessionStore
from sage_studio_lab.errors import InvalidInput, NotFound
from sage_studio_lab.widgets.testing import frontend_call, recording_comms


def refs(node) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if "$ref" in node else set()
        return found.union(*(refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(refs(v) for v in node))
    return set()


def test_every_operation_is_declared_completely():
    assert len(api.OPERATIONS) >= 20
    for op in api.OPERATIONS.values():
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)?", op.name), op.name
        assert op.summary and op.summary != op.name, f"{op.name} needs a docstring"
        assert not op.path.startswith("/") and set(op.path_args) <= set(op.args.model_fields)


def test_openapi_lists_every_operation_and_every_reference_resolves():
    doc = api.document()
    ids = [o["operationId"] for item in doc["paths"].values() for o in item.values()]
    assert len(ids) == len(set(ids)), "operationIds are unique"
    assert set(ids) == set(api.OPERATIONS) | {s.name for s in api.STREAMS}
    schemas = doc["components"]["schemas"]
    missing = {r for r in refs(doc) if r.rsplit("/", 1)[-1] not in schemas}
    assert not missing
    delete = doc["paths"]["/api/memory/sessions/{session_id}/memories/{memory_id}"]["delete"]
    assert [(p["name"], p["in"]) for p in delete["parameters"]] == [
        ("session_id", "path"),
        ("memory_id", "path"),
    ]
    put = doc["paths"]["/api/memory/config"]["put"]["requestBody"]["content"]["application/json"]["schema"]
    assert put["required"] == ["session_id"] and "window" in put["properties"]


def test_the_checked_in_openapi_document_is_current():
    from pathlib import Path

    checked_in = Path(__file__).resolve().parents[1] / "labextension" / "openapi.json"
    assert json.loads(checked_in.read_text()) == json.loads(json.dumps(api.document())), (
        "labextension/openapi.json is stale: run `make api` (it also regenerates the TypeScript types)"
    )


def test_invoke_validates_and_maps_core_errors():
    with pytest.raises(InvalidInput, match="max_age_minutes"):
        api.invoke("memory.cleanup", {"max_age_minutes": "soon"})
    with pytest.raises(InvalidInput, match="surprise: Extra inputs"):
        api.invoke("memory.cleanup", {"max_age_minutes": 1, "surprise": True})
    with pytest.raises(NotFound, match="unknown method"):
        api.invoke("memory.nothing")
    with pytest.raises(NotFound, match="not found"):
        api.invoke("memory.list", {"session_id": "missing"})


@pytest.fixture
def panel():
    from sage_studio_lab.widgets.memory_panel import MemoryPanel

    with recording_comms():
        yield MemoryPanel()


async def test_rest_widget_and_invoke_answer_the_same(jp_fetch, panel):
    sid = SessionStore().create("same")["id"]
    api.invoke("memory.set_config", {"session_id": sid, "window": 3})
    args = {"session_id": sid}
    rest = json.loads((await jp_fetch("sage-studio", "api", "memory", "config", params=args)).body)
    with recording_comms():
        from sage_studio_lab.widgets.memory_panel import MemoryPanel

        widget, _ = frontend_call(MemoryPanel(), "memory.config", args)
    assert rest == widget["value"] == api.invoke("memory.config", args)
    assert rest["config"]["window"] == 3 and rest["total_sessions"] == 1
    # the same bad input is the same 400 everywhere
    with pytest.raises(tornado.httpclient.HTTPClientError) as err:
        await jp_fetch(
            "sage-studio", "api", "memory", "config", method="PUT", body=json.dumps({"window": -1})
        )
    message = json.loads(err.value.response.body)["message"]
    bad, _ = frontend_call(MemoryPanel(), "memory.set_config", {"window": -1})
    assert err.value.code == bad["error"]["status"] == 400 and bad["error"]["message"] == message
    assert "session_id" in message and "window" in message


async def test_openapi_json_is_served_and_authenticated(jp_fetch, jp_base_url, jp_http_port):
    doc = json.loads((await jp_fetch("sage-studio", "api", "openapi.json")).body)
    assert doc["openapi"].startswith("3.") and "/api/engine/status" in doc["paths"]
    client = tornado.httpclient.AsyncHTTPClient()
    with pytest.raises(tornado.httpclient.HTTPClientError) as err:
        await client.fetch(f"http://localhost:{jp_http_port}{jp_base_url}sage-studio/api/openapi.json")
    assert err.value.code == 403
