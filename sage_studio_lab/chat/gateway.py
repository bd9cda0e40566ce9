"""The one async way to an upstream (local engine, vLLM, cloud): `open_upstream` tries the candidates in order,
for the gateway's no-pipeline path — which relays the SSE bytes as they come (no re-encoding per token) — and for
the chat pipeline's model calls (`chat/llm.py`).

Pure asyncio + aiohttp (no Jupyter imports): the Jupyter handler writes what `relay_sse` yields. aiohttp rather
than httpx on this hop: its C HTTP parser and leaner request path halve the time-to-first-token the gateway adds
(about 3 ms -> 1.6 ms p50 on a 2-core VM, `bench/gateway.py`); the rest of the package keeps httpx.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from .. import aio
from .. import openai_wire as wire
from . import upstream as up
from .cancel import Cancellation

if TYPE_CHECKING:  # imported when first used: the server starts without paying for it
    import aiohttp

CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 120.0  # the longest silence between chunks; never hang forever
# ours, not forwarded upstream; `local_defaults`: fields only the local engine (ours or vLLM) gets when the
# request sets none (a cloud API such as OpenAI's refuses vLLM's `repetition_penalty`)
GATEWAY_FIELDS = {"session_id", "source", "local_defaults"}


def client() -> aiohttp.ClientSession:
    """The pooled keep-alive session of the running loop: an aiohttp session belongs to the loop that created it,
    so the server's loop keeps one for good and a `run_sync` loop (kernel, CLI) has its own, closed with it."""
    return aio.loop_scoped("gateway.session", _new_session, _close_session)


def _new_session() -> aiohttp.ClientSession:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=256, limit_per_host=0, keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=None, connect=CONNECT_TIMEOUT_S, sock_read=READ_TIMEOUT_S)
    # One session relays every user's requests: it must never keep an upstream's cookies (they would be
    # sent with the next user's request), so no cookie jar.
    return aiohttp.ClientSession(
        connector=connector, timeout=timeout, auto_decompress=False, cookie_jar=aiohttp.DummyCookieJar()
    )


async def _close_session(session: aiohttp.ClientSession) -> None:
    await session.close()


async def close() -> None:
    """Close the running loop's pooled connections (server shutdown)."""
    await aio.close_scoped("gateway.session")


async def targets(source: str | None) -> list[up.Upstream]:
    """The upstreams to try for `source`, in order; resolved in a worker thread only when that needs I/O."""
    found = up.cached_candidates(source)
    if found is None:
        found = await asyncio.get_running_loop().run_in_executor(None, up.candidates, source)
    return found


async def open_upstream(
    payload: dict, source: str | None
) -> tuple[up.Upstream, aiohttp.ClientResponse, list[str]]:
    """Send the request to the first reachable upstream; an `UpstreamError` with the upstream's message
    when it refuses. The returned response is streaming: the caller must `read_all` or `relay_sse` it."""
    tried: list[str] = []
    _, target, resp = await open_first(await targets(source), payload, tried)
    return target, resp, tried


async def answer(
    payload: dict, source: str | None, cancel: Cancellation
) -> tuple[up.Upstream, dict, list[str]] | None:
    """A non-streamed answer: (upstream, body, sources tried), or None when `cancel` is set first (the client went
    away). An engine sends a non-streamed answer only once it is complete, so the wait is in opening the request:
    cancelling it closes the connection, and the engine stops generating."""

    async def ask() -> tuple[up.Upstream, dict, list[str]]:
        target, resp, tried = await open_upstream(payload, source)
        return target, json.loads(await read_all(resp)), tried

    task = asyncio.ensure_future(ask())
    loop = asyncio.get_running_loop()
    cancel.on_cancel(lambda: loop.call_soon_threadsafe(task.cancel))
    try:
        await asyncio.wait([task])
    finally:
        task.cancel()  # a no-op once it is done; if we are cancelled ourselves, the request must not live on
    return None if task.cancelled() else task.result()


async def open_first(
    candidates: list[up.Upstream], payload: dict, tried: list[str]
) -> tuple[int, up.Upstream, aiohttp.ClientResponse]:
    """(index in `candidates`, upstream, response) of the first one that answers; the next is tried only when
    one cannot be reached (`auto`: local, then cloud). Appends each source tried to `tried`."""
    import aiohttp

    candidates = list(candidates)
    body = {k: v for k, v in payload.items() if k not in GATEWAY_FIELDS}
    retried_local = False
    i = 0
    while i < len(candidates):
        target = candidates[i]
        tried.append(target.source)
        body["model"] = target.model_for(payload.get("model"))
        for key, value in (payload.get("local_defaults") or {}).items():
            if target.source == "local":
                body.setdefault(key, value)
            elif key not in payload:
                body.pop(key, None)
        headers = {**target.headers(), "Content-Type": "application/json"}
        try:
            resp = await client().post(
                target.base_url + "/chat/completions", data=json.dumps(body).encode(), headers=headers
            )
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            if target.source == "local" and not retried_local:
                retried_local = True  # the cached address may be stale (engine restarted): look again once
                up.forget_local()
                fresh = await asyncio.get_running_loop().run_in_executor(None, up.local_upstream, True)
                if fresh is not None and fresh.base_url != target.base_url:
                    candidates[i] = fresh
                    tried.pop()
                    continue
            if i == len(candidates) - 1:
                raise up.UpstreamError(
                    f"the {target.source} model server is unreachable ({target.base_url}): {exc}",
                    status=502,
                    code=f"{target.source}_unreachable",
                    source=target.source,
                ) from exc
            i += 1
            continue
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:  # timed out, or broke before an answer
            raise failure(target, exc) from exc
        if resp.status >= 400:
            raise _refused(target, resp.status, await read_all(resp))
        return i, target, resp
    raise AssertionError("unreachable")


