"""The gateway's no-pipeline path: forward an OpenAI chat request to the chosen upstream and relay its
SSE bytes as they come (no re-encoding per token, so the added latency is a few hundred µs).

Pure asyncio + httpx (no Jupyter imports): the Jupyter handler writes what `open_stream` yields.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import httpx

from . import upstream as up
from .cancel import Cancellation

TIMEOUT = httpx.Timeout(120.0, connect=3.0)  # read: longest silence between chunks; never hang forever
GATEWAY_FIELDS = {"session_id", "source"}  # ours, not forwarded upstream
_client: tuple | None = None  # (event loop, client): pooled connections belong to one loop


def client() -> httpx.AsyncClient:
    global _client
    loop = asyncio.get_running_loop()
    if _client is None or _client[0] is not loop:
        _client = (
            loop,
            httpx.AsyncClient(
                timeout=TIMEOUT, limits=httpx.Limits(max_connections=256, max_keepalive_connections=64)
            ),
        )
    return _client[1]


async def open_upstream(payload: dict, source: str | None) -> tuple[up.Upstream, httpx.Response, list[str]]:
    """Send the request to the first reachable upstream; an `UpstreamError` with the upstream's message
    when it refuses. The returned response is streaming: the caller must `aclose()` it."""
    targets = up.cached_candidates(source)
    if targets is None:
        targets = await asyncio.get_running_loop().run_in_executor(None, up.candidates, source)
    tried: list[str] = []
    body = {k: v for k, v in payload.items() if k not in GATEWAY_FIELDS}
    retried_local = False
    i = 0
    while i < len(targets):
        target = targets[i]
        tried.append(target.source)
        body["model"] = target.model_for(payload.get("model"))
        request = client().build_request(
            "POST", target.base_url + "/chat/completions", json=body, headers=target.headers()
        )
        try:
            resp = await client().send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            if target.source == "local" and not retried_local:
                retried_local = True  # the cached address may be stale (engine restarted): look again once
                up.forget_local()
                fresh = await asyncio.get_running_loop().run_in_executor(None, up.local_upstream, True)
                if fresh is not None and fresh.base_url != target.base_url:
                    targets[i] = fresh
                    tried.pop()
                    continue
            if i == len(targets) - 1:
                raise up.UpstreamError(
                    f"the {target.source} model server is unreachable ({target.base_url}): {exc}",
                    status=502,
                    code=f"{target.source}_unreachable",
                    source=target.source,
                ) from exc
            i += 1
            continue
        except httpx.TimeoutException as exc:
            raise up.UpstreamError(
                f"the {target.source} model server timed out: {exc}",
                status=504,
                code="upstream_timeout",
                source=target.source,
            ) from exc
        if resp.status_code >= 400:
            content = await resp.aread()
            await resp.aclose()
            status = resp.status_code if resp.status_code < 500 else 502
            raise up.UpstreamError(
                f"the {target.source} model server answered {resp.status_code}: "
                f"{up.error_message(resp.status_code, content)}",
                status=status,
                code="upstream_error",
                source=target.source,
            )
        return target, resp, tried
    raise AssertionError("unreachable")


async def relay_sse(resp: httpx.Response, cancel: Cancellation, sage: dict) -> AsyncIterator[bytes]:
    """The upstream's SSE events, unchanged, then one extra chunk carrying `x_sage` (which source
    answered, request id, cancelled?) before `data: [DONE]`. Stops early when `cancel` is set.

    Works on the network chunks as they arrive (one write per chunk, whatever number of events it holds);
    only the first event is parsed (for its id and model), the rest are forwarded as bytes."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    cancel.on_cancel(lambda: loop.call_soon_threadsafe(stop.set))
    stop_wait = asyncio.ensure_future(stop.wait())
    chunks = resp.aiter_bytes().__aiter__()
    last_id, model, done, partial = None, None, False, b""
    try:
        while True:  # to the end of the body even after [DONE], so the pooled connection is reused
            nxt = asyncio.ensure_future(chunks.__anext__())
            finished, _ = await asyncio.wait(
                {nxt, stop_wait},
                return_when=asyncio.FIRST_COMPLETED,
                timeout=1.0 if done else None,  # after [DONE] the end of the body is due at once
            )
            if nxt not in finished:
                nxt.cancel()
                break
            try:
                chunk = nxt.result()
            except StopAsyncIteration:
                break
            except httpx.ReadTimeout:
                yield _event(
                    {
                        "error": {
                            "message": "the model server stopped sending (read timeout)",
                            "type": "upstream_timeout",
                            "code": 504,
                        }
                    }
                )
                break
            if done:
                continue
            *lines, partial = (partial + chunk).split(b"\n")
            out = []
            for line in lines:
                if not line.startswith(b"data:"):
                    continue  # blank separators, comments, `event:` lines
                data = line[5:].strip()
                if data == b"[DONE]":
                    done = True
                    break
                if last_id is None and data.startswith(b"{"):
                    try:
                        head = json.loads(data)
                        last_id, model = head.get("id"), head.get("model")
                    except ValueError:
                        pass
                out.append(b"data: " + data + b"\n\n")
            if out:
                yield b"".join(out)
    finally:
        stop_wait.cancel()
        await resp.aclose()  # closing the connection makes the engine stop generating
    sage = {**sage, "cancelled": cancel.is_set(), "complete": done}
    yield _event(
        {
            "id": last_id or cancel.request_id,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [],
            "x_sage": sage,
        }
    )
    yield b"data: [DONE]\n\n"


def _event(obj: dict) -> bytes:
    return b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n"


async def list_models() -> dict:
    """Models of the local engine and the cloud endpoint, each tagged with its source (no keys)."""
    loop = asyncio.get_running_loop()
    data = []
    local = await loop.run_in_executor(None, up.local_upstream)
    cloud = up.cloud_upstream()
    for target in (local, cloud):
        if target is None:
            continue
        try:
            resp = await client().get(target.base_url + "/models", headers=target.headers(), timeout=5.0)
            resp.raise_for_status()
            models = resp.json().get("data") or []
        except (httpx.HTTPError, ValueError):
            models = [{"id": target.model, "object": "model"}] if target.model else []
            if target.source == "local":
                up.forget_local()
        if target.source == "cloud" and target.model:
            models = [m for m in models if m.get("id") == target.model] or [
                {"id": target.model, "object": "model"}
            ]
        for m in models:
            data.append({**m, "x_sage_source": target.source})
    return {"object": "list", "data": data}
