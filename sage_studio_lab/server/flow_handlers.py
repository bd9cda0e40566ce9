"""Flow routes that are not plain operations (sage_studio_lab/api/flow.py has those): a saved flow downloaded as
its `.sage-flow.json` file, and a run's events pushed over a WebSocket."""

from __future__ import annotations

import asyncio
import json

import tornado.web
import tornado.websocket
from jupyter_server.auth.decorator import ws_authenticated

from ..errors import StudioError
from .base import StudioHandler
from .push import PushSocket

ID = r"(?P<flow_id>[A-Za-z0-9_-]+)"
RUN = r"(?P<run_id>[A-Za-z0-9_-]+)"


class ExportFlowHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self, flow_id):
        from ..flow.repository import FlowRepository
        from ..paths import safe_name

        data = FlowRepository().get(flow_id)
        self.set_header("Content-Type", "application/json")
        self.set_header(
            "Content-Disposition", f'attachment; filename="{safe_name(data["name"])}.sage-flow.json"'
        )
        self.finish(json.dumps(data["flow"], indent=2, ensure_ascii=False))


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
        (rf"api/flow/flows/{ID}/export", ExportFlowHandler),
        (rf"api/flow/runs/{RUN}/events", RunEventsSocket),
    ]