def failure(target: up.Upstream, exc: BaseException) -> up.UpstreamError:
    """An upstream that timed out (504) or broke (502) before or during its answer."""
    import aiohttp

    timeout = isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError))
    return up.UpstreamError(
        f"the {target.source} model server "
        + (f"timed out: {exc or 'no answer'}" if timeout else f"failed: {exc}"),
        status=504 if timeout else 502,
        code="upstream_timeout" if timeout else "upstream_error",
        source=target.source,
    )


def _refused(target: up.Upstream, status: int, content: bytes | str) -> up.UpstreamError:
    return up.UpstreamError(
        f"the {target.source} model server answered {status}: {wire.error_message(status, content)}",
        status=status if status < 500 else 502,
        code="upstream_error",
        source=target.source,
    )


async def read_all(resp: aiohttp.ClientResponse) -> bytes:
    """The whole body of a non-streamed answer; the connection goes back to the pool."""
    try:
        return await resp.read()
    finally:
        resp.release()


async def relay_sse(resp: aiohttp.ClientResponse, cancel: Cancellation, sage: dict) -> AsyncIterator[bytes]:
    """The upstream's SSE events, unchanged, then one extra chunk carrying `x_sage` (which source
    answered, request id, cancelled?) before `data: [DONE]`. Stops early when `cancel` is set.

    Works on the network chunks as they arrive (one write per chunk, whatever number of events it holds);
    only the first event is parsed (for its id and model), the rest are forwarded as bytes. A cancel closes
    the upstream connection (from any thread), which ends the read at once and makes the engine stop."""
    import aiohttp

    loop = asyncio.get_running_loop()
    cancel.on_cancel(lambda: loop.call_soon_threadsafe(resp.close))
    last_id, model, done, ended = None, None, False, False
    reader = wire.SSEReader()
    try:
        while not cancel.is_set():  # to the end of the body even after [DONE], so the connection is reused
            try:
                read = resp.content.readany()
                # after [DONE] the end of the body is due at once: never wait long for it
                chunk = await (asyncio.wait_for(read, 1.0) if done else read)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                if not cancel.is_set() and not done:  # sock_read timeout, or the upstream died mid-answer
                    yield _stream_error(exc)
                break
            if not chunk:  # end of the body
                ended = True
                break
            if done:
                continue
            out = []
            for data in reader.feed(chunk):
                if data == wire.DONE:
                    done = True
                    break
                if last_id is None and data.startswith(b"{"):
                    try:
                        head = json.loads(data)
                        last_id, model = head.get("id"), head.get("model")
                    except ValueError:
                        pass
                out.append(wire.sse_data(data))
            if out:
                yield b"".join(out)
    finally:
        if ended:
            resp.release()  # read to its end: the connection goes back to the pool
        else:
            resp.close()  # closing the connection makes the engine stop generating
    sage = {**sage, "cancelled": cancel.is_set(), "complete": done}
    yield wire.sse_event(
        wire.choiceless_chunk(last_id or cancel.request_id, model, wire.now_s(), x_sage=sage)
    )
    yield wire.SSE_DONE


def _stream_error(exc: BaseException) -> bytes:
    import aiohttp

    timeout = isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError))
    why = "read timeout" if timeout else f"connection lost: {exc.__class__.__name__}"
    return wire.sse_event(
        wire.error_object(
            f"the model server stopped sending ({why})",
            "upstream_timeout" if timeout else "upstream_error",
            504 if timeout else 502,
        )
    )


async def list_models() -> dict:
    """Models of the local engine and the cloud endpoint, each tagged with its source (no keys)."""
    import aiohttp

    loop = asyncio.get_running_loop()
    data = []
    local = await loop.run_in_executor(None, up.local_upstream)
    cloud = up.cloud_upstream()
    for target in (local, cloud):
        if target is None:
            continue
        try:
            async with client().get(
                target.base_url + "/models",
                headers=target.headers(),
                timeout=aiohttp.ClientTimeout(total=5.0),
            ) as resp:
                resp.raise_for_status()
                models = json.loads(await resp.read()).get("data") or []
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
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
