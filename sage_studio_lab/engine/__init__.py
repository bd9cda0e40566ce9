"""Local inference engines: our CPU engine (vLLM's protocol over transformers) or vLLM on a GPU.

`EngineManager` is the public API; the server process itself is `python -m sage_studio_lab.engine.serve`.
"""

from .manager import EngineManager

__all__ = ["EngineManager"]
