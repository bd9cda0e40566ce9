"""The Studio API: every operation declared once (`registry.operation`), from which the REST routes, the OpenAPI
document, the widget dispatch and the magics are derived. No Jupyter imports; heavy libraries load lazily."""

from __future__ import annotations

# Each area module declares its operations when imported; the list is static so the import graph stays plain.
from . import chat, engine, finetune, flow, improve, memory, system  # noqa: F401
from .openapi import document
from .registry import OPERATIONS, FileResult, NoArgs, Operation, get, invoke, operation, validate
from .streams import STREAMS, Stream

__all__ = [
    "OPERATIONS",
    "STREAMS",
    "FileResult",
    "NoArgs",
    "Operation",
    "Stream",
    "document",
    "get",
    "invoke",
    "operation",
    "validate",
]
