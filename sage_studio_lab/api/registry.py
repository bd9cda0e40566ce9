"""One declaration per Studio operation: its name, REST route, pydantic arguments and result, and the core call.

The faces are derived from these declarations — the REST routes and `api/openapi.json` (server/operations.py),
the widget RPC dispatch (widgets/base.py) and the magics (`invoke`) — so an operation is written once and every
face answers it with the same arguments, the same result and the same errors.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from ..errors import InvalidInput, NotFound

VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class FileResult:
    """A result that is a file, not JSON: REST sends `content` as an attachment named `filename`, a widget sends
    `{filename, size, content_type}` with the bytes as a message buffer (docs/TRANSPORT.md)."""

    content: bytes
    filename: str
    media_type: str = "application/octet-stream"

    def describe(self) -> dict:
        return {"filename": self.filename, "size": len(self.content), "content_type": self.media_type}


class NoArgs(BaseModel):
    """The arguments of an operation that takes none."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Operation:
    name: str  # the transport method, e.g. "memory.list"
    verb: str
    path: str  # relative to <base_url>/sage-studio/, `{arg}` segments taken from the arguments
    fn: Callable[..., Any]
    args: type[BaseModel]
    result: Any  # a type pydantic can validate and describe
    summary: str
    status: int | Callable[[Any], int] = 200  # or the status of a dumped result (e.g. 202 while loading)
    blocking: bool = False  # may wait (processes, HTTP): servers run it in a worker thread
    body: str | None = (
        None  # the whole JSON body is this one argument (e.g. a flow), not an object of arguments
    )
    media_type: str = "application/json"  # a str result of another type is sent as that text
    upload: str | None = None  # REST also takes a multipart `file`; its text becomes this argument
    tags: tuple[str, ...] = ()
    path_args: tuple[str, ...] = field(default=())

    def validate(self, raw: Any) -> BaseModel:
        """`raw` arguments as the args model; InvalidInput (400) naming every bad field otherwise."""
        return validate(self.args, raw)

    @cached_property
    def _result_adapter(self) -> TypeAdapter:
        return TypeAdapter(self.result)

    def dump(self, value: Any) -> Any:
        """The core's return value checked against the declared result, as JSON-able data: what the core gave
        (a field it did not give is not invented from the model's default); a file result as it is."""
        if self.result is FileResult:
            if not isinstance(value, FileResult):
                raise TypeError(f"{self.name} must return a FileResult, not {type(value).__name__}")
            return value
        adapter = self._result_adapter
        return adapter.dump_python(adapter.validate_python(value), mode="json", exclude_unset=True)

    def call(self, args: BaseModel) -> Any:
        result = self.fn(args) if self.fn_takes_args else self.fn()
        if inspect.isawaitable(result):
            raise TypeError(f"{self.name} is async: use acall()")
        return self.dump(result)

    async def acall(self, args: BaseModel) -> Any:
        """For callers on an event loop: a blocking operation runs in a worker thread."""
        fn = (lambda: self.fn(args)) if self.fn_takes_args else self.fn
        if inspect.iscoroutinefunction(self.fn):
            result = await fn()
        elif self.blocking:
            result = await asyncio.to_thread(fn)
        else:
            result = fn()
        return self.dump(result)

    def status_of(self, dumped: Any) -> int:
        return self.status(dumped) if callable(self.status) else self.status

    @property
    def fn_takes_args(self) -> bool:
        return self.args is not NoArgs


def validate(model: type[BaseModel], raw: Any) -> BaseModel:
    try:
        return model.model_validate({} if raw is None else raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}" for err in exc.errors()
        )
        raise InvalidInput(
            f"invalid request: {problems}",
            errors=exc.errors(include_url=False, include_context=False, include_input=False),
        ) from exc


OPERATIONS: dict[str, Operation] = {}


def operation(
    name: str,
    verb: str,
    path: str,
    *,
    status: int | Callable[[Any], int] = 200,
    blocking: bool = False,
    body: str | None = None,
    media_type: str = "application/json",
    upload: str | None = None,
):
    """Declare `fn(args: ArgsModel) -> Result` (or `fn() -> Result`) as operation `name` at `verb path`."""
    if verb not in VERBS:
        raise ValueError(f"{name}: unknown verb {verb}")

    def declare(fn):
        hints = typing.get_type_hints(fn)
        params = list(inspect.signature(fn).parameters)
        args = hints[params[0]] if params else NoArgs
        path_args = tuple(re.findall(r"\{(\w+)\}", path))
        missing = [a for a in path_args if a not in args.model_fields]
        if missing or name in OPERATIONS or "return" not in hints:
            raise ValueError(
                f"{name}: path args {missing} not in {args.__name__}, a duplicate, or no result type"
            )
        OPERATIONS[name] = Operation(
            name=name,
            verb=verb,
            path=path,
            fn=fn,
            args=args,
            result=hints["return"],
            summary=inspect.cleandoc(fn.__doc__ or name).split("\n\n")[0].replace("\n", " "),
            status=status,
            blocking=blocking,
            body=body,
            media_type=media_type,
            upload=upload,
            tags=(name.split(".")[0],),
            path_args=path_args,
        )
        return fn

    return declare


def get(name: str) -> Operation:
    if name not in OPERATIONS:
        raise NotFound(f"unknown method {name!r}")
    return OPERATIONS[name]


def invoke(name: str, args: dict | None = None) -> Any:
    """Run operation `name` with `args` (a dict, validated) in this thread: the sync callers' entry point."""
    op = get(name)
    return op.call(op.validate(args or {}))
