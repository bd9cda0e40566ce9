"""The CPU engine: an OpenAI-compatible server over transformers that speaks vLLM's protocol.

    python -m sage_studio_lab.engine.serve [--model M] [--port P] [--host H]

It listens at once (GET /health answers 503 while the model loads), then decodes with continuous batching
(see scheduler.py). Endpoints: /health, /v1/models, /v1/chat/completions, /v1/completions,
/v1/load_lora_adapter, /v1/unload_lora_adapter, /metrics.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import threading
import time
from pathlib import Path

from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from . import protocol as p
from .protocol import ApiError

log = logging.getLogger("sage_studio_lab.engine")
DEFAULT_MAX_TOKENS = 512  # when a request gives none (a 135M model can ramble to the full context)


class EngineState:
    def __init__(
        self,
        model: str | None,
        served_name: str | None,
        max_batch: int,
        threads: int | None,
        dtype: str = "auto",
        prefix_cache_mb: float = 0,
    ):
        self.dtype = dtype
        self.prefix_cache_mb = prefix_cache_mb
        self.model_arg = model
        self.served_name = served_name
        self.max_batch = max_batch
        self.threads = threads
        self.ready = False
        self.error: str | None = None
        self.scheduler = None
        self.tokenizer = None
        self.model_path: str | None = None
        self.max_model_len = 0
        self.metrics = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> EngineState:
        return cls(
            args.model,
            args.served_model_name,
            args.max_batch,
            args.threads,
            args.dtype,
            args.prefix_cache_mb if args.enable_prefix_caching else 0,
        )

    def load(self) -> None:
        """Runs in a thread after the server is listening, so /health can say 503 meanwhile."""
        try:
            t0 = time.perf_counter()
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            from .. import models
            from .metrics import EngineMetrics
            from .prefix_cache import PrefixCache
            from .scheduler import Scheduler

            if self.threads:
                torch.set_num_threads(self.threads)
            path = models.resolve_model(self.model_arg)
            self.model_path = str(path)
            if not self.served_name:
                arg = self.model_arg or models.BUNDLED_MODEL_ID
                self.served_name = models.BUNDLED_MODEL_ID if arg == "bundled" else arg
            print(f"loading {self.served_name} from {path}", flush=True)
            tokenizer = AutoTokenizer.from_pretrained(path)
            self.dtype = resolve_dtype(self.dtype)
            model = AutoModelForCausalLM.from_pretrained(path, dtype=getattr(torch, self.dtype)).eval()
            eos = model.generation_config.eos_token_id
            eos_ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
            if tokenizer.eos_token_id is not None:
                eos_ids.add(tokenizer.eos_token_id)
            self.max_model_len = int(getattr(model.config, "max_position_embeddings", 2048))
            self.metrics = EngineMetrics(self.served_name)
            self.tokenizer = tokenizer
            cache = PrefixCache(int(self.prefix_cache_mb * 2**20)) if self.prefix_cache_mb > 0 else None
            self.scheduler = Scheduler(
                model, tokenizer, eos_ids, max_batch=self.max_batch, metrics=self.metrics, prefix_cache=cache
            )
            self.scheduler.start()
            self.ready = True
            print(
                f"ready: {self.served_name} in {time.perf_counter() - t0:.1f} s "
                f"(torch threads {torch.get_num_threads()}, max batch {self.max_batch}, {self.dtype})",
                flush=True,
            )
            # Import PEFT now, while idle: it costs 0.3-2 s, which the first hot-swapped adapter would pay.
            with contextlib.suppress(ImportError):
                import peft  # noqa: F401
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            print(f"model load failed: {self.error}", flush=True)
            os._exit(3)  # a dead engine is truthful; a live one that can never serve is not


def resolve_dtype(dtype: str) -> str:
    """`auto` (as in vLLM): bfloat16 when the CPU multiplies bf16 natively — half the bytes per decode step,
    which is what bounds a small model's decoding — else float32 (emulated bf16 would be slower)."""
    if dtype != "auto":
        return dtype
    import torch

    native = [
        getattr(torch.cpu, f, lambda: False) for f in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    ]
    try:
        return "bfloat16" if any(f() for f in native) else "float32"
    except Exception:  # noqa: BLE001 - private torch probes: when in doubt, the safe dtype
        return "float32"


