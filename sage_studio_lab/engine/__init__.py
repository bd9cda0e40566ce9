"""Local inference engines: our CPU engine (vLLM's protocol over transformers) or vLLM on a GPU.

This package's top level is the client side, used by the server, kernels and the CLI: `EngineManager` (the public
API), `backends`, `supervise`. What runs inside the engine process is `server/`, started as
`python -m sage_studio_lab.engine.serve`; the two sides share only `sage_studio_lab.openai_wire` and HTTP.
"""

from .manager import EngineManager

__all__ = ["EngineManager"]
