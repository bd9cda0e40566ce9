"""REST + WebSocket routes of flows (`<base_url>/sage-studio/api/flow/...`): palette, templates, flows CRUD,
validation, runs (started in the background, events pushed over a WebSocket), history, cancel, export."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal

import tornado.web
import tornado.websocket
from jupyter_server.auth.decorator import ws_authenticated
from pydantic import BaseModel

from ..errors import InvalidInput, StudioError
from .base import StudioHandler
from .push import PushSocket

ID = r"(?P<flow_id>[A-Za-z0-9_-]+)"
RUN = r"(?P<run_id>[A-Za-z0-9_-]+)"


def _flow():  # the flow package imports pydantic models only; operators load lazily on first use
    from .. import flow as flow_pkg

    return flow_pkg


class RunBody(BaseModel):
    inputs: dict[str, Any] | str | None = None
    executor: Literal["local", "ray"] = "local"


class AdHocRunBody(RunBody):
    flow: dict[str, Any]


class FlowHandlerBase(StudioHandler):
    def repo(self):
        from ..flow.repository import FlowRepository

        return FlowRepository()

    def body_flow(self, raw: Any = None):
        """The request body (or `raw`) as a FlowSpec: 400 naming the problem for malformed JSON."""
        from ..flow.spec import parse_flow

        if raw is None:
            raw = self.request.body or b""
            if not raw.strip():
                raise InvalidInput('the body must be a flow: {"nodes": [...], "edges": [...]}')
        return parse_flow(raw)


class OperatorsHandler(FlowHandlerBase):
    @tornado.web.authenticated
    async def get(self):
        from ..flow.registry import palette

        ops = await asyncio.to_thread(palette)
        self.write_json({"operators": ops})


class TemplatesHandler(FlowHandlerBase):
    @tornado.web.authenticated
    def get(self):
        from ..flow.templates import list_templates

        self.write_json({"templates": list_templates()})


class FlowsHandler(FlowHandlerBase):
    @tornado.web.authenticated
    def get(self):
        self.write_json({"flows": self.repo().list()})

    @tornado.web.authenticated
    def post(self):
        """Create (or import a `.sage-flow.json`): malformed → 400 and nothing stored."""
        from ..flow.spec import validate

        spec = self.body_flow()
        issues = validate(spec)  # a work-in-progress flow may be saved; the issues come back with it
        created = self.repo().create(spec)
        self.write_json({**created, "issues": issues}, status=201)


class FlowHandler(FlowHandlerBase):
    @tornado.web.authenticated
    def get(self, flow_id):
        self.write_json(self.repo().get(flow_id))

    @tornado.web.authenticated
    def put(self, flow_id):
        from ..flow.spec import validate

        spec = self.body_flow()
        updated = self.repo().update(flow_id, spec)
        self.write_json({**updated, "issues": validate(spec)})

    @tornado.web.authenticated
    def delete(self, flow_id):
        self.repo().delete(flow_id)
        self.set_status(204)
        self.finish()


class ValidateHandler(FlowHandlerBase):
    @tornado.web.authenticated
    def post(self):
        from ..flow.spec import validate

        issues = validate(self.body_flow())
        errors = [i for i in issues if i["severity"] == "error"]
        if errors:
            raise InvalidInput(
                f"the flow has {len(errors)} problem(s): {errors[0]['message']}", issues=issues
            )
        self.write_json({"valid": True, "issues": issues})


class ExportFlowHandler(FlowHandlerBase):
    @tornado.web.authenticated
    def get(self, flow_id):
        from ..paths import safe_name

        data = self.repo().get(flow_id)
        self.set_header("Content-Type", "application/json")
        self.set_header(
            "Content-Disposition", f'attachment; filename="{safe_name(data["name"])}.sage-flow.json"'
        )
        self.finish(json.dumps(data["flow"], indent=2, ensure_ascii=False))


class ExportPythonHandler(FlowHandlerBase):
    def _send(self, flow):
        from ..paths import safe_name

        self.set_header("Content-Disposition", f'attachment; filename="{safe_name(flow.name)}.py"')
        self.finish(
            flow.to_python(), set_content_type="text/x-python; charset=utf-8"
        )  # APIHandler's own kwarg

    @tornado.web.authenticated
    def get(self, flow_id):
        self._send(_flow().Flow.from_store(flow_id))

    @tornado.web.authenticated
    def post(self, flow_id=None):
        self._send(_flow().Flow(spec=self.body_flow()))


class RunFlowHandler(FlowHandlerBase):
    @tornado.web.authenticated
    def post(self, flow_id):
        from ..flow.runs import get_run_manager

        body = self.parse_body(RunBody)
        flow = _flow().Flow.from_store(flow_id)
        run_id = get_run_manager().start(flow, body.inputs, flow_id=flow_id, executor=body.executor)
        self.write_json({"run_id": run_id, "flow_id": flow_id, "status": "running"}, status=202)


class AdHocRunHandler(FlowHandlerBase):
    """Run a flow straight from the canvas without saving it."""

    @tornado.web.authenticated
    def post(self):
        from ..flow.runs import get_run_manager

        body = self.parse_body(AdHocRunBody)
        flow = _flow().Flow(spec=self.body_flow(body.flow))
        run_id = get_run_manager().start(flow, body.inputs, executor=body.executor)
        self.write_json({"run_id": run_id, "status": "running"}, status=202)


class FlowRunsHandler(FlowHandlerBase):
    @tornado.web.authenticated
    def get(self, flow_id=None):
        from ..flow.runs import get_run_manager

        repo = self.repo()
        if flow_id:
            repo.get(flow_id)
        repo.mark_interrupted(get_run_manager().live_ids())
        limit = int(self.get_query_argument("limit", "50"))
        self.write_json({"runs": repo.runs(flow_id, limit=max(1, min(limit, 500)))})


class RunHandler(FlowHandlerBase):
    @tornado.web.authenticated
    def get(self, run_id):
        from ..flow.runs import get_run_manager

        repo = self.repo()
        run = repo.run(run_id)
        run["live"] = get_run_manager().is_live(run_id)
        run["events"] = repo.events(run_id)
        self.write_json(run)


class CancelRunHandler(FlowHandlerBase):
    @tornado.web.authenticated
    def post(self, run_id):
        from ..flow.runs import get_run_manager

        self.write_json(get_run_manager().cancel(run_id), status=202)


class RunEventsSocket(PushSocket):
    """Pushes a run's events: those so far, then each new one; closes after `run_finished`."""

    @ws_authenticated
    async def get(self, run_id: str):
        from ..flow.repository import FlowRepository
        from ..flow.runs import get_run_manager

        if not get_run_manager().is_live(run_id):
            try:
                FlowRepository().run(run_id)
            except StudioError as exc:
                raise tornado.web.HTTPError(exc.status, reason=exc.message) from None
        self.run_id = run_id
        return await super().get(run_id)

    async def _run(self):
        from ..flow.runs import get_run_manager

        try:
            async for ev in get_run_manager().watch(self.run_id):
                await self.write_message(json.dumps(ev, default=str))
            self.close()
        except (tornado.websocket.WebSocketClosedError, asyncio.CancelledError):
            return

    def on_message(self, message):
        if message.strip() == "cancel":  # the canvas may stop a run over the same socket
            from ..flow.runs import get_run_manager

            try:
                get_run_manager().cancel(self.run_id)
            except StudioError:
                pass


def routes():
    return [
        (r"api/flow/operators", OperatorsHandler),
        (r"api/flow/templates", TemplatesHandler),
        (r"api/flow/validate", ValidateHandler),
        (r"api/flow/export-python", ExportPythonHandler),
        (r"api/flow/run", AdHocRunHandler),
        (r"api/flow/flows", FlowsHandler),
        (r"api/flow/flows/import", FlowsHandler),
        (rf"api/flow/flows/{ID}", FlowHandler),
        (rf"api/flow/flows/{ID}/run", RunFlowHandler),
        (rf"api/flow/flows/{ID}/runs", FlowRunsHandler),
        (rf"api/flow/flows/{ID}/export", ExportFlowHandler),
        (rf"api/flow/flows/{ID}/export-python", ExportPythonHandler),
        (r"api/flow/runs", FlowRunsHandler),
        (rf"api/flow/runs/{RUN}", RunHandler),
        (rf"api/flow/runs/{RUN}/cancel", CancelRunHandler),
        (rf"api/flow/runs/{RUN}/events", RunEventsSocket),
    ]
