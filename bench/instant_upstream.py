"""A stand-in OpenAI-compatible upstream that answers at once with canned SSE chunks (no model).

Used only by `bench/gateway.py` to measure the gateway's own added latency without the CPU contention of a
model computing on the same cores. Not a test double for behaviour: nothing else uses it.

    python bench/instant_upstream.py PORT
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

ROLE = b'data: {"id":"instant","object":"chat.completion.chunk","model":"instant","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n'
TOKEN = b'data: {"id":"instant","object":"chat.completion.chunk","model":"instant","choices":[{"index":0,"delta":{"content":"tok"}}]}\n\n'


async def chat(request):
    await request.body()

    async def events():
        yield ROLE
        for _ in range(16):
            yield TOKEN
        yield b"data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


async def models(request):
    return JSONResponse({"object": "list", "data": [{"id": "instant", "object": "model"}]})


async def health(request):
    return JSONResponse({})


app = Starlette(
    routes=[
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/v1/models", models),
        Route("/health", health),
    ]
)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
