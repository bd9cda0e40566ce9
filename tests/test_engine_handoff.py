"""The connection hand-off protocol (engine/handoff.py), both ends in one process: a real Unix socket listener,
a real ASGI app, and a socket pair standing for the client's TCP connection. The gateway and the real engine
use it in tests/test_gateway_engine.py."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import uuid

import h11
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from sage_studio_lab.chat.cancel import Cancellation
from sage_studio_lab.engine import handoff

HEADERS = [
    ("Content-Type", "text/event-stream; charset=utf-8"),
    ("x-request-id", "req-1"),
    ("Server", "Jupyter"),
]
SAGE = {"source": "local", "request_id": "req-1", "tried": ["local"], "delivery": "lent"}
MAX_RECV = 1 << 18
HEAD = {"path": "/v1/chat/completions", "headers": HEADERS, "sage": SAGE}


def app(events: int = 2, delay: float = 0.0, status: int = 200, seen: list | None = None):
    async def chat(request):
        body = await request.json()
        if seen is not None:
            seen.append(body)
        if status != 200:
            return JSONResponse({"error": {"message": "The model `x` does not exist."}}, status_code=status)

        async def stream():
            for i in range(events):
                yield f'data: {{"id": "cmpl-1", "model": "m", "n": {i}}}\n\n'
                await asyncio.sleep(delay)
            yield "data: [DONE]\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream")

    return Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"])])


async def serve(asgi):
    name = f"\0sage-studio-test/{uuid.uuid4().hex}"
    listener = handoff.Listener(asgi, name)
    assert listener.start()
    return listener, name


def read_response(sock: socket.socket) -> tuple[h11.Response, bytes]:
    """The HTTP/1.1 response on `sock`, parsed by h11 (so its framing is checked)."""
    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method="POST", target="/", headers=[("Host", "x"), ("Content-Length", "0")]))
    conn.send(h11.EndOfMessage())
    head, body = None, b""
    sock.settimeout(10)
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(sock.recv(65536))
        elif isinstance(event, h11.Response):
            head = event
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            return head, body


def events(body: bytes) -> list:
    out = []
    for line in body.split(b"\n"):
        if line.startswith(b"data: "):
            data = line[6:]
            out.append(data.decode() if data == b"[DONE]" else json.loads(data))
    return out


@contextlib.asynccontextmanager
async def lending(asgi=None):
    """(engine name, client end, lent end): a listener running `asgi` (none: no listener at that name) and a
    socket pair standing for the client's connection."""
    listener, name = (
        (await serve(asgi)) if asgi is not None else (None, f"\0sage-studio-test/{uuid.uuid4().hex}")
    )
    client, lent_end = socket.socketpair()
    try:
        yield name, client, lent_end
    finally:
        if listener is not None:
            listener.close()
        client.close()
        lent_end.close()


async def lend(name, lent_end, body: bytes = b"{}", cancel=None):
    return await handoff.lend(name, lent_end.fileno(), HEAD, body, cancel or Cancellation("req-1"))


async def test_a_lent_stream_is_written_to_the_client_and_the_connection_stays_open():
    seen = []
    async with lending(app(seen=seen)) as (name, client, lent_end):
        body = json.dumps({"model": "m", "messages": [], "stream": True}).encode()
        lent = await lend(name, lent_end, body)
        assert lent.outcome == "done"
        assert seen == [{"model": "m", "messages": [], "stream": True}]
        response, data = await asyncio.to_thread(read_response, client)
        assert response.status_code == 200
        assert (b"x-request-id", b"req-1") in response.headers and (b"server", b"Jupyter") in response.headers
        got = events(data)
        assert [e["n"] for e in got[:2]] == [0, 1]
        closing = got[2]
        assert closing["id"] == "cmpl-1" and closing["model"] == "m" and closing["choices"] == []
        assert closing["x_sage"] == {**SAGE, "cancelled": False, "complete": True}
        assert got[3] == "[DONE]"
        # the connection is still the gateway's: the engine closed only its own descriptor
        lent_end.sendall(b"next")
        assert client.recv(4) == b"next"


