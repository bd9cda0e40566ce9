"""Connection hand-off: the chat gateway lends an authenticated client's connection to the CPU engine, which
writes its streamed answer straight to the client. Both ends of the protocol live here.

Why: relayed, every token crosses a second process (engine → Jupyter → client), and on a small machine whose
cores the model keeps busy each crossing waits for the scheduler. Lent, the answer leaves the engine directly;
Jupyter still parses and authenticates the request and sends nothing itself.

The exchange, on a Unix SEQPACKET socket in Linux's abstract namespace named after the engine's HTTP address
(`address()`; each end checks with SO_PEERCRED that the other runs as the same user):

    gateway → engine  b"T" + JSON head + b"\\n" + body, with a duplicate of the client's socket (SCM_RIGHTS)
    gateway → engine  b"C"  cancel (client gone, or a stop request)
    engine → gateway  b"S"  the response head is written (from now on the answer is the engine's)
    engine → gateway  b"D"  answer written in full; the connection is the gateway's again (keep-alive)
    engine → gateway  b"R" + JSON {status, body}  refused before writing anything (the gateway answers)
    engine → gateway  b"F"  the client connection failed mid-answer (the gateway closes it)

The gateway never gives the connection up: it keeps its descriptor, stops writing, and watches it for the
client's hang-up (→ cancel), so the next request on the same keep-alive connection is Jupyter's as before. The
JSON head carries the response headers Jupyter would have sent (its default and CORS headers, `x-request-id`…),
so a lent answer is byte-for-byte the shape of a relayed one, the final `x_sage` chunk included.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import select
import socket
import struct
import sys
import time

log = logging.getLogger(__name__)

MAX_MESSAGE = 128 * 1024  # a larger request is relayed (a SEQPACKET message must fit the socket buffer)
MAX_REPLY = 64 * 1024  # engine → gateway messages (an error body is cut to fit)
TAKE, CANCEL, STARTED, DONE, REFUSED, FAILED = b"T", b"C", b"S", b"D", b"R", b"F"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def address(host: str | None, port: int | None) -> str | None:
    """The abstract socket name of the engine serving HTTP on host:port; None when it cannot be ours (another
    machine, or a system without Linux's abstract Unix sockets)."""
    if (
        not sys.platform.startswith("linux")
        or not host
        or not port
        or host not in _LOOPBACK | {"0.0.0.0", "::"}
    ):
        return None
    host = "127.0.0.1" if host in ("localhost", "0.0.0.0") else "::1" if host == "::" else host
    return f"\0sage-studio-engine/{host}:{port}"


def event(obj: dict) -> bytes:
    return b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n"


def sage_chunk(first_event: dict | None, request_id: str, sage: dict) -> bytes:
    """The gateway's closing chunk: which source answered, the request id, cancelled / complete."""
    first_event = first_event or {}
    return event(
        {
            "id": first_event.get("id") or request_id,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": first_event.get("model"),
            "choices": [],
            "x_sage": sage,
        }
    )


def chunk(data: bytes) -> bytes:
    """One HTTP/1.1 chunk (`Transfer-Encoding: chunked`)."""
    return b"%x\r\n%s\r\n" % (len(data), data)


LAST_CHUNK = b"0\r\n\r\n"
DONE_EVENT = b"data: [DONE]\n\n"


def _peer_uid(sock: socket.socket) -> int:
    """The user id of the process at the other end of a Unix socket (SO_PEERCRED: pid, uid, gid)."""
    return struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1]


def first_event(data: bytes) -> dict | None:
    """The first `data: {…}` event of an SSE body (for its id and model), if it is there."""
    for line in data.split(b"\n"):
        if line.startswith(b"data:") and line[5:].strip().startswith(b"{"):
            try:
                return json.loads(line[5:])
            except ValueError:
                return None
    return None


