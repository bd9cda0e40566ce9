"""REST routes of the local engine: status, start/stop/restart, logs, the model catalog, adapters.

Everything that may block (starting a process, waiting for /health, HTTP calls to the engine) runs in a
worker thread, so the Jupyter server's event loop never stalls.
"""

from __future__ import annotations

import asyncio

import tornado.web
from pydantic import BaseModel, Field

from .. import models
from ..engine.manager import EngineManager
from .base import StudioHandler


class StartBody(BaseModel):
    model: str | None = Field(
        None, description="catalog id or local folder; default: the configured default model"
    )
    backend: str = Field("auto", pattern="^(auto|cpu|vllm)$")
    port: int | None = Field(None, ge=1024, le=65535)
    gpu_memory_utilization: float = Field(0.9, ge=0.05, le=1.0)
    quantization: str | None = None
    wait: bool = Field(
        False, description="answer only once the engine is ready (else at once, status 'loading')"
    )
    timeout: float = Field(180, gt=0, le=3600)


class AdapterBody(BaseModel):
    name: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@/-]+$")
    path: str = Field(min_length=1)


class StopBody(BaseModel):
    grace: float = Field(10.0, ge=0, le=120)


class _EngineHandler(StudioHandler):
    def manager(self) -> EngineManager:
        return EngineManager()

    async def call(self, fn, *args, **kwargs):
        return await asyncio.to_thread(fn, *args, **kwargs)


class StatusHandler(_EngineHandler):
    @tornado.web.authenticated
    async def get(self):
        self.write_json(await self.call(self.manager().status))


class StartHandler(_EngineHandler):
    @tornado.web.authenticated
    async def post(self):
        body = self.parse_body(StartBody)
        model = body.model or self.studio.default_model
        backend = body.backend if body.backend != "auto" else (self.studio.engine_kind or "auto")
        status = await self.call(
            self.manager().start,
            model=model,
            backend=backend,
            port=body.port,
            gpu_memory_utilization=body.gpu_memory_utilization,
            quantization=body.quantization,
            wait=body.wait,
            timeout=body.timeout,
        )
        self.write_json(status, 200 if status["status"] == "running" else 202)


class StopHandler(_EngineHandler):
    @tornado.web.authenticated
    async def post(self):
        body = self.parse_body(StopBody)
        self.write_json(await self.call(self.manager().stop, grace=body.grace))


class RestartHandler(_EngineHandler):
    @tornado.web.authenticated
    async def post(self):
        self.write_json(await self.call(self.manager().restart))


class LogsHandler(_EngineHandler):
    @tornado.web.authenticated
    async def get(self):
        try:
            lines = max(1, min(int(self.get_query_argument("lines", "200")), 10_000))
        except ValueError:
            raise tornado.web.HTTPError(400, reason="lines must be an integer") from None
        text = await self.call(self.manager().logs, lines)
        self.write_json({"lines": lines, "text": text})


class ModelsHandler(_EngineHandler):
    @tornado.web.authenticated
    async def get(self):
        catalog = await self.call(models.list_models)
        self.write_json({"default": self.studio.default_model, "models": [m.to_dict() for m in catalog]})


class AdaptersHandler(_EngineHandler):
    @tornado.web.authenticated
    async def get(self):
        status = await self.call(self.manager().status)
        self.write_json({"adapters": status["adapters"], "engine": status["status"]})

    @tornado.web.authenticated
    async def post(self):
        body = self.parse_body(AdapterBody)
        self.write_json(await self.call(self.manager().load_adapter, body.name, body.path))


class AdapterHandler(_EngineHandler):
    @tornado.web.authenticated
    async def delete(self, name):
        self.write_json(await self.call(self.manager().unload_adapter, name))


def routes():
    return [
        ("api/engine/status", StatusHandler),
        ("api/engine/start", StartHandler),
        ("api/engine/stop", StopHandler),
        ("api/engine/restart", RestartHandler),
        ("api/engine/logs", LogsHandler),
        ("api/engine/models", ModelsHandler),
        ("api/engine/adapters", AdaptersHandler),
        (r"api/engine/adapters/(?P<name>[^/]+)", AdapterHandler),
    ]
