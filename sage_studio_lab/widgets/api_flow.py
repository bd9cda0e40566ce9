"""Flow methods of the transport (`flow.*`), answered by the flow runtime in the kernel."""

from __future__ import annotations

from .transport import plain, rpc


def to_flow(data):
    """A `Flow` from React-Flow JSON (dict), a `.sage-flow.json` path, or a Flow."""
    from ..flow import Flow

    if isinstance(data, Flow):
        return data
    if isinstance(data, dict):
        return Flow.from_dict(data)
    return Flow.load(str(data))


def flow_json(flow) -> dict:
    return plain(flow.to_dict())


def run_flow(flow, inputs: dict, emit, cancelled) -> dict:
    """Stream a run, `emit`ting each event; returns `{run_id, status, outputs}`."""
    result = {"run_id": None, "status": "running", "outputs": {}}
    for event in _stream(flow, inputs, cancelled):
        event = plain(event)
        result["run_id"] = result["run_id"] or event.get("run_id")
        if event.get("type") == "run_finished":
            result.update(status="finished", outputs=event.get("outputs", {}))
        elif event.get("type") == "run_failed":
            result.update(status="failed", error=event.get("error"))
        elif event.get("type") == "run_cancelled":
            result.update(status="cancelled")
        emit(event)
    return result


def _stream(flow, inputs, cancelled):
    """`Flow.stream` is async; drive it on a private loop in this (background) thread, cancelling on request."""
    import asyncio

    queue_done = object()
    loop = asyncio.new_event_loop()
    agen = flow.stream(inputs)
    try:
        while True:
            if cancelled.is_set():
                loop.run_until_complete(agen.aclose())
                yield {"type": "run_cancelled"}
                return
            item = loop.run_until_complete(_next(agen, queue_done))
            if item is queue_done:
                return
            yield item
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


async def _next(agen, done):
    try:
        return await agen.__anext__()
    except StopAsyncIteration:
        return done


class FlowApi:
    @rpc("flow.operators")
    def _flow_operators(self):
        from ..flow import operators_catalog

        return {"operators": plain(operators_catalog())}

    @rpc("flow.templates")
    def _flow_templates(self):
        from ..flow import templates

        return {"templates": plain(templates())}

    @rpc("flow.validate")
    def _flow_validate(self, flow: dict):
        issues = plain(to_flow(flow).validate())
        return {"valid": not any(i.get("severity", "error") == "error" for i in issues), "issues": issues}

    @rpc("flow.run", stream=True)
    def _flow_run(self, flow: dict, inputs: dict | None = None, call=None):
        return run_flow(to_flow(flow), inputs or {}, call.emit, call.cancelled)

    @rpc("flow.runs")
    def _flow_runs(self, flow_id: str | None = None):
        from .. import store

        db = store.get_store()
        sql = "SELECT id, flow_id, status, executor, started_at, finished_at FROM flow_runs"
        rows = db.query(sql + " WHERE flow_id=? ORDER BY started_at DESC", (flow_id,)) if flow_id else \
            db.query(sql + " ORDER BY started_at DESC LIMIT 100")
        return {"runs": rows}

    @rpc("flow.export")
    def _flow_export(self, flow: dict):
        return {"code": to_flow(flow).to_python()}
