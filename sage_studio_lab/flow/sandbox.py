"""Sandboxed expressions for `map` / `filter` (and the bounds the calculator tool shares).

An expression is Jinja2 expression syntax evaluated by Jinja's `ImmutableSandboxedEnvironment` — never Python's
`eval`: no `_`-prefixed attributes (so `().__class__.__base__.__subclasses__()` fails), no calls of unsafe
callables, no mutation of the message. On top of Jinja's sandbox, every evaluation is bounded:

- integers: a `**` or `*` whose result would exceed ~10,000 decimal digits is refused before it is computed,
  and any integer result over that size is refused;
- sizes: repeating a string/list (`'a' * n`), padding (`x.ljust(n)`, `center`, `zfill`, format widths) or
  `replace` that would create more than `MAX_ITEMS` characters/items is refused;
- time: every sandbox step (attribute, item, call, operator, filter) checks a deadline (`TIME_LIMIT_S`).

Syntax (Jinja): `x.upper() ~ '!'` or `x.upper() + '!'`, `len(x) > 1`, `x % 2 == 0`, `x['text']`, `x.text`,
`x | map(attribute='text') | list` (no comprehensions, no lambdas), `a if cond else b`, `not`, `and`, `or`,
`in`; functions: len abs bool float int str list tuple dict min max sum sorted round enumerate zip reversed
any all range repr, `json.dumps` / `json.loads`; every Jinja filter (`x | trim | lower`) and test
(`x is string`, `x is number`, `x is mapping`). The functions are plain callables, never the types themselves:
an unbound `str.format` would format without the sandbox (`str.format('{0.__class__}', x)`).
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import json
import math
import operator
import re
import threading
import time
from types import SimpleNamespace
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import InvalidInput

MAX_INT_DIGITS = 10_000
MAX_INT_BITS = int(MAX_INT_DIGITS * math.log2(10))  # an integer over ~10,000 decimal digits is refused
MAX_ITEMS = 1_000_000  # characters / items one step may create by repetition or padding
TIME_LIMIT_S = 2.0
GLOBALS = (
    "len abs bool float int str list tuple dict min max sum sorted round enumerate zip reversed any all repr"
)


def _plain_function(fn):
    """`fn` callable, and nothing else: no attributes (a type's unbound methods) reachable through it."""

    def call(*args, **kwargs):
        return fn(*args, **kwargs)

    call.__name__ = call.__qualname__ = fn.__name__
    return call


FUNCTIONS = {name: _plain_function(getattr(builtins, name)) for name in GLOBALS.split()}
FUNCTIONS["json"] = SimpleNamespace(dumps=_plain_function(json.dumps), loads=_plain_function(json.loads))


class ExpressionError(InvalidInput):
    """An expression that is not valid, not allowed, or over its bounds (the message says which)."""


_state = threading.local()


@contextlib.contextmanager
def deadline(seconds: float | None = None):
    """Bound the evaluation inside (nested uses keep the outer, earlier deadline)."""
    outer = getattr(_state, "deadline", None)
    _state.deadline = time.monotonic() + (seconds or TIME_LIMIT_S) if outer is None else outer
    try:
        yield
    finally:
        _state.deadline = outer


def check_time() -> None:
    limit = getattr(_state, "deadline", None)
    if limit is not None and time.monotonic() > limit:
        raise ExpressionError(f"the expression took longer than {TIME_LIMIT_S:g} s")


def _too_big(what: str) -> ExpressionError:
    return ExpressionError(f"{what}: the result would have over {MAX_INT_DIGITS:,} digits")


def _check_int(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise _too_big("integer too large")
    return value


_PCT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACE = re.compile(r"\{[^{}]*?:([^{}]*)\}")
_NESTED = re.compile(r"\{[^{}]*:[^{}]*\{")


def _check_format(fmt: str, args: tuple = ()) -> None:
    """Refuse %-format / str.format widths and precisions that would create huge strings."""
    widths = [int(n) for m in _PCT.finditer(fmt) for n in m.groups() if n and n != "*"]
    widths += [int(n) for m in _BRACE.finditer(fmt) for n in re.findall(r"\d+", m.group(1))]
    star = any("*" in (m.group(1) or "", m.group(2) or "") for m in _PCT.finditer(fmt))
    if star:
        widths += [a for a in args if isinstance(a, int)]
    if _NESTED.search(fmt):
        raise ExpressionError("nested format fields ({:{}}) are not allowed")
    if any(w > MAX_ITEMS for w in widths):
        raise ExpressionError(f"format width too large (at most {MAX_ITEMS:,})")


def bounded_binop(op: str, left: Any, right: Any) -> Any:
    """`left <op> right` for + - * / // % **, refusing what would exceed the bounds before computing it."""
    check_time()
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right))
    if op == "**" and ints and right > 0 and abs(left) > 1:
        if right * math.log2(abs(left)) > MAX_INT_BITS:
            raise _too_big(f"power too large ({_short(left)} ** {_short(right)})")
    elif op == "*":
        if ints and left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
            raise _too_big("product too large")
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, (str, bytes, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_ITEMS:
                raise ExpressionError(f"repetition too large (over {MAX_ITEMS:,} items)")
    elif op == "%" and isinstance(left, str):
        _check_format(left, right if isinstance(right, tuple) else (right,))
    try:
        result = _BINOPS[op](left, right)
    except OverflowError as exc:
        raise ExpressionError(f"number too large: {exc}") from None
    return _check_int(result)


_BINOPS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
}