async def test_an_engine_error_is_returned_to_the_gateway_and_nothing_is_written():
    async with lending(app(status=400)) as (name, client, lent_end):
        lent = await lend(name, lent_end)
        assert lent.outcome == "refused" and lent.status == 400
        assert "does not exist" in lent.body
        client.setblocking(False)
        with pytest.raises(BlockingIOError):
            client.recv(1)


async def test_cancel_stops_the_answer_and_closes_the_stream_properly():
    async with lending(app(events=1000, delay=0.01)) as (name, client, lent_end):
        cancel = Cancellation("req-1")
        task = asyncio.ensure_future(lend(name, lent_end, cancel=cancel))
        await asyncio.sleep(0.2)
        cancel.cancel()  # a stop request, or the client hanging up
        lent = await asyncio.wait_for(task, 10)
        assert lent.outcome == "done"
        response, data = await asyncio.to_thread(read_response, client)
        got = events(data)
        assert 3 < len(got) < 100  # some events, then the end instead of all 1000
        assert got[-2]["x_sage"]["cancelled"] is True and got[-2]["x_sage"]["complete"] is False
        assert got[-1] == "[DONE]"


async def test_a_client_gone_mid_answer_fails_the_exchange():
    async with lending(app(events=100_000, delay=0)) as (name, client, lent_end):
        client.close()  # writes to the lent connection fail
        lent = await asyncio.wait_for(lend(name, lent_end), 10)
        assert lent.outcome == "failed"


async def test_no_listener_or_an_oversized_request_means_relay():
    async with lending() as (nobody, _client, lent_end):
        assert (await lend(nobody, lent_end)).outcome == "unavailable"
    async with lending(app()) as (name, _client, lent_end):
        big = b"x" * (handoff.MAX_MESSAGE + 1)
        assert (await lend(name, lent_end, big)).outcome == "unavailable"
        long_chat = json.dumps({"messages": [{"role": "user", "content": "x" * 100_000}]}).encode()
        assert (
            await lend(name, lent_end, long_chat)
        ).outcome == "done"  # a long conversation fits one message


def test_the_peer_user_is_read_from_the_kernel():
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    with a, b:
        assert handoff._peer_uid(a) == os.getuid()


def another_user(monkeypatch):
    """Every peer seems to run as another user (as a squatter's listener, or another user's gateway, would)."""
    monkeypatch.setattr(handoff, "_peer_uid", lambda sock: os.getuid() + 1)


async def test_a_listener_of_another_user_never_gets_a_connection(monkeypatch):
    name = f"\0sage-studio-test/{uuid.uuid4().hex}"
    squatter = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    squatter.bind(name)  # binds the engine's name first
    squatter.listen(1)
    squatter.setblocking(False)
    another_user(monkeypatch)
    try:
        async with lending() as (_unused, _client, lent_end):
            assert (await asyncio.wait_for(lend(name, lent_end), 5)).outcome == "unavailable"
        conn, _ = squatter.accept()  # the gateway connected, saw the user, and hung up without a word
        with conn:
            conn.settimeout(5)
            assert conn.recv(MAX_RECV) == b""
    finally:
        squatter.close()


async def test_the_engine_takes_nothing_from_another_users_process(monkeypatch):
    async with lending(app()) as (name, _client, lent_end):
        another_user(monkeypatch)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        with sock:
            await loop.sock_connect(sock, name)
            try:
                socket.send_fds(
                    sock, [handoff.TAKE + json.dumps(HEAD).encode() + b"\n{}"], [lent_end.fileno()]
                )
                reply = await asyncio.wait_for(loop.sock_recv(sock, MAX_RECV), 5)
            except (BrokenPipeError, ConnectionResetError):
                reply = b""
        assert reply == b""  # hung up on: no answer, nothing written for that user


def test_only_a_local_engine_has_an_address():
    assert handoff.address("127.0.0.1", 8001) == "\0sage-studio-engine/127.0.0.1:8001"
    assert handoff.address("localhost", 8001) == handoff.address("0.0.0.0", 8001)
    assert handoff.address("10.0.0.5", 8001) is None
    assert handoff.address("127.0.0.1", None) is None
