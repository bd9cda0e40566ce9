"""The server extension loads, answers health with the token, and refuses every route without it."""

from __future__ import annotations

import json
import re

import pytest
import tornado.httpclient

from sage_studio_lab.server.app import SageStudioApp

VERBS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def jp_server_config():
    return {
        "ServerApp": {
            "jpserver_extensions": {"sage_studio_lab": True},
            "allow_unauthenticated_access": False,
            "reraise_server_extension_failures": True,
        }
    }


async def test_health_with_token(jp_fetch, jp_base_url):
    assert jp_base_url == "/a%40b/"  # pytest-jupyter's awkward base_url catches base_url bugs
    resp = await jp_fetch("sage-studio", "api", "health")
    assert resp.code == 200
    body = json.loads(resp.body)
    assert body["status"] == "ok"
    assert body["available"]["torch"] is True
    assert body["available"]["gpu"] is False  # no GPU on CI machines
    assert "studio-home" in body["data_dir"]


async def test_health_without_token_is_refused(jp_fetch):
    with pytest.raises(tornado.httpclient.HTTPClientError) as err:
        await jp_fetch("sage-studio", "api", "health", headers={"Authorization": ""})
    assert err.value.code == 403


def _studio_routes(serverapp):
    """Every (pattern, handler) the Studio extension registered, read from the live tornado app."""
    ext = serverapp.extension_manager.extension_apps["sage_studio_lab"]
    (app,) = [a for a in ext if isinstance(a, SageStudioApp)]
    return [(h[0], h[1]) for h in app.handlers]


def _concrete(pattern: str) -> str:
    """A URL matching the route pattern: each capture group replaced by a harmless id."""
    url = re.sub(r"\(\?P<\w+>[^)]*\)|\([^)]*\)", "x1", pattern)
    return url.rstrip("$")


async def test_every_studio_route_refuses_unauthenticated(jp_serverapp, jp_fetch):
    routes = _studio_routes(jp_serverapp)
    assert any("api/health" in p for p, _ in routes)
    checked = 0
    for pattern, handler in routes:
        url = _concrete(pattern).lstrip("/")
        for verb in VERBS:
            method = getattr(handler, verb, None)
            if method is None or getattr(method, "__qualname__", "").startswith("RequestHandler."):
                continue  # verb not implemented by this handler: tornado answers 405
            # every implemented verb must be wrapped by @tornado.web.authenticated (or jupyter's ws auth)
            assert hasattr(method, "__wrapped__"), f"{handler.__name__}.{verb} is not @authenticated"
            body = b"{}" if verb in ("post", "put", "patch") else None
            resp = await jp_fetch(
                url,
                method=verb.upper(),
                body=body,
                raise_error=False,
                headers={"Authorization": ""},
                allow_nonstandard_methods=True,
                follow_redirects=False,
            )
            assert resp.code in (401, 403), f"{verb.upper()} {url} answered {resp.code} without a token"
            checked += 1
    assert checked >= 1


def test_loading_the_extension_imports_no_heavy_ml_library():
    """Server start must stay fast: handlers import torch/transformers lazily, when a request needs them."""
    import subprocess
    import sys

    code = (
        "import sys, importlib\n"
        "from sage_studio_lab.server import app\n"
        "for area in app.ROUTE_MODULES:\n"
        "    m = importlib.import_module(f'sage_studio_lab.server.{area}_handlers'); m.routes()\n"
        "heavy = [n for n in ('torch', 'transformers', 'peft', 'sentence_transformers', 'faiss', 'ray', 'vllm') if n in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "", f"heavy imports at extension load: {res.stdout.strip()}"
