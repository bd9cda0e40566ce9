"""Logic and transform operators: map, filter, join/merge and tool call.

`map` / `filter` expressions are Jinja2 expressions of `x` evaluated in a bounded sandbox (flow/sandbox.py),
never Python's `eval`. A `function` ("package.module:function") and a `tool_call` tool that is not a registered
tool are Python references: only a trusted flow runs them (flow/trust.py); they are declared by
`trust_references` and refused here too when the run's policy says the flow is not trusted.
"""

from __future__ import annotations

import importlib
import re

from ...errors import Forbidden, InvalidInput
from ..policy import policy_of
from ..registry import Field, Operator, Port, register_operator
from ..sandbox import compile_expression, syntax_error
from ..tools import get_tool, is_registered, tool_names
from ._common import as_text

_REFERENCE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")

EXPRESSION_HELP = (
    "Jinja expression of the message `x`, sandboxed: x.upper() ~ '!', len(x) > 1, x['text'], "
    "x | map(attribute='text') | list, a if c else b; functions len abs bool float int str list dict min max "
    "sum sorted round zip any all json.dumps json.loads; no comprehensions, no _names; integers over "
    "10,000 digits and evaluations over 2 s are refused"
)


def _refuse_untrusted(config: dict, what: str, reference: str) -> None:
    if not policy_of(config).trusted:
        raise Forbidden(
            f"flow is not trusted: {what} calls {reference}; trust the flow to run Python references"
        )


def compile_callable(config: dict, what: str):
    """A function of one value from config `expression` (of `x`) or `function` ("module:attr")."""
    func_name = (config.get("function") or "").strip()
    if func_name:
        _refuse_untrusted(config, what, func_name)
        module, _, attr = func_name.partition(":") if ":" in func_name else func_name.rpartition(".")
        try:
            fn = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError, ValueError) as exc:
            raise InvalidInput(f"{what}: cannot import function {func_name!r} ({exc})") from exc
        return fn
    expr = (config.get("expression") or "").strip()
    if not expr:
        raise InvalidInput(f"{what}: set `expression` (e.g. x.upper()) or `function` (module:name)")
    return compile_expression(expr, what)


def _check_callable(config: dict, what: str) -> list[str]:
    if not (config.get("expression") or config.get("function")):
        return ["set `expression` or `function`"]
    if config.get("expression") and not config.get("function"):
        problem = syntax_error(str(config["expression"]))
        if problem:
            return [f"expression: {problem}"]
    return []


def _function_reference(config: dict) -> list[str]:
    name = str(config.get("function") or "").strip()
    return [name] if name else []


FUNCTION_FIELD = Field(
    "function",
    "string",
    "",
    "Function",
    "Instead of an expression: package.module:function (Python: runs only in a trusted flow)",
)


class _CallableOperator(Operator):
    """Map and Filter: one callable of `x`, a sandboxed expression or a Python function (trusted flows only)."""

    def __init__(self, config=None):
        super().__init__(config)
        self._fn = compile_callable(self.config, self.type)
        # A user's function may wait (I/O): in a worker thread, so the loop it shares (the server's) stays free.
        self.blocking = bool(self.config.get("function"))

    @classmethod
    def check_config(cls, config):
        return _check_callable(config, cls.type)

    @classmethod
    def trust_references(cls, config):
        return [*super().trust_references(config), *_function_reference(config)]


@register_operator
class Map(_CallableOperator):
    """Transform each message with an expression of `x` (sandboxed) or a Python function (module:name)."""

    type = "map"
    category = "transform"
    label = "Map"
    icon = "function-square"
    inputs = [Port("in", "any")]
    outputs = [Port("out", "any")]
    config_schema = [Field("expression", "code", "x", "Expression", EXPRESSION_HELP), FUNCTION_FIELD]

    def process(self, inputs, ctx):
        return {"out": self._fn(inputs["in"])}


@register_operator
class Filter(_CallableOperator):
    """Pass a message on only when the condition on `x` is true."""

    type = "filter"
    category = "logic"
    label = "Filter"
    icon = "filter"
    inputs = [Port("in", "any")]
    outputs = [Port("out", "any"), Port("rejected", "any", required=False)]
    config_schema = [Field("expression", "code", "bool(x)", "Condition", EXPRESSION_HELP), FUNCTION_FIELD]

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
        tool = str(config.get("tool") or "")
        # A module:function is not imported to validate it: importing runs the module's code (trust first).
        if tool and not is_registered(tool) and not _REFERENCE.match(tool):
            return [f"unknown tool {tool!r}: use one of {', '.join(tool_names())} or module:function"]
        if not isinstance(config.get("kwargs") or {}, dict):
            return ["kwargs must be a JSON object"]
        return []

    @classmethod
    def trust_references(cls, config):
        tool = str(config.get("tool") or "").strip()
        reference = [tool] if tool and not is_registered(tool) and ":" in tool else []
        return [*super().trust_references(config), *reference]

    def __init__(self, config=None):
        super().__init__(config)
        tool = str(self.config.get("tool") or "")
        if not is_registered(tool) and ":" in tool:
            _refuse_untrusted(self.config, "tool_call", tool)

    def process(self, inputs, ctx):
        fn = get_tool(self.config["tool"])
        if fn is None:
            raise InvalidInput(f"unknown tool {self.config['tool']!r}")
        args = [inputs["in"]] if "in" in inputs else []
        return {"out": fn(*args, **(self.config.get("kwargs") or {}))}
