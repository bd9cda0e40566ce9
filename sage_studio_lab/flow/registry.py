"""The operator registry: every node type with its typed ports and config schema (served as the palette).

Built-in operators live in the modules of `BUILTIN_MODULES` (a module that is not there yet is skipped);
third-party packages add theirs through the entry-point group `sage_studio_lab.operators`, each entry
pointing at an `Operator` subclass (or a module that registers some when imported).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "sage_studio_lab.operators"
BUILTIN_MODULES = (
    "sage_studio_lab.flow.operators.sources",
    "sage_studio_lab.flow.operators.text",
    "sage_studio_lab.flow.operators.retrieval",
    "sage_studio_lab.flow.operators.llm",
    "sage_studio_lab.flow.operators.transform",
    "sage_studio_lab.flow.operators.sinks",
    "sage_studio_lab.memory.operators",  # memory loader / saver (chat & memory area)
    "sage_studio_lab.chat.operators",
)

# Port types. `any` connects to everything; the others must match (text feeds query too).
PORT_TYPES = ("text", "query", "messages", "documents", "stream", "any", "number", "bool", "json")
COMPATIBLE = {("text", "query"), ("query", "text"), ("stream", "text"), ("text", "stream")}


def ports_compatible(out_type: str, in_type: str) -> bool:
    return out_type == in_type or "any" in (out_type, in_type) or (out_type, in_type) in COMPATIBLE


@dataclass
class Port:
    name: str
    type: str = "any"
    label: str = ""
    required: bool = True
    # collect=True: the node gets the list of ALL messages on this port once its upstreams finish
    # (a barrier); otherwise messages stream in one at a time.
    collect: bool = False
    description: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["label"] = self.label or self.name
        return d


@dataclass
class Field:
    name: str
    type: str = "string"  # string | text | integer | number | boolean | select | json | code | secret
    default: Any = None
    label: str = ""
    description: str = ""
    required: bool = False
    min: float | None = None
    max: float | None = None
    options: list | None = None
    secret: bool = False

    def to_dict(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if v is not None}
        d["label"] = self.label or self.name.replace("_", " ")
        return d


# Settings every node has (the executor reads them): per-activation timeout and retries.
COMMON_FIELDS = [
    Field("timeout_s", "number", None, "Timeout (s)", "Give up one activation after this long", min=0),
    Field("max_retries", "integer", 0, "Max retries", "Retry a failing activation this often", min=0, max=10),
]


class Many(list):
    """Return `Many([...])` for a port to emit several messages instead of one."""


@dataclass
class RunContext:
    """What an operator sees besides its inputs: run inputs, token streaming, the flow's folder."""

    run_id: str = ""
    node_id: str = ""
    inputs: dict = field(default_factory=dict)
    base_dir: str | None = None
    on_token: Callable[[str], None] | None = None
    user: str | None = None

    def emit_token(self, token: str) -> None:
        if self.on_token is not None:
            self.on_token(token)


class Operator:
    """Base class. Subclasses set the class attributes and implement `process` (sync or async).

    `process(inputs, ctx)` gets {port: value} (a list for `collect` ports) and returns {port: value};
    leaving a port out emits nothing on it (how a router skips a branch); `Many([...])` emits several.
    `blocking=True` runs a sync `process` in a worker thread so the event loop stays responsive.
    """

    type: ClassVar[str] = ""
    category: ClassVar[str] = "transform"
    label: ClassVar[str] = ""
    description: ClassVar[str] = ""
    icon: ClassVar[str] = "box"
    inputs: ClassVar[list[Port]] = []
    outputs: ClassVar[list[Port]] = []
    config_schema: ClassVar[list[Field]] = []
    blocking: ClassVar[bool] = False
    # Sources with no input ports run once at the start; `source=True` marks the run-input readers.
    source: ClassVar[bool] = False

    def __init__(self, config: dict | None = None):
        self.config = {**self.defaults(), **(config or {})}

    @classmethod
    def defaults(cls) -> dict:
        return {f.name: f.default for f in [*cls.config_schema, *COMMON_FIELDS] if f.default is not None}

    # Ports may depend on config (a router has one output per route).
    @classmethod
    def input_ports(cls, config: dict) -> list[Port]:
        return list(cls.inputs)

    @classmethod
    def output_ports(cls, config: dict) -> list[Port]:
        return list(cls.outputs)

    @classmethod
    def check_config(cls, config: dict) -> list[str]:
        """Extra config problems beyond required/min/max (override for cross-field checks)."""
        return []

    @classmethod
    def trust_references(cls, config: dict) -> list[str]:
        """What in this config only a trusted flow may use (flow/trust.py): Python references
        (`module:function`, declared by the operators that import them) and `env:NAME` secrets (a foreign
        flow must not send the user's keys anywhere). An untrusted flow that has any is refused before it runs."""
        return [
            v
            for f in cls.config_schema
            if (f.type == "secret" or f.secret)
            and isinstance(v := config.get(f.name), str)
            and v.strip().startswith("env:")
        ]

    def process(self, inputs: dict, ctx: RunContext) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def describe(cls) -> dict:
        return {
            "type": cls.type,
            "category": cls.category,
            "label": cls.label or cls.type,
            "description": cls.description or (inspect.getdoc(cls) or "").split("\n")[0],
            "icon": cls.icon,
            "inputs": [p.to_dict() for p in cls.input_ports(cls.defaults())],
            "outputs": [p.to_dict() for p in cls.output_ports(cls.defaults())],
            "config": [f.to_dict() for f in [*cls.config_schema, *COMMON_FIELDS]],
        }


_registry: dict[str, type[Operator]] = {}
_loaded = False
_load_lock = threading.RLock()


def register_operator(cls: type[Operator]) -> type[Operator]:
    """Class decorator (also used by third-party modules). A later registration of a type replaces it."""
    if not (isinstance(cls, type) and issubclass(cls, Operator)) or not cls.type:
        raise TypeError(f"{cls!r} is not an Operator subclass with a `type`")
    _registry[cls.type] = cls
    return cls


def _load_all() -> None:
    global _loaded
    with _load_lock:
        if _loaded:
            return
        _loaded = True
        for name in BUILTIN_MODULES:
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name and name.startswith(exc.name):  # that area is not there yet: fine
                    continue
                log.exception("could not load operators from %s", name)
            except Exception:
                log.exception("could not load operators from %s", name)
        from importlib.metadata import entry_points

        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                obj = ep.load()
                if isinstance(obj, type) and issubclass(obj, Operator):
                    register_operator(obj)
            except Exception:  # a broken plugin must not take the palette down
                log.exception("could not load operator entry point %s", ep)


def get_operator(type_name: str) -> type[Operator] | None:
    _load_all()
    return _registry.get(type_name)


def operator_types() -> dict[str, type[Operator]]:
    _load_all()
    return dict(_registry)


def palette() -> list[dict]:
    """Every operator described for the canvas, grouped by category order then label."""
    order = {
        c: i
        for i, c in enumerate(
            ["input", "retrieval", "prompt", "llm", "memory", "logic", "transform", "output"]
        )
    }
    ops = sorted(operator_types().values(), key=lambda c: (order.get(c.category, 99), c.label or c.type))
    return [op.describe() for op in ops]
