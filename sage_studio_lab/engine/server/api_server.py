"""The engine's HTTP routes (Starlette + uvicorn), vLLM's endpoints: /health, /v1/models, /v1/chat/completions,
/v1/completions, /v1/load_lora_adapter, /v1/unload_lora_adapter, /metrics.

With a key (`--api-key` or `$VLLM_API_KEY`, as vLLM) every /v1 route requires `Authorization: Bearer <key>`;
/health and /metrics stay open, as in vLLM (readiness probes, scrapers; they tell nothing secret).

It listens at once (GET /health answers 503 while the model loads), then decodes with continuous batching
(scheduler.py). Routes only parse and answer; serving.py turns requests into scheduler work.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import os
import threading
import time
from pathlib import Path

from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ... import openai_wire as wire
from ...errors import StudioError
from ...openai_wire import ApiError
from ...request_json import parse_json
from .cli_args import parse_args
from .serving import OpenAIServing
from .state import EngineState

METRICS_TYPE = "text/plain; version=0.0.4"


async def parse_body(request: Request, model: type[BaseModel]):
    try:
        raw = parse_json(await request.body())  # the one body parser: limits, UTF-8, depth, number size
    except StudioError as exc:
        raise ApiError(exc.message, exc.status, exc.details.get("field")) from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise ApiError(f"{loc}: {err['msg']}" if loc else err["msg"], 400, loc or None) from exc


def openai_errors(endpoint):
    """An `ApiError` raised by the endpoint is answered as an OpenAI error object with its status."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request):
        try:
            return await endpoint(request)
        except ApiError as exc:
            return JSONResponse(exc.body(), status_code=exc.status)

    return wrapper


def _serving(request: Request) -> OpenAIServing:
    return request.app.state.serving


@openai_errors
async def chat_completions(request: Request):
    serving = _serving(request)
    serving.check_ready()
    return await serving.chat(await parse_body(request, wire.ChatCompletionRequest), request)


@openai_errors
async def completions(request: Request):
    serving = _serving(request)
    serving.check_ready()
    return await serving.completion(await parse_body(request, wire.CompletionRequest), request)


async def health(request: Request):
    state = _serving(request).state
    if state.ready:
        return Response(status_code=200)
    return JSONResponse(
        {"status": "loading" if not state.error else "failed", "error": state.error}, status_code=503
    )


async def list_models(request: Request):
    state = _serving(request).state
    created, data = wire.now_s(), []
    if state.ready:
        base = state.served_name
        card = functools.partial(
            wire.model_card, created=created, max_model_len=state.max_model_len, owned_by="sage-studio"
        )
        data.append(card(base, root=state.model_path, parent=None))
        for name, path in state.scheduler.adapters.items():
            data.append(card(name, root=path, parent=base))
    return JSONResponse({"object": "list", "data": data})


@openai_errors
async def load_lora(request: Request):
    from .adapters import load_adapter

    serving = _serving(request)
    serving.check_ready()
    req = await parse_body(request, wire.LoadLoraRequest)
    if req.lora_name == serving.state.served_name:
        raise ApiError("lora_name must differ from the base model name", 400, "lora_name")
    t0 = time.perf_counter()
    await asyncio.to_thread(load_adapter, serving.state.scheduler, req.lora_name, req.lora_path)
    print(f"loaded adapter {req.lora_name} in {time.perf_counter() - t0:.2f} s", flush=True)
    return PlainTextResponse(f"Success: LoRA adapter '{req.lora_name}' added successfully.")


@openai_errors
async def unload_lora(request: Request):
    from .adapters import unload_adapter

    serving = _serving(request)
    serving.check_ready()
    req = await parse_body(request, wire.UnloadLoraRequest)
    await asyncio.to_thread(unload_adapter, serving.state.scheduler, req.lora_name)
    return PlainTextResponse(f"Success: LoRA adapter '{req.lora_name}' removed successfully.")


async def metrics(request: Request):
    state = _serving(request).state
    if state.metrics is None:
        return PlainTextResponse("", media_type=METRICS_TYPE)
    return Response(state.metrics.render(), media_type=f"{METRICS_TYPE}; charset=utf-8")


ROUTES = [
    Route("/health", health, methods=["GET"]),
    Route("/v1/models", list_models, methods=["GET"]),
    Route("/v1/chat/completions", chat_completions, methods=["POST"]),
    Route("/v1/completions", completions, methods=["POST"]),
    Route("/v1/load_lora_adapter", load_lora, methods=["POST"]),
    Route("/v1/unload_lora_adapter", unload_lora, methods=["POST"]),
    Route("/metrics", metrics, methods=["GET"]),
]


class RequireKey:
    """ASGI middleware (not Starlette's BaseHTTPMiddleware, which would buffer streams and hide disconnects):
    a /v1 request without the key is answered 401 with an OpenAI error object before it reaches a route."""

    def __init__(self, app, key: str):
        self.app, self.expected = app, f"Bearer {key}".encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/v1") and not self.allowed(scope):
            error = ApiError("a valid API key is required: send `Authorization: Bearer <key>`", 401)
            await JSONResponse(error.body(), status_code=401)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def allowed(self, scope) -> bool:
        given = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
        # constant time: the key cannot be guessed byte by byte from how fast a wrong one is refused
        return hmac.compare_digest(given, self.expected)


def build_app(state: EngineState, api_key: str | None = None) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(_app):
        threading.Thread(target=state.load, name="model-loader", daemon=True).start()
        yield
        if state.scheduler:
            state.scheduler.shutdown()

    middleware = [Middleware(RequireKey, key=api_key)] if api_key else []
    app = Starlette(routes=ROUTES, lifespan=lifespan, middleware=middleware)
    app.state.serving = OpenAIServing(state)
    return app


def main(argv=None) -> None:
    import uvicorn

    args = parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.model and Path(args.model).expanduser().is_dir():
        args.model = str(Path(args.model).expanduser().resolve())
    state = EngineState.from_args(args)
    api_key = args.api_key or os.environ.get("VLLM_API_KEY") or None
    uvicorn.run(
        build_app(state, api_key),
        host=args.host,
        port=args.port,
        log_level="warning",
        timeout_graceful_shutdown=3,
    )
