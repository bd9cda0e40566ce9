"""Run events and their short previews (what the canvas shows under a node), and the JSON form in which a run
records its outputs. A value with no JSON form (an integer over 4,300 digits, NaN, a cycle, a key that is not a
string) cannot be recorded: the executor fails the node that produced it, with that message."""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

EVENT_TYPES = (
    "run_started",
    "node_started",
    "node_output",
    "token",
    "node_retry",
    "node_failed",
    "node_finished",
    "node_skipped",
    "run_finished",
)
PREVIEW_CHARS = 300


def as_record(value):
    """How a run records a rich message (a chat `Turn`, a pydantic model, a dataclass): its own JSON form. Messages
    travel between nodes as the objects themselves; only events and outputs need this."""
    if value is None or isinstance(value, (str, int, float, bool, dict, list, tuple, type)):
        return value
    try:
        if callable(getattr(value, "to_dict", None)):
            return value.to_dict()
        if callable(getattr(value, "model_dump", None)):
            return value.model_dump(mode="json")
        if dataclasses.is_dataclass(value):
            return dataclasses.asdict(value)
    except Exception:  # a `to_dict` that wants arguments, a field that will not copy: shown by its repr
        pass
    return value


def preview(value, limit: int = PREVIEW_CHARS):
    """A JSON-safe, size-capped rendering of a message (embeddings become their shape)."""
    try:
        import numpy as np

        if isinstance(value, np.ndarray):
            return f"<array {value.shape} {value.dtype}>"
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, str):
        return value if len(value) <= limit else value[:limit] + f"… (+{len(value) - limit} chars)"
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): preview(v, limit // 2) for k, v in list(value.items())[:12]}
    if isinstance(value, (list, tuple)):
        head = [preview(v, limit // 2) for v in list(value)[:5]]
        return head + [f"… (+{len(value) - 5} more)"] if len(value) > 5 else head
    record = as_record(value)
    return preview(repr(value) if record is value else record, limit)


def make_event(type_: str, run_id: str, seq: int, **fields) -> dict:
    return {"type": type_, "run_id": run_id, "seq": seq, "ts": time.time(), **fields}


class NotRecordable(ValueError):
    """A value a run must record has no JSON form."""


def check_recordable(value) -> None:
    """NotRecordable (with json's own reason) unless `value` — an event, a preview — serialises as strict JSON."""
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError, RecursionError) as exc:
        raise NotRecordable(str(exc)) from None


def jsonable(value: Any) -> Any:
    """A JSON-safe copy of a result (numpy arrays become lists, other objects their repr, embeddings are dropped
    from documents); NotRecordable when it has no JSON form."""

    def default(o):
        if hasattr(o, "tolist"):
            return o.tolist()
        return repr(o)

    def strip(v):
        v = as_record(v)  # a chat Turn, a pydantic model, a dataclass: its own JSON form
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k != "embedding"}
        if isinstance(v, (list, tuple)):
            return [strip(x) for x in v]
        return v

    try:
        text = json.dumps(strip(value), default=default, ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError, RecursionError) as exc:
        raise NotRecordable(str(exc)) from None
    return json.loads(text)
