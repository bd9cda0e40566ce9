"""Notebook widgets (anywidget): the Studio views inside a notebook, calling the core from the kernel.

Classes are imported lazily: importing `sage_studio_lab` (e.g. by the Jupyter server) never loads anywidget
or the ML stack, and a missing frontend bundle never breaks an import.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "StudioWidget": ".base",
    "Chat": ".chat",
    "FlowCanvas": ".flow_canvas",
    "FinetuneProgress": ".finetune_progress",
    "finetune": ".finetune_progress",
    "MemoryPanel": ".memory_panel",
    "EnginePanel": ".engine_panel",
    "Arena": ".arena",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
