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


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a listener as another user")
async def test_a_listener_of_another_user_never_gets_a_connection():
    name = f"\0sage-studio-test/{uuid.uuid4().hex}"
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: another user binds the engine's name first
        code = 2
        try:
            os.setuid(65534)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            sock.bind(name)
            sock.listen(1)
            os.write(ready_w, b"1")
            conn, _ = sock.accept()
            code = 0 if conn.recv(MAX_RECV) == b"" else 1  # 1: it was given a request
        finally:
            os._exit(code)
    try:
        assert os.read(ready_r, 1) == b"1"
        async with lending() as (_unused, _client, lent_end):
            assert (await lend(name, lent_end)).outcome == "unavailable"
    finally:
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_only_a_local_engine_has_an_address():
    assert handoff.address("127.0.0.1", 8001) == "\0sage-studio-engine/127.0.0.1:8001"
    assert handoff.address("localhost", 8001) == handoff.address("0.0.0.0", 8001)
    assert handoff.address("10.0.0.5", 8001) is None
    assert handoff.address("127.0.0.1", None) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to be a gateway of another user")
async def test_the_engine_takes_nothing_from_another_users_process():
    listener, name = await serve(app())
    pid = os.fork()
    if pid == 0:  # child: another user tries to lend the engine a connection
        code = 1
        try:
            os.setuid(65534)
            a, b = socket.socketpair()
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            sock.settimeout(10)
            sock.connect(name)
            try:
                socket.send_fds(sock, [handoff.TAKE + b'{"path": "/v1/chat/completions"}\n{}'], [b.fileno()])
                code = 0 if sock.recv(100) == b"" else 1  # hung up on, no answer
            except (BrokenPipeError, ConnectionResetError):
                code = 0
        finally:
            os._exit(code)
    try:
        for _ in range(200):  # keep the loop (and the listener) running while the child tries
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            await asyncio.sleep(0.05)
        assert done and os.waitstatus_to_exitcode(status) == 0
    finally:
        listener.close()