def _error(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status)


async def _body(request: Request, model: type[BaseModel]):
    try:
        raw = json.loads(await request.body() or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(f"request body is not valid JSON: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise ApiError(f"{loc}: {err['msg']}" if loc else err["msg"], 400, loc or None) from exc


class SSEResponse:
    """Server-sent events that stop generation as soon as the client goes away.

    Two tasks race: one pumps chunks, one waits for `http.disconnect`; the first to end cancels the other,
    and the sequence is always cancelled in the scheduler (a no-op when it already finished)."""

    def __init__(self, events, on_close):
        self.events, self.on_close = events, on_close

    async def __call__(self, scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache"),
                ],
            }
        )

        async def pump():
            async for batch in self.events:  # lists of payloads: one write each
                body = "".join(f"data: {data}\n\n" for data in batch).encode()
                await send({"type": "http.response.body", "body": body, "more_body": True})
            await send({"type": "http.response.body", "body": b"data: [DONE]\n\n", "more_body": False})

        async def watch():
            while (await receive())["type"] != "http.disconnect":
                pass

        tasks = [asyncio.ensure_future(pump()), asyncio.ensure_future(watch())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        except OSError:
            pass
        finally:
            for task in tasks:
                task.cancel()
            self.on_close()


def build_app(state: EngineState) -> Starlette:
    def require_ready():
        if not state.ready:
            raise ApiError(state.error or "the model is still loading", 503)

    def resolve_adapter(name: str | None) -> str | None:
        if not name or name in (state.served_name, state.model_path):
            return None
        if name in state.scheduler.adapters:
            return name
        known = [state.served_name, *state.scheduler.adapters]
        raise ApiError(f"The model `{name}` does not exist. Served: {', '.join(known)}", 400, "model")

    def sampling(req, prompt_len: int):
        limit = getattr(req, "max_completion_tokens", None) or req.max_tokens
        room = state.max_model_len - prompt_len
        if room <= 0 or (limit and limit > room):
            raise ApiError(
                f"This model's maximum context length is {state.max_model_len} tokens. However, you "
                f"requested {prompt_len + (limit or 0)} tokens ({prompt_len} in the messages, "
                f"{limit or 0} in the completion). Please reduce the length.",
                400,
                "messages",
            )
        from .scheduler import SamplingParams

        return SamplingParams(
            max_tokens=limit or min(DEFAULT_MAX_TOKENS, room),
            temperature=req.temperature,
            top_p=req.top_p,
            stop=list(req.stop or []),
            seed=req.seed,
        )

    async def generate(req, prompt_ids: list[int], chunker, make_final, request: Request):
        from .scheduler import Sequence

        adapter = resolve_adapter(req.model)
        params = sampling(req, len(prompt_ids))
        seq = Sequence(prompt_ids=prompt_ids, params=params, loop=asyncio.get_running_loop(), adapter=adapter)
        model_name = req.model or state.served_name
        rid, created = p.new_id("chatcmpl" if make_final == "chat" else "cmpl"), p.now_s()
        include_usage = bool(req.stream_options and req.stream_options.include_usage)
        state.scheduler.submit(seq)

        def close():
            state.scheduler.cancel(seq)

        def done(reason):
            state.metrics.finished(reason)
            return p.usage(len(prompt_ids), len(seq.generated), seq.cached_tokens)

        if req.stream:

            def render(kind, value) -> list[str]:
                """The SSE payloads of one scheduler event."""
                if kind == "text":
                    delta = {"content": value} if make_final == "chat" else value
                    return [json.dumps(chunker(rid, model_name, created, delta, None, include_usage))]
                if kind == "error":
                    return [json.dumps(ApiError(value, 500).body())]
                used = done(value)
                final = [
                    json.dumps(
                        chunker(
                            rid, model_name, created, {} if make_final == "chat" else "", value, include_usage
                        )
                    )
                ]
                if include_usage:
                    obj = chunker(rid, "", 0, "", None)["object"]
                    usage = {"id": rid, "object": obj, "created": created, "model": model_name}
                    final.append(json.dumps({**usage, "choices": [], "usage": used}))
                return final

            async def events():
                """Lists of payloads, one network write each. The role chunk leaves with the first token, as in
                vLLM, so nothing wakes the client (or a relay on the same cores) while the prompt is prefilled;
                events already queued (a lagging client, a busy loop) leave together."""
                batch = []
                if make_final == "chat":
                    role = {"role": "assistant", "content": ""}
                    batch.append(json.dumps(chunker(rid, model_name, created, role, None, include_usage)))
                item = await seq.queue.get()
                while True:
                    batch += render(*item)
                    if item[0] != "text":
                        yield batch
                        return
                    try:
                        item = seq.queue.get_nowait()
                        continue
                    except asyncio.QueueEmpty:
                        pass
                    yield batch
                    batch, item = [], await seq.queue.get()

            return SSEResponse(events(), close)

        # Non-streaming: wait for the end, but stop generating if the client hangs up first.
        async def wait_done():
            while True:
                kind, value = await seq.queue.get()
                if kind == "error":
                    raise ApiError(value, 500)
                if kind == "done":
                    return value

        async def disconnected():
            while (await request.receive())["type"] != "http.disconnect":
                pass

        finish_task = asyncio.ensure_future(wait_done())
        watch_task = asyncio.ensure_future(disconnected())
        try:
            await asyncio.wait([finish_task, watch_task], return_when=asyncio.FIRST_COMPLETED)
        finally:
            watch_task.cancel()
            if not finish_task.done():  # the client left (or we are shutting down): stop generating
                finish_task.cancel()
                close()
        if finish_task.cancelled():
            return Response(status_code=499)
        reason = finish_task.result()
        used = done(reason)
        if make_final == "chat":
            body = {
                "id": rid,
                "object": "chat.completion",
                "created": created,
                "model": model_name,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": seq.text},
                        "logprobs": None,
                        "finish_reason": reason,
                    }
                ],
                "usage": used,
            }
        else:
            body = {
                "id": rid,
                "object": "text_completion",
                "created": created,
                "model": model_name,
                "choices": [{"index": 0, "text": seq.text, "logprobs": None, "finish_reason": reason}],
                "usage": used,
            }
        return JSONResponse(body)

    async def chat_completions(request: Request):
        try:
            require_ready()
            req = await _body(request, p.ChatCompletionRequest)
            messages = [
                {"role": m.role if m.role != "developer" else "system", "content": m.text()}
                for m in req.messages
            ]
            try:
                text = state.tokenizer.apply_chat_template(
                    messages, add_generation_prompt=True, tokenize=False
                )
            except Exception as exc:
                raise ApiError(f"messages cannot be rendered with this model's chat template: {exc}") from exc
            ids = state.tokenizer(text, add_special_tokens=False)["input_ids"]
            return await generate(req, ids, p.chat_chunk, "chat", request)
        except ApiError as exc:
            return _error(exc)

    async def completions(request: Request):
        try:
            require_ready()
            req = await _body(request, p.CompletionRequest)
            if isinstance(req.prompt, list):
                ids = list(req.prompt)
                if any(not 0 <= t < len(state.tokenizer) for t in ids):
                    raise ApiError("prompt token ids are out of the vocabulary", 400, "prompt")
            else:
                ids = state.tokenizer(req.prompt)["input_ids"]
            if not ids:
                raise ApiError("prompt must not be empty", 400, "prompt")
            return await generate(req, ids, p.completion_chunk, "text", request)
        except ApiError as exc:
            return _error(exc)

    async def health(_request: Request):
        if state.ready:
            return Response(status_code=200)
        return JSONResponse(
            {"status": "loading" if not state.error else "failed", "error": state.error}, status_code=503
        )

    async def list_models(_request: Request):
        created = p.now_s()
        data = []
        if state.ready:
            data.append(
                {
                    "id": state.served_name,
                    "object": "model",
                    "created": created,
                    "owned_by": "sage-studio",
                    "root": state.model_path,
                    "parent": None,
                    "max_model_len": state.max_model_len,
                    "permission": [],
                }
            )
            for name, path in state.scheduler.adapters.items():
                data.append(
                    {
                        "id": name,
                        "object": "model",
                        "created": created,
                        "owned_by": "sage-studio",
                        "root": path,
                        "parent": state.served_name,
                        "max_model_len": state.max_model_len,
                        "permission": [],
                    }
                )
        return JSONResponse({"object": "list", "data": data})

    async def load_lora(request: Request):
        from .adapters import load_adapter

        try:
            require_ready()
            req = await _body(request, p.LoadLoraRequest)
            if req.lora_name == state.served_name:
                raise ApiError("lora_name must differ from the base model name", 400, "lora_name")
            t0 = time.perf_counter()
            await asyncio.to_thread(load_adapter, state.scheduler, req.lora_name, req.lora_path)
            print(f"loaded adapter {req.lora_name} in {time.perf_counter() - t0:.2f} s", flush=True)
            return PlainTextResponse(f"Success: LoRA adapter '{req.lora_name}' added successfully.")
        except ApiError as exc:
            return _error(exc)

    async def unload_lora(request: Request):
        from .adapters import unload_adapter

        try:
            require_ready()
            req = await _body(request, p.UnloadLoraRequest)
            await asyncio.to_thread(unload_adapter, state.scheduler, req.lora_name)
            return PlainTextResponse(f"Success: LoRA adapter '{req.lora_name}' removed successfully.")
        except ApiError as exc:
            return _error(exc)

    async def metrics(_request: Request):
        if state.metrics is None:
            return PlainTextResponse("", media_type="text/plain; version=0.0.4")
        return Response(state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/v1/models", list_models, methods=["GET"]),
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        Route("/v1/completions", completions, methods=["POST"]),
        Route("/v1/load_lora_adapter", load_lora, methods=["POST"]),
        Route("/v1/unload_lora_adapter", unload_lora, methods=["POST"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        threading.Thread(target=state.load, name="model-loader", daemon=True).start()
        yield
        if state.scheduler:
            state.scheduler.shutdown()

    return Starlette(routes=routes, lifespan=lifespan)


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m sage_studio_lab.engine.serve",
        description="SAGE Studio CPU engine (OpenAI/vLLM protocol over transformers)",
    )
    ap.add_argument(
        "--model", default=None, help="catalog id or local HF folder (default: the bundled model)"
    )
    ap.add_argument("--served-model-name", default=None, help="name clients use (default: the model id)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8001)
    ap.add_argument("--max-batch", type=int, default=32, help="most sequences decoded together")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    # float32 keeps answers identical to a plain `generate`; bfloat16 batches far better on CPUs with
    # AVX512-BF16/AMX (oneDNN kernels) at the cost of slightly different numerics.
    ap.add_argument(
        "--dtype",
        default="auto",
        choices=["auto", "float32", "bfloat16"],
        help="weights dtype; auto = bfloat16 where the CPU has native bf16 matmul (AVX512-BF16/AMX), else float32",
    )
    ap.add_argument(
        "--enable-prefix-caching",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="reuse the KV of prompt prefixes seen before (system prompt, earlier turns), as vLLM does",
    )
    ap.add_argument(
        "--prefix-cache-mb",
        type=float,
        default=128,
        help="memory for the prefix cache (least recently used out)",
    )
    return ap.parse_args(argv)


def main(argv=None) -> None:
    import uvicorn

    args = parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.model and Path(args.model).expanduser().is_dir():
        args.model = str(Path(args.model).expanduser().resolve())
    state = EngineState.from_args(args)
    uvicorn.run(
        build_app(state), host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=3
    )


if __name__ == "__main__":
    main()