def _short(value: Any) -> str:
    text = (
        str(value)
        if not isinstance(value, int) or value.bit_length() < 200
        else f"<{value.bit_length()}-bit>"
    )
    return text if len(text) <= 40 else text[:37] + "..."


# an integer argument of these is a number, not a count or a width
_NUMERIC = {FUNCTIONS[n] for n in "abs bool float int str repr round min max sum".split()} | {
    FUNCTIONS["json"].dumps
}


def _check_call(obj: Any, args: tuple, kwargs: dict) -> None:
    """Size checks of calls: an integer argument is a count or a width (padding, `lipsum(n)`) except for the
    numeric functions; `replace` may not grow a string past the bound."""
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if name == "replace" and len(args) >= 2 and isinstance(owner, (str, bytes)):
        _check_replace(owner, args[0], args[1])
    if obj in _NUMERIC:
        return
    for v in (*args, *kwargs.values()):
        if isinstance(v, int) and not isinstance(v, bool) and v > MAX_ITEMS:
            raise ExpressionError(f"{name or 'call'}: argument too large (at most {MAX_ITEMS:,})")


def _check_replace(text: Any, old: Any, new: Any) -> None:
    if not isinstance(old, type(text)) or not isinstance(new, type(text)):
        return
    count = text.count(old) if old else len(text) + 1
    if len(text) + count * (len(new) - len(old)) > max(MAX_ITEMS, len(text)):
        raise ExpressionError(f"replace: the result would be over {MAX_ITEMS:,} characters")


def _bounded_filter(name: str, fn):
    # `pass_context`/`pass_environment` filters take that first, then the value (the decorators set this mark)
    skip = 2 if getattr(fn, "jinja_pass_arg", None) is not None else 1

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        check_time()
        if name == "replace" and len(args) >= skip + 2:
            _check_replace(str(args[skip - 1]), args[skip], args[skip + 1])
        if name == "format" and len(args) >= skip:
            _check_format(str(args[skip - 1]), args[skip:])
        for v in (*args[skip:], *kwargs.values()):
            if isinstance(v, int) and not isinstance(v, bool) and v > MAX_ITEMS:
                raise ExpressionError(f"{name}: argument too large (at most {MAX_ITEMS:,})")
        return _check_int(fn(*args, **kwargs))

    return wrapper


class BoundedSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(_BINOPS)
    intercepted_unops = frozenset({"-", "+"})

    def __init__(self):
        super().__init__(undefined=StrictUndefined, autoescape=False)
        self.filters = {name: _bounded_filter(name, fn) for name, fn in self.filters.items()}
        for name in ("lipsum", "cycler", "joiner", "namespace"):  # templates' helpers, not for expressions
            self.globals.pop(name, None)
        self.globals.update(FUNCTIONS)

    def call_binop(self, context, operator, left, right):  # noqa: A002 - Jinja's name
        return bounded_binop(operator, left, right)

    def call_unop(self, context, operator, arg):  # noqa: A002
        check_time()
        return super().call_unop(context, operator, arg)

    def getattr(self, obj, attribute):
        check_time()
        return super().getattr(obj, attribute)

    def wrap_str_format(self, value):
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt = value.__self__

        def checked(*args, **kwargs):
            check_time()
            _check_format(fmt)
            return wrapped(*args, **kwargs)

        return checked

    def getitem(self, obj, argument):
        check_time()
        return super().getitem(obj, argument)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        check_time()
        _check_call(__obj, args, kwargs)
        return _check_int(super().call(__context, __obj, *args, **kwargs))


_env: BoundedSandbox | None = None
_env_lock = threading.Lock()


def environment() -> BoundedSandbox:
    global _env
    with _env_lock:
        if _env is None:
            _env = BoundedSandbox()
        return _env


def syntax_error(source: str) -> str | None:
    """What is wrong with the expression's syntax, or None."""
    try:
        environment().compile_expression(source, undefined_to_none=False)
    except TemplateSyntaxError as exc:
        return exc.message or str(exc)
    return None


def compile_expression(source: str, what: str = "expression", name: str = "x"):
    """A function of one value (`name` in the expression), evaluated in the bounded sandbox."""
    try:
        expr = environment().compile_expression(source, undefined_to_none=False)
    except TemplateSyntaxError as exc:
        raise ExpressionError(f"{what}: invalid expression {source!r}: {exc.message}") from None

    # TemplateExpression.__call__ copies the template's globals (a ChainMap) per call: ~20 µs; a context over
    # one prepared dict is ~4x faster, which counts in a map over thousands of messages.
    template = expr._template
    names = dict(template.globals)

    def run(value: Any) -> Any:
        context = template.new_context({**names, name: value}, shared=True)
        for _ in template.root_render_func(context):
            pass
        return context.vars["result"]

    def evaluate(value: Any) -> Any:
        try:
            with deadline():
                result = run(value)
            if isinstance(result, Undefined):  # an unknown name, or an attribute the sandbox refused
                result._fail_with_undefined_error()
            return result
        except ExpressionError as exc:
            raise ExpressionError(f"{what}: {exc.message}") from None
        except SecurityError as exc:
            raise ExpressionError(f"{what}: not allowed: {exc}") from None
        except UndefinedError as exc:
            raise ExpressionError(f"{what}: {exc} (the message is `{name}`)") from None

    return evaluate


def evaluate(source: str, x: Any = None) -> Any:
    """Evaluate one expression of `x` (one-off uses and tests)."""
    return compile_expression(source)(x)
