"""The local executor: runs a flow's true DAG on asyncio and streams events.

Every node is one task with a bounded inbox of (port, message); edges put messages into the target's
inbox (backpressure when full). Streaming ports are zipped (one message from each per activation);
`collect` ports are a barrier that delivers every message once all upstream edges ended. A node that
never gets a message (the router chose another branch) is skipped and just passes end-of-stream on,
so joins behind it are never blocked. Subclasses change only `invoke` (where `process` runs: Ray).
"""

from __future__ import annotations

import asyncio
import functools
import time
import traceback
import uuid
from collections import deque
from collections.abc import AsyncIterator

from ..errors import InvalidInput
from .debug import ValueRecorder, pins, prune_pinned
from .events import NotRecordable, check_recordable, jsonable, make_event, preview
from .registry import Many, Operator, RunContext, get_operator
from .spec import FlowSpec, node_config, resolve_handles, validate

_EOS = object()
PREVIEWS_PER_NODE = 3  # node_output events per node; later activations only count (keeps 10k-item runs cheap)


class FlowFailed(Exception):
    def __init__(self, node_id: str, message: str):
        super().__init__(f"node {node_id!r} failed: {message}")
        self.node_id = node_id
        self.message = message


class _Node:
    __slots__ = (
        "id",
        "op",
        "config",
        "inbox",
        "in_edges",
        "out_edges",
        "collect_ports",
        "stream_ports",
        "timeout",
        "retries",
        "is_sink",
        "sink_name",
        "activations",
        "emitted",
        "started_at",
        "pinned",
        "recorder",
    )

    def __init__(self, node_id, op, config, queue_size):
        self.id, self.op, self.config = node_id, op, config
        self.inbox: asyncio.Queue = asyncio.Queue(maxsize=queue_size)
        self.in_edges: dict[str, int] = {}  # port -> number of incoming edges
        self.out_edges: dict[str, list[tuple[_Node, str]]] = {}
        self.collect_ports: set[str] = set()
        self.stream_ports: list[str] = []
        t = config.get("timeout_s")
        self.timeout = float(t) if t else None
        self.retries = int(config.get("max_retries") or 0)
        self.is_sink = bool(getattr(type(op), "sink", False))
        self.sink_name = config.get("name") or node_id
        self.activations = 0
        self.emitted = 0
        self.started_at = None
        self.pinned: dict | None = None  # port -> values emitted instead of running (flow/debug.py)
        self.recorder = ValueRecorder()


