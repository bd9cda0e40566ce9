"""The tool registry for the `tool_call` operator: named Python callables, `fn(value, **kwargs)`."""

from __future__ import annotations

import ast
import datetime as _dt
import importlib
import operator
from collections.abc import Callable

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


def tool_names() -> list[str]:
    return sorted(_tools)


_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.Mod: operator.mod,
    ast.FloorDiv: operator.floordiv,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


@register_tool("calculator")
def calculator(expression) -> float:
    """Arithmetic on numbers only (+ - * / // % **), parsed with `ast`, never eval'd."""

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            if isinstance(node.op, ast.Pow) and abs(ev(node.right)) > 100:
                raise ValueError("exponent too large")
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.operand))
        raise ValueError(f"not arithmetic: {ast.dump(node)[:60]}")

    return ev(ast.parse(str(expression).strip(), mode="eval"))


@register_tool("word_count")
def word_count(text) -> int:
    return len(str(text).split())


@register_tool("upper")
def upper(text) -> str:
    return str(text).upper()


@register_tool("now")
def now(_value=None, fmt: str = "%Y-%m-%dT%H:%M:%SZ") -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime(fmt)
