"""Logic and transform operators: map, filter, join/merge and tool call.

`map` / `filter` expressions are Python evaluated in the run's own process with a small set of builtins:
a flow is code its owner runs, like a notebook cell, not a sandbox for untrusted input.
"""

from __future__ import annotations

import builtins
import importlib
import json

from ...errors import InvalidInput
from ..registry import Field, Operator, Port, register_operator
from ..tools import get_tool, tool_names
from ._common import as_text

_SAFE_BUILTINS = {
    n: getattr(builtins, n)
    for n in (
        "abs all any bool dict enumerate filter float int isinstance len list map max min range reversed "
        "round set sorted str sum tuple zip repr"
    ).split()
}


def compile_callable(config: dict, what: str):
    """A function of one value from config `expression` (uses `x`) or `function` ("module:attr")."""
    func_name = (config.get("function") or "").strip()
    if func_name:
        module, _, attr = func_name.partition(":") if ":" in func_name else func_name.rpartition(".")
        try:
            fn = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError, ValueError) as exc:
            raise InvalidInput(f"{what}: cannot import function {func_name!r} ({exc})") from exc
        return fn
    expr = (config.get("expression") or "").strip()
    if not expr:
        raise InvalidInput(f"{what}: set `expression` (e.g. x.upper()) or `function` (module:name)")
    try:
        code = compile(expr, f"<{what}>", "eval")
    except SyntaxError as exc:
        raise InvalidInput(f"{what}: invalid expression {expr!r}: {exc.msg}") from exc
    env = {"__builtins__": _SAFE_BUILTINS, "json": json}
    return lambda x: eval(code, env, {"x": x})  # noqa: S307 - see the module docstring


def _check_callable(config: dict, what: str) -> list[str]:
    if not (config.get("expression") or config.get("function")):
        return ["set `expression` or `function`"]
    if config.get("expression"):
        try:
            compile(config["expression"], what, "eval")
        except SyntaxError as exc:
            return [f"expression: {exc.msg}"]
    return []


@register_operator
class Map(Operator):
    """Transform each message with a Python expression of `x` or a function (module:name)."""

    type = "map"
    category = "transform"
    label = "Map"
    icon = "function-square"
    inputs = [Port("in", "any")]
    outputs = [Port("out", "any")]
    config_schema = [
        Field("expression", "code", "x", "Expression", "Python, the message is `x`"),
        Field("function", "string", "", "Function", "Instead of an expression: package.module:function"),
    ]

    def __init__(self, config=None):
        super().__init__(config)
        self._fn = compile_callable(self.config, "map")
        # A user's function may wait (I/O): in a worker thread, so the loop it shares (the server's) stays free.
        self.blocking = bool(self.config.get("function"))

    @classmethod
    def check_config(cls, config):
        return _check_callable(config, "map")

    def process(self, inputs, ctx):
        return {"out": self._fn(inputs["in"])}


@register_operator
class Filter(Operator):
    """Pass a message on only when the condition on `x` is true."""

    type = "filter"
    category = "logic"
    label = "Filter"
    icon = "filter"
    inputs = [Port("in", "any")]
    outputs = [Port("out", "any"), Port("rejected", "any", required=False)]
    config_schema = [
        Field("expression", "code", "bool(x)", "Condition", "Python, the message is `x`"),
        Field("function", "string", "", "Function", "Instead of an expression: package.module:function"),
    ]

    def __init__(self, config=None):
        super().__init__(config)
        self._fn = compile_callable(self.config, "filter")
        # A user's function may wait (I/O): in a worker thread, so the loop it shares (the server's) stays free.
        self.blocking = bool(self.config.get("function"))

    @classmethod
    def check_config(cls, config):
        return _check_callable(config, "filter")

    def process(self, inputs, ctx):
        value = inputs["in"]
        return {"out": value} if self._fn(value) else {"rejected": value}


@register_operator
class Join(Operator):
    """Wait for all branches, then merge what arrived. Skipped branches count as empty, never block."""

    type = "join"
    category = "logic"
    label = "Join / merge"
    icon = "git-merge"
    inputs = [Port(p, "any", required=False, collect=True) for p in ("a", "b", "c", "d")]
    outputs = [Port("out", "any")]
    config_schema = [
        Field(
            "mode",
            "select",
            "first",
            "Merge as",
            "first: the first value that arrived; list: all values; text: joined text; dict: {port: values}",
            options=["first", "list", "text", "dict"],
        ),
        Field("separator", "string", "\n\n", "Separator", "For text mode"),
    ]

    def process(self, inputs, ctx):
        ports = [p.name for p in self.inputs if p.name in inputs]
        values = [v for p in ports for v in inputs[p]]
        mode = self.config.get("mode", "first")
        if mode == "dict":
            return {"out": {p: inputs[p] for p in ports}}
        if not values:
            return {}
        if mode == "first":
            return {"out": values[0]}
        if mode == "text":
            return {"out": self.config.get("separator", "\n\n").join(as_text(v) for v in values)}
        return {"out": values}


@register_operator
class ToolCall(Operator):
    """Call a registered Python tool (`fn(value, **kwargs)`) on each message."""

    type = "tool_call"
    category = "logic"
    label = "Tool call"
    icon = "wrench"
    blocking = True
    inputs = [Port("in", "any", required=False)]
    outputs = [Port("out", "any")]
    config_schema = [
        Field(
            "tool",
            "string",
            "calculator",
            "Tool",
            "A registered tool (options) or package.module:function",
            required=True,
            options=tool_names(),
        ),
        Field("kwargs", "json", {}, "Arguments", "Extra keyword arguments"),
    ]

    @classmethod
    def check_config(cls, config):
        if config.get("tool") and get_tool(config["tool"]) is None:
            return [
                f"unknown tool {config['tool']!r}: use one of {', '.join(tool_names())} or module:function"
            ]
        if not isinstance(config.get("kwargs") or {}, dict):
            return ["kwargs must be a JSON object"]
        return []

    def process(self, inputs, ctx):
        fn = get_tool(self.config["tool"])
        if fn is None:
            raise InvalidInput(f"unknown tool {self.config['tool']!r}")
        args = [inputs["in"]] if "in" in inputs else []
        return {"out": fn(*args, **(self.config.get("kwargs") or {}))}