class LocalExecutor:
    kind = "local"

    def __init__(
        self, spec: FlowSpec, base_dir: str | None = None, queue_size: int = 64, user: str | None = None
    ):
        issues = [i for i in validate(spec) if i["severity"] == "error"]
        if issues:
            raise InvalidInput(
                f"the flow is not valid: {issues[0]['message']}"
                + (f" (+{len(issues) - 1} more)" if len(issues) > 1 else ""),
                issues=issues,
            )
        resolve_handles(spec)
        spec = prune_pinned(spec)  # what only feeds pinned nodes does not run
        self.pins = pins(spec)
        self.spec, self.base_dir, self.queue_size, self.user = spec, base_dir, queue_size, user
        self.run_id = ""
        self._seq = 0
        self._events: asyncio.Queue | None = None
        self.outputs: dict[str, list] = {}
        self.recorded_outputs: dict[str, list] = {}  # the same, in the JSON form the run records
        self.status = "pending"
        self.error: str | None = None
        self._cancelled = False
        self._main: asyncio.Task | None = None

    # -- events --------------------------------------------------------------------------------------
    def _emit(self, type_: str, node_id: str | None = None, token: str | None = None, **fields) -> None:
        if node_id is not None:
            fields["node_id"] = node_id
        if token is not None:
            fields["token"] = token
        self._seq += 1
        self._events.put_nowait(make_event(type_, self.run_id, self._seq, **fields))

    # -- where an activation runs (overridden by the Ray executor) -----------------------------------------
    async def setup(self) -> None:
        pass

    async def invoke(self, node: _Node, inputs: dict, ctx: RunContext) -> dict:
        op = node.op
        if asyncio.iscoroutinefunction(op.process):
            return await op.process(inputs, ctx)
        if op.blocking:
            return await asyncio.to_thread(op.process, inputs, ctx)
        return op.process(inputs, ctx)

    # -- graph ----------------------------------------------------------------------------------------
    def _build(self) -> dict[str, _Node]:
        nodes: dict[str, _Node] = {}
        for n in self.spec.nodes:
            op_cls: type[Operator] = get_operator(n.type)
            config = node_config(n, op_cls)
            node = nodes[n.id] = _Node(n.id, op_cls(config), config, self.queue_size)
            ports = {p.name: p for p in op_cls.input_ports(config)}
            node.collect_ports = {name for name, p in ports.items() if p.collect}
            node.pinned = self.pins.get(n.id)
        for e in self.spec.edges:
            src, dst = nodes[e.source], nodes[e.target]
            src.out_edges.setdefault(e.sourceHandle, []).append((dst, e.targetHandle))
            dst.in_edges[e.targetHandle] = dst.in_edges.get(e.targetHandle, 0) + 1
        for node in nodes.values():
            node.stream_ports = [p for p in node.in_edges if p not in node.collect_ports]
            node.collect_ports &= set(node.in_edges)
        return nodes

    # -- running --------------------------------------------------------------------------------------
    async def stream(self, inputs: dict | None = None, run_id: str | None = None) -> AsyncIterator[dict]:
        """Run the flow, yielding every event; the last one is `run_finished`."""
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self._events = asyncio.Queue()
        inputs = dict(inputs or {})
        self._emit("run_started", executor=self.kind, inputs=preview(inputs))
        self._main = asyncio.ensure_future(self._run(inputs))
        while True:
            getter = asyncio.ensure_future(self._events.get())
            done, _ = await asyncio.wait({getter, self._main}, return_when=asyncio.FIRST_COMPLETED)
            if getter in done:
                yield getter.result()
                continue
            getter.cancel()
            while not self._events.empty():
                yield self._events.get_nowait()
            break
        yield make_event(
            "run_finished",
            self.run_id,
            self._seq + 1,
            status=self.status,
            error=self.error,
            outputs={k: [preview(v) for v in vs[:20]] for k, vs in self.recorded_outputs.items()},
        )

    def cancel(self) -> None:
        self._cancelled = True
        if self._main is not None and not self._main.done():
            self._main.cancel()

    async def _run(self, inputs: dict) -> None:
        t0 = time.perf_counter()
        tasks: list[asyncio.Task] = []
        try:
            await self.setup()
            nodes = self._build()
            tasks = [asyncio.ensure_future(self._run_node(n, inputs)) for n in nodes.values()]
            await asyncio.gather(*tasks)
            self.status = "succeeded"
        except asyncio.CancelledError:
            self.status, self.error = "cancelled", "cancelled by the user"
        except FlowFailed as exc:
            self.status, self.error = "failed", str(exc)
        except Exception as exc:  # a bug in the executor itself still ends the run cleanly
            self.status, self.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            for t in tasks:
                t.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
            await self.teardown()
            self.duration_s = time.perf_counter() - t0

    async def teardown(self) -> None:
        pass

    async def _send_eos(self, node: _Node) -> None:
        for targets in node.out_edges.values():
            for dst, port in targets:
                await dst.inbox.put((port, _EOS))

    async def _run_node(self, node: _Node, inputs: dict) -> None:
        ctx = RunContext(
            run_id=self.run_id, node_id=node.id, inputs=inputs, base_dir=self.base_dir, user=self.user
        )
        if node.pinned is not None:
            await self._emit_pinned(node)
        elif not node.in_edges:
            await self._activate(node, {}, ctx)
        else:
            await self._consume(node, ctx)
        if node.activations == 0:
            self._emit("node_skipped", node_id=node.id, reason="no input reached this node")
        else:
            self._emit(
                "node_finished",
                node_id=node.id,
                duration_s=round(time.perf_counter() - node.started_at, 6),
                activations=node.activations,
                messages_out=node.emitted,
                values=node.recorder.values,
                values_truncated=node.recorder.truncated,
                **({"pinned": True} if node.pinned is not None else {}),
            )
        await self._send_eos(node)

    async def _emit_pinned(self, node: _Node) -> None:
        """A pinned node sends its pinned values on, as one activation, without running."""
        node.started_at = time.perf_counter()
        self._emit("node_started", node_id=node.id, operator=self.spec_type(node), pinned=True)
        node.activations = 1
        await self._route(node, {port: Many(values) for port, values in node.pinned.items()})

    async def _consume(self, node: _Node, ctx: RunContext) -> None:
        open_edges = dict(node.in_edges)
        pending = {p: deque() for p in node.stream_ports}
        collected = {p: [] for p in node.collect_ports}
        streams, collect_open = node.stream_ports, len(node.collect_ports)
        exhausted = False
        while open_edges:
            port, value = await node.inbox.get()
            if value is _EOS:
                open_edges[port] -= 1
                if open_edges[port] == 0:
                    del open_edges[port]
                    if port in collected:
                        collect_open -= 1
            elif port in collected:
                collected[port].append(value)
            else:
                pending[port].append(value)
            if collect_open or exhausted or not streams:
                continue
            while all(pending[p] for p in streams):  # zip: one message from every streaming port
                args = {p: pending[p].popleft() for p in streams}
                args.update(collected)
                await self._activate(node, args, ctx)
            # a drained streaming port whose edges all ended: no further activation is possible
            exhausted = any(not pending[p] and p not in open_edges for p in streams)
        if not streams and any(collected.values()):
            await self._activate(node, dict(collected), ctx)

    async def _activate(self, node: _Node, args: dict, ctx: RunContext) -> None:
        if node.activations == 0:
            node.started_at = time.perf_counter()
            self._emit("node_started", node_id=node.id, operator=self.spec_type(node))
        node.activations += 1
        if node.is_sink and "in" in args:
            try:
                record = jsonable(args["in"])
            except NotRecordable as exc:
                self._unrecordable(node, f"its input cannot be recorded as JSON: {exc}")
            self.outputs.setdefault(node.sink_name, []).append(args["in"])
            self.recorded_outputs.setdefault(node.sink_name, []).append(record)
        if ctx.on_token is None and getattr(node.op, "blocking", False):
            loop = asyncio.get_running_loop()
            emit = functools.partial(self._emit, "token", node.id)
            ctx.on_token = lambda tok: loop.call_soon_threadsafe(emit, tok)
        elif ctx.on_token is None:
            ctx.on_token = functools.partial(self._emit, "token", node.id)
        attempt = 0
        while True:
            try:
                if node.timeout:
                    result = await asyncio.wait_for(self.invoke(node, args, ctx), node.timeout)
                else:
                    result = await self.invoke(node, args, ctx)
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                message = (
                    f"timed out after {node.timeout:g} s"
                    if isinstance(exc, asyncio.TimeoutError)
                    else f"{type(exc).__name__}: {exc}"
                )
                if attempt < node.retries:
                    attempt += 1
                    self._emit("node_retry", node_id=node.id, attempt=attempt, error=message)
                    continue
                self._emit(
                    "node_failed",
                    node_id=node.id,
                    error=message,
                    attempts=attempt + 1,
                    traceback="".join(traceback.format_exception(exc))[-2000:],
                )
                raise FlowFailed(node.id, message) from exc
        await self._route(node, result or {})

    def spec_type(self, node: _Node) -> str:
        return type(node.op).type

    def _unrecordable(self, node: _Node, message: str) -> None:
        """A value the run must record has no JSON form: the node fails with json's reason (the run with it)."""
        self._emit("node_failed", node_id=node.id, error=message, attempts=1)
        raise FlowFailed(node.id, message)

    async def _route(self, node: _Node, result: dict) -> None:
        for port, value in result.items():
            if node.activations <= PREVIEWS_PER_NODE:
                try:
                    shown = preview(value)
                    check_recordable(shown)
                except (NotRecordable, RecursionError) as exc:
                    self._unrecordable(node, f"its output on port {port!r} cannot be recorded as JSON: {exc}")
                self._emit(
                    "node_output",
                    node_id=node.id,
                    port=port,
                    preview=shown,
                    count=len(value) if isinstance(value, Many) else 1,
                )
            targets = node.out_edges.get(port)
            messages = value if isinstance(value, Many) else (value,)
            node.emitted += len(messages)
            for message in messages:
                if node.recorder.truncated:
                    break
                try:
                    node.recorder.add(port, jsonable(message))
                except NotRecordable:
                    node.recorder.add(port, preview(message))
            if not targets:
                continue
            for message in messages:
                for dst, dst_port in targets:
                    await dst.inbox.put((dst_port, message))
