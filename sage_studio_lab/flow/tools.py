"""The tool registry for the `tool_call` operator: named Python callables, `fn(value, **kwargs)`."""

from __future__ import annotations

import ast
import datetime as _dt
import importlib
import operator
from collections.abc import Callable

from .sandbox import ExpressionError, bounded_binop, check_time, deadline

_tools: dict[str, Callable] = {}


def register_tool(name: str | None = None):
    """Decorator: `@register_tool()` or `@register_tool("name")`."""

    def wrap(fn: Callable) -> Callable:
        _tools[name or fn.__name__] = fn
        return fn

    return wrap


def get_tool(name: str) -> Callable | None:
    if name in _tools:
        return _tools[name]
    if ":" in name:  # "package.module:function" names a callable anywhere importable
        module, _, attr = name.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            return None
    return None


def is_registered(name: str) -> bool:
    """A registered tool (built-in or from a plugin), as opposed to a `module:function` reference."""
    return name in _tools


def tool_names() -> list[str]:
    return sorted(_tools)


_OPS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
    ast.Mod: "%",
    ast.FloorDiv: "//",
}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}


@register_tool("calculator")
def calculator(expression) -> float:
    """Arithmetic on numbers only (+ - * / // % **), parsed with `ast`, never eval'd; bounded like the flow
    expressions (flow/sandbox.py): a result over ~10,000 digits or a slow evaluation is a clear error."""

    def ev(node):
        check_time()
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return bounded_binop(_OPS[type(node.op)], ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](ev(node.operand))
        raise ExpressionError(f"calculator: not arithmetic: {ast.unparse(node)[:60]!r}")

    text = str(expression).strip()
    if len(text) > 10_000:
        raise ExpressionError("calculator: the expression is over 10,000 characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"calculator: invalid expression {text[:60]!r}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("calculator: the expression is nested too deeply") from None
    with deadline():
        try:
            return ev(tree)
        except ExpressionError as exc:
            raise ExpressionError(f"calculator: {exc.message.removeprefix('calculator: ')}") from None
        except RecursionError:
            raise ExpressionError("calculator: the expression is nested too deeply") from None


@register_tool("word_count")
def word_count(text) -> int:
    return len(str(text).split())


@register_tool("upper")
def upper(text) -> str:
    return str(text).upper()


@register_tool("now")
def now(_value=None, fmt: str = "%Y-%m-%dT%H:%M:%SZ") -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime(fmt)
