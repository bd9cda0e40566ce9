"""The CPU engine process: everything here runs inside `python -m sage_studio_lab.engine.serve` only.

It imports torch, transformers and starlette; no other process imports this package (they reach the engine
over HTTP through `sage_studio_lab.engine.EngineManager`).

    api_server.py   Starlette routes, lifespan, uvicorn `main`
    cli_args.py     the command line (`--help`)
    state.py        `EngineState`: the model, loaded in a thread once the server listens
    serving.py      chat/completions: request -> scheduler `Sequence` -> SSE chunks or one JSON answer
    scheduler.py    continuous batching (one decode thread)
    tokens.py       sampling, incremental detokenisation, stop strings
    packed.py       bf16 linears on oneDNN-prepacked weights
    adapters.py     PEFT LoRA load/unload between decode steps
    prefix_cache.py automatic prefix caching
    metrics.py      Prometheus metrics with vLLM's names
"""