# -- the engine's end -------------------------------------------------------------------------------------------
class Listener:
    """Takes lent connections and runs each request through the engine's ASGI app, writing the response to the
    client's socket (HTTP/1.1, chunked)."""

    def __init__(self, app, name: str):
        self.app, self.name = app, name
        self.sock: socket.socket | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> bool:
        self.loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            sock.bind(self.name)
        except OSError as exc:  # another engine on this address (or a squatter): serve HTTP only
            log.warning("connection hand-off disabled: %s", exc)
            sock.close()
            return False
        sock.listen(64)
        sock.setblocking(False)
        self.sock = sock
        self.loop.add_reader(sock.fileno(), self._accept)
        return True

    def close(self) -> None:
        if self.sock is not None:
            self.loop.remove_reader(self.sock.fileno())
            self.sock.close()
            self.sock = None

    def _accept(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except (BlockingIOError, InterruptedError):
            return
        if _peer_uid(conn) != os.getuid():  # only our own user's gateway lends us connections
            conn.close()
            return
        conn.setblocking(False)
        _Control(self, conn)


class _Control:
    """One gateway connection: a sequence of exchanges, one at a time."""

    def __init__(self, listener: Listener, conn: socket.socket):
        self.listener, self.conn, self.loop = listener, conn, listener.loop
        self.current: _Exchange | None = None
        self.loop.add_reader(conn.fileno(), self._readable)

    def _readable(self) -> None:
        try:
            data, fds, _flags, _addr = socket.recv_fds(self.conn, MAX_MESSAGE + 1, 1)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data, fds = b"", []
        kind = data[:1]
        if kind == TAKE and fds and self.current is None:
            client = socket.socket(fileno=fds[0])
            try:
                head, _, body = data[1:].partition(b"\n")
                self.current = _Exchange(self, client, json.loads(head), body)
            except ValueError:
                client.close()
                self.send(FAILED)
            return
        for fd in fds:  # not expected: never leak a descriptor
            os.close(fd)
        if kind == CANCEL:
            if self.current is not None:
                self.current.cancel()
            return
        # end of file (the gateway closed or died) or garbage: stop whatever runs and forget this connection
        if self.current is not None:
            self.current.cancel()
        self.loop.remove_reader(self.conn.fileno())
        self.conn.close()

    def send(self, message: bytes) -> None:
        try:
            self.conn.send(message)
        except OSError:
            pass

    def finished(self, exchange: _Exchange, message: bytes) -> None:
        if self.current is exchange:
            self.current = None
        self.send(message)


class _Exchange:
    """One lent request, served through the ASGI app. Nothing is read from the client socket: its hang-up is the
    gateway's to see (it then sends CANCEL)."""

    def __init__(self, control: _Control, client: socket.socket, head: dict, body: bytes):
        self.control, self.client, self.head, self.body = control, client, head, body
        self.loop = control.loop
        self.cancelled = asyncio.Event()
        self.status: int | None = None
        self.error_body = b""
        self.first: dict | None = None
        self.done = False  # the app sent `data: [DONE]`
        self.ended = False  # the last chunk is written
        self.broken = False  # a write to the client failed
        self.task = self.loop.create_task(self._run())

    def cancel(self) -> None:
        self.cancelled.set()

    async def _run(self) -> None:
        client = self.client
        try:
            client.setblocking(False)
            if client.family in (socket.AF_INET, socket.AF_INET6):
                client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            scope = {
                "type": "http",
                "asgi": {"version": "3.0", "spec_version": "2.3"},
                "http_version": "1.1",
                "method": "POST",
                "scheme": "http",
                "path": self.head["path"],
                "raw_path": self.head["path"].encode(),
                "query_string": b"",
                "root_path": "",
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(self.body)).encode()),
                ],
                "client": None,
                "server": None,
                "state": {},
            }
            await self.control.listener.app(scope, self._receive, self._send)
            message = DONE
            if self.status is None:
                message = REFUSED + json.dumps({"status": 500, "body": "no response"}).encode()
            elif self.status != 200:
                body = self.error_body[: MAX_REPLY // 2].decode("utf-8", "replace")
                message = REFUSED + json.dumps({"status": self.status, "body": body}).encode()
            elif self.broken:
                message = FAILED
            elif not self.ended:  # cancelled (or the app ended early): close the stream as the relay does
                await self._write((b"" if self.done else chunk(self._closing())) + LAST_CHUNK)
                message = FAILED if self.broken else DONE
        except Exception:  # noqa: BLE001 - the gateway must hear back whatever happened
            log.exception("lent request failed")
            message = FAILED if self.status == 200 else REFUSED + b'{"status": 500, "body": "engine error"}'
        finally:
            client.close()  # our duplicate only: the connection stays the gateway's
        self.control.finished(self, message)

    async def _receive(self) -> dict:
        if self.body is not None:
            body, self.body = self.body, None
            return {"type": "http.request", "body": body, "more_body": False}
        await self.cancelled.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            if self.status == 200:
                lines = [b"HTTP/1.1 200 OK"]
                lines += [f"{k}: {v}".encode("latin-1") for k, v in self.head["headers"]]
                lines.append(b"Transfer-Encoding: chunked")
                await self._write(b"\r\n".join(lines) + b"\r\n\r\n")
                if not self.broken:
                    self.control.send(STARTED)
            return
        data = message.get("body", b"")
        if self.status != 200:  # an error: the gateway words it
            self.error_body += data
            return
        if self.first is None and data:
            self.first = first_event(data) or {}
        if data.endswith(DONE_EVENT) and not self.done:
            self.done = True
            data = data[: -len(DONE_EVENT)] + self._closing()
        if not message.get("more_body", False) and self.done:
            data = (chunk(data) if data else b"") + LAST_CHUNK
            self.ended = True
        elif data:
            data = chunk(data)
        if data:
            await self._write(data)

    def _closing(self) -> bytes:
        sage = {**self.head["sage"], "cancelled": self.cancelled.is_set(), "complete": self.done}
        return sage_chunk(self.first, self.head["sage"].get("request_id"), sage) + DONE_EVENT

    async def _write(self, data: bytes) -> None:
        if self.broken:
            return
        try:
            await self.loop.sock_sendall(self.client, data)
        except OSError:
            self.broken = True
            self.cancelled.set()  # the app's stream sees a disconnect and stops generating


# -- the gateway's end ------------------------------------------------------------------------------------------
class Lent:
    """How a lent request ended: `done` (written; the connection continues), `refused` (status, body: nothing
    written, answer it), `failed` (the client went away: close the connection), `lost` (the engine went away
    after writing the head: end the stream with an error) or `unavailable` (nothing was written: relay)."""

    def __init__(self, outcome: str, status: int = 0, body: str = ""):
        self.outcome, self.status, self.body = outcome, status, body
        self.tail = b""  # `lost`: the bytes that end the client's stream (the gateway words them)


_idle: dict[str, list[socket.socket]] = {}  # control connections to reuse, per engine address
MAX_IDLE = 32


def _pooled(name: str) -> socket.socket | None:
    """An idle control connection to `name` that is still open (an engine that went away left it readable)."""
    pool = _idle.get(name) or []
    while pool:
        sock = pool.pop()
        if not select.select([sock], [], [], 0)[0]:
            return sock
        sock.close()
    return None


async def _connect(name: str) -> socket.socket | None:
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.setblocking(False)
    try:
        await loop.sock_connect(sock, name)
        uid = _peer_uid(sock)
    except OSError:
        sock.close()
        return None
    if uid != os.getuid():  # not our engine: never give it a user's connection
        log.warning("connection hand-off: the listener at %r belongs to uid %s", name[1:], uid)
        sock.close()
        return None
    return sock


async def lend(name: str, fd: int, head: dict, body: bytes, cancel) -> Lent:
    """Lend the connection `fd` to the engine listening at `name` for one request; returns when the engine has
    answered it. `cancel` (a `chat.cancel.Cancellation`) is forwarded to the engine when set."""
    message = TAKE + json.dumps(head).encode() + b"\n" + body
    if len(message) > MAX_MESSAGE:
        return Lent("unavailable")
    loop = asyncio.get_running_loop()
    sock = _pooled(name)
    for attempt in (0, 1):  # a pooled connection may be stale: then once more on a fresh one
        if sock is None:
            sock = await _connect(name)
            if sock is None:
                return Lent("unavailable")
            attempt = 1
        try:
            socket.send_fds(sock, [message], [fd])
            break
        except OSError:
            sock.close()
            sock = None
            if attempt:
                return Lent("unavailable")
    active = [True]

    def forward_cancel() -> None:
        if active[0]:  # a late cancel must not reach the connection's next exchange
            _send_quietly(sock, CANCEL)

    cancel.on_cancel(lambda: loop.call_soon_threadsafe(forward_cancel))
    started = False
    while True:
        try:
            reply = await loop.sock_recv(sock, MAX_REPLY)
        except OSError:
            reply = b""
        if reply[:1] != STARTED:
            break
        started = True
    active[0] = False
    kind = reply[:1]
    if kind in (DONE, REFUSED) and len(_idle.setdefault(name, [])) < MAX_IDLE:
        _idle[name].append(sock)
    else:
        sock.close()
    if kind == DONE:
        return Lent("done")
    if kind == REFUSED:
        try:
            data = json.loads(reply[1:])
        except ValueError:
            data = {"body": "the engine's error could not be read"}
        return Lent("refused", int(data.get("status") or 500), str(data.get("body") or ""))
    if kind == FAILED:
        return Lent("failed")
    return Lent("lost" if started else "unavailable")  # the engine went away (killed, restarted)


def _send_quietly(sock: socket.socket, message: bytes) -> None:
    try:
        sock.send(message)
    except OSError:
        pass
