"""Flows: a node registry, React-Flow-shaped flow JSON with validation, a DAG executor (local asyncio or
Ray) that streams events, run history in the store, and export to a standalone Python script.

    from sage_studio_lab.flow import Flow
    flow = Flow.load("rag.sage-flow.json"); flow.validate(); flow.run({"input": "What is SAGE?"})
"""

from .flow import Flow, RunResult
from .registry import Field, Many, Operator, Port, RunContext, palette, register_operator
from .tools import register_tool

__all__ = [
    "Field",
    "Flow",
    "Many",
    "Operator",
    "Port",
    "RunContext",
    "RunResult",
    "palette",
    "register_operator",
    "register_tool",
]
